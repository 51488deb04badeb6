"""`bookingbot pix code`: a professional checks their Pix key before going live."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from core.payments import pix


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")


def test_the_payload_is_printed_alone_and_reads_back_to_what_was_typed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "pix",
            "code",
            "--key",
            "(11) 91234-5678",
            "--name",
            "Dra. Ana Souza",
            "--city",
            "São Paulo",
            "--amount",
            "150,50",
            "--txid",
            "BK123",
        ]
    )
    out = capsys.readouterr()
    assert code == 0 and out.err == ""
    [line] = out.out.splitlines()
    read = pix.parse(line)
    assert (read.key, read.merchant_name, read.merchant_city) == (
        "+5511912345678",
        "Dra. Ana Souza",
        "Sao Paulo",
    )
    assert (read.amount_cents, read.txid) == (15050, "BK123")


def test_the_qr_code_is_written_as_a_png_beside_the_printed_payload(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "pix.png"
    code = main(
        [
            "pix",
            "code",
            "--key",
            "52998224725",
            "--name",
            "Ana",
            "--city",
            "Recife",
            "--qr",
            str(target),
        ]
    )
    assert code == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pix.parse(capsys.readouterr().out).key == "52998224725"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--key", "12345", "--name", "Ana", "--city", "Recife"], "what kind of Pix key"),
        (
            ["--key", "529.982.247-24", "--key-type", "cpf", "--name", "Ana", "--city", "Recife"],
            "doesn't match the type",
        ),
        (["--key", "ana@example.com", "--name", "😀", "--city", "Recife"], "name for Pix"),
        (
            ["--key", "ana@example.com", "--name", "Ana", "--city", "Recife", "--amount", "1.234"],
            "couldn't read that amount",
        ),
        (
            ["--key", "ana@example.com", "--name", "Ana", "--city", "Recife", "--txid", "bk-1"],
            "transaction id",
        ),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_status_2(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["pix", "code", *args])
    out = capsys.readouterr()
    assert code == 2 and out.out == ""
    [line] = out.err.splitlines()
    assert line.startswith("bookingbot: ") and says in line


def test_the_answer_is_in_the_shells_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    assert main(["pix", "code", "--key", "12345", "--name", "Ana", "--city", "Recife"]) == 2
    assert "Não consegui identificar o tipo dessa chave Pix" in capsys.readouterr().err


def test_a_qr_file_that_cannot_be_written_is_one_line_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "pix.png"
    code = main(
        [
            "pix",
            "code",
            "--key",
            "ana@example.com",
            "--name",
            "Ana",
            "--city",
            "Recife",
            "--qr",
            str(target),
        ]
    )
    out = capsys.readouterr()
    assert code == 2 and out.out == ""
    assert out.err.strip() == f"bookingbot: Cannot write {target}: No such file or directory."
