"""Translator lookups: locale matching, English fallback, plurals and parameters."""

from __future__ import annotations

import logging
import os
import textwrap
from pathlib import Path

import pytest

from bot import locales_tool
from bot.i18n import (
    BUTTON_EXPIRED,
    SORRY,
    Translator,
    get_translator,
    normalize_locale,
    reload_catalogues,
    t_lazy,
)
from core.errors import NotFound


@pytest.fixture(autouse=True)
def fresh_caches():
    # Warnings are logged once per id; each test must see its own.
    reload_catalogues()
    yield
    reload_catalogues()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("pt-br", "pt_BR"),
        ("pt-BR", "pt_BR"),
        ("pt", "pt_BR"),
        ("pt-PT", "pt_BR"),
        ("pt_BR", "pt_BR"),
        ("es", "es"),
        ("es-419", "es"),
        ("es-MX", "es"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN-gb", "en"),
        ("de", "en"),
        ("zh-hans", "en"),
        ("  ", "en"),
    ],
)
def test_telegram_language_codes_map_to_a_supported_locale(code, expected):
    assert normalize_locale(code) == expected


def test_no_language_code_gives_the_default_and_a_bad_default_gives_english():
    assert normalize_locale(None, default="es") == "es"
    assert normalize_locale("", default="pt-br") == "pt_BR"
    assert normalize_locale(None, default="fr") == "en"
    assert normalize_locale(None) == "en"


def test_an_unknown_language_gets_english_even_with_another_default():
    assert normalize_locale("de", default="pt_BR") == "en"


def test_the_real_catalogues_translate_without_compiled_mo_files(tmp_path):
    # A copy with only .po files is what a fresh checkout looks like.
    locales = _copy_po_files(tmp_path)

    assert get_translator("pt-br", directory=locales).t(BUTTON_EXPIRED) == (
        "Este botão expirou. Por favor, comece de novo."
    )
    assert get_translator("es", directory=locales).t(SORRY).startswith("Lo siento")
    assert get_translator("en", directory=locales).t("common.cancelled") == (
        "OK, cancelled. Nothing was changed."
    )


def test_translators_are_cached_per_locale():
    assert get_translator("pt-br") is get_translator("pt_BR")
    assert get_translator("es") is not get_translator("en")


def test_a_text_missing_in_a_locale_falls_back_to_english(tmp_path, caplog):
    locales = _locales(tmp_path, en={"menu.book": "Book"}, es={})

    with caplog.at_level(logging.INFO, logger="bot.i18n"):
        text = get_translator("es", directory=locales).t("menu.book")

    assert text == "Book"
    assert "menu.book" in caplog.text


def test_a_fuzzy_translation_is_not_shown(tmp_path):
    locales = _locales(tmp_path, en={"menu.book": "Book"}, es={"menu.book": "Reservar"})
    po = locales / "es" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text().replace('msgid "menu.book"', '#, fuzzy\nmsgid "menu.book"'))

    assert get_translator("es", directory=locales).t("menu.book") == "Book"


def test_a_text_missing_in_english_returns_the_id_and_logs_a_warning(tmp_path, caplog):
    locales = _locales(tmp_path, en={}, pt_BR={})

    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        text = get_translator("pt_BR", directory=locales).t("menu.nowhere")

    assert text == "menu.nowhere"
    assert any(
        r.levelno == logging.WARNING and "menu.nowhere" in r.getMessage() for r in caplog.records
    )


def test_parameters_are_filled_in_after_lookup(tmp_path):
    locales = _locales(tmp_path, pt_BR={"booking.confirmed": "Agendado para {when}, {name}!"})

    tr = get_translator("pt_BR", directory=locales)

    assert tr.t("booking.confirmed", when="qui., 26/11 14:00", name="Ana") == (
        "Agendado para qui., 26/11 14:00, Ana!"
    )


def test_a_missing_parameter_logs_an_error_instead_of_crashing(tmp_path, caplog):
    locales = _locales(tmp_path, en={"booking.confirmed": "Booked for {when}."})

    with caplog.at_level(logging.ERROR, logger="bot.i18n"):
        text = get_translator("en", directory=locales).t("booking.confirmed")

    assert text == "Booked for {when}."
    assert "booking.confirmed" in caplog.text


def test_doubled_braces_become_literal_braces(tmp_path):
    locales = _locales(tmp_path, en={"help.syntax": "Type {{name}} for {what}."})

    assert get_translator("en", directory=locales).t("help.syntax", what="x") == (
        "Type {name} for x."
    )


def test_plural_forms_follow_each_languages_rule(tmp_path):
    locales = _locales(
        tmp_path,
        en={"slots.count": ("{n} free slot", "{n} free slots")},
        pt_BR={"slots.count": ("{n} horário livre", "{n} horários livres")},
    )
    en = get_translator("en", directory=locales)
    pt = get_translator("pt_BR", directory=locales)

    assert [en.tn("slots.count", n) for n in (0, 1, 2)] == [
        "0 free slots",
        "1 free slot",
        "2 free slots",
    ]
    # Portuguese treats zero as singular: "0 horário livre".
    assert [pt.tn("slots.count", n) for n in (0, 1, 2)] == [
        "0 horário livre",
        "1 horário livre",
        "2 horários livres",
    ]


def test_a_plural_missing_in_a_locale_falls_back_to_english_plural_forms(tmp_path):
    locales = _locales(tmp_path, en={"slots.count": ("{n} free slot", "{n} free slots")}, es={})

    assert get_translator("es", directory=locales).tn("slots.count", 3) == "3 free slots"


def test_a_domain_error_renders_in_the_readers_language(tmp_path):
    locales = _copy_po_files(tmp_path)

    text = get_translator("pt_BR", directory=locales).render(NotFound(id=3))

    assert text == "Não encontramos isso. Talvez tenha sido removido ou alterado."


def test_a_lazy_text_is_translated_when_rendered(tmp_path):
    locales = _locales(
        tmp_path,
        en={"menu.hello": "Hello, {name}"},
        es={"menu.hello": "Hola, {name}"},
    )
    greeting = t_lazy("menu.hello", name="Ana")

    assert greeting.translate(get_translator("es", directory=locales)) == "Hola, Ana"
    assert get_translator("en", directory=locales).render(greeting) == "Hello, Ana"


def test_a_compiled_mo_is_used_unless_the_po_is_newer(tmp_path):
    locales = _locales(tmp_path, es={"menu.book": "Reservar"})
    project = locales.parent
    [mo_path] = locales_tool.compile_catalogues(project, locales=("es",))
    po = locales / "es" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text().replace('"Reservar"', '"Reservar ahora"'))
    old = mo_path.stat().st_mtime - 60
    os.utime(mo_path, (old, old))

    assert Translator("es", locales).t("menu.book") == "Reservar ahora"

    locales_tool.compile_catalogues(project, locales=("es",))
    reload_catalogues()
    po.write_text(po.read_text().replace('"Reservar ahora"', '"only in the po"'))
    os.utime(po, (old, old))

    assert Translator("es", locales).t("menu.book") == "Reservar ahora"


def _locales(tmp_path: Path, **catalogues: dict[str, str | tuple[str, str]]) -> Path:
    """Write one hand-made .po per locale, as a translator would leave it."""
    directory = tmp_path / "locales"
    plural_forms = {
        "en": "nplurals=2; plural=(n != 1);",
        "es": "nplurals=2; plural=(n != 1);",
        "pt_BR": "nplurals=2; plural=(n > 1);",
    }
    catalogues.setdefault("en", {})
    for locale, texts in catalogues.items():
        entries = []
        for msgid, text in texts.items():
            if isinstance(text, tuple):
                entries.append(
                    f'msgid "{msgid}"\nmsgid_plural "{msgid}"\n'
                    + "".join(f'msgstr[{i}] "{form}"\n' for i, form in enumerate(text))
                )
            else:
                entries.append(f'msgid "{msgid}"\nmsgstr "{text}"\n')
        header = textwrap.dedent(
            f"""\
            msgid ""
            msgstr ""
            "Language: {locale}\\n"
            "Plural-Forms: {plural_forms[locale]}\\n"
            "Content-Type: text/plain; charset=utf-8\\n"
            """
        )
        path = directory / locale / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True)
        path.write_text("\n".join([header, *entries]), encoding="utf-8")
    return directory


def _copy_po_files(tmp_path: Path) -> Path:
    source = Path(__file__).resolve().parents[2] / "locales"
    for po in source.glob("*/LC_MESSAGES/messages.po"):
        target = tmp_path / "locales" / po.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(po.read_bytes())
    return tmp_path / "locales"
