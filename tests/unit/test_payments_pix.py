"""Pix BR Code "copia e cola": the Banco Central's published examples, building, reading."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.payments import pix
from core.payments.pix import (
    InvalidBrCode,
    InvalidPixAmount,
    InvalidPixCity,
    InvalidPixName,
    InvalidPixTxid,
)
from core.validation import InvalidPixKey, InvalidPixKeyUnrecognised, detect_pix_key_type

# "Manual de Padrões para Iniciação do Pix" (Banco Central do Brasil, Regulamento Pix,
# II_ManualdePadroesparaIniciacaodoPix), section on the BR Code: the static example
# (random key, no amount, txid ***) and the dynamic example (location URL in 26-25).
# Found quoted verbatim in public test suites through the code search tool
# (query "br.gov.bcb.pix 6304 example payload"; e.g. a Java emv-qrcode test citing
# .../Regulamento_Pix/II_ManualdePadroesparaIniciacaodoPix-versao1.pdf and a Rust pix
# crate's `bacen_static_sample` / `bacen_dynamic_sample`).
MANUAL_STATIC = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
MANUAL_DYNAMIC = (
    "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4"
)
# "Manual do BR Code" (Banco Central, SiteAssets/Manual do BR Code.pdf): the illustrative
# code with a card arrangement (04), Pix (26), another arrangement (27), amount 123.45,
# postal code, txid RP12345678-2019 and unreserved templates 80/81; CRC EB76. Quoted in
# the same Java test (`testSampleBRCodeCRC2`).
MANUAL_BR_CODE = (
    "00020104141234567890123426660014BR.GOV.BCB.PIX014466756C616E6F32303139406578616D706C652E"
    "636F6D27300012BR.COM.OUTRO011001234567895204000053039865406123.455802BR5915NOMEDORECEBEDOR"
    "6008BRASILIA61087007490062530515RP12345678-201950300017BR.GOV.BCB.BRCODE01051.0.08045"
    "0014BR.GOV.BCB.PIX0123PADRAO.URL.PIX/0123ABCD81390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ"
    "6304EB76"
)

RANDOM_KEY = "2d9d3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6"


# --- the manuals' examples ----------------------------------------------------------------


def test_the_crc_is_ccitt_false_with_its_standard_check_value() -> None:
    # CRC-16/CCITT-FALSE of "123456789" is 29B1 (the catalogue's check value).
    assert pix.crc16("123456789") == "29B1"


@pytest.mark.parametrize(
    ("code", "crc"), [(MANUAL_STATIC, "1D3D"), (MANUAL_DYNAMIC, "64E4"), (MANUAL_BR_CODE, "EB76")]
)
def test_each_manual_example_carries_the_crc_we_compute(code: str, crc: str) -> None:
    assert code.endswith("6304" + crc)
    assert pix.crc16(code[:-4]) == crc


def test_the_manuals_static_example_is_what_we_encode_from_its_fields() -> None:
    assert (
        pix.payload(
            key="123e4567-e12b-12d1-a456-426655440000", name="Fulano de Tal", city="BRASILIA"
        )
        == MANUAL_STATIC
    )


def test_the_manuals_static_example_reads_back_into_its_fields() -> None:
    code = pix.parse(MANUAL_STATIC)
    assert code.key == "123e4567-e12b-12d1-a456-426655440000"
    assert (code.merchant_name, code.merchant_city) == ("Fulano de Tal", "BRASILIA")
    assert (code.currency, code.country, code.merchant_category_code) == ("986", "BR", "0000")
    assert code.amount_cents is None and code.txid is None and code.crc == "1D3D"


def test_the_manuals_dynamic_example_reads_back_with_its_location_url() -> None:
    code = pix.parse(MANUAL_DYNAMIC)
    assert code.key is None
    assert code.url == "pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
    assert code.point_of_initiation == "12"


def test_the_br_code_manuals_example_reads_its_pix_among_other_arrangements() -> None:
    code = pix.parse(MANUAL_BR_CODE)
    # The GUI is upper case there; the key is the hex of "fulano2019@example.com".
    assert bytes.fromhex(code.key or "").decode() == "fulano2019@example.com"
    assert code.amount_cents == 12345
    assert code.txid == "RP12345678-2019"
    assert code.postal_code == "70074900"


# --- building from what a professional typed ----------------------------------------------


@pytest.mark.parametrize(
    ("key", "key_type", "in_payload"),
    [
        ("529.982.247-25", "cpf", "52998224725"),
        ("11.222.333/0001-81", "cnpj", "11222333000181"),
        ("Ana.Souza@Example.com", "email", "ana.souza@example.com"),
        ("(11) 91234-5678", "phone", "+5511912345678"),
        ("+55 21 3456-7890", "phone", "+552134567890"),
        (RANDOM_KEY.upper(), "random", RANDOM_KEY),
    ],
)
def test_every_kind_of_key_goes_into_the_payload_normalised(
    key: str, key_type: str, in_payload: str
) -> None:
    code = pix.parse(pix.build(key=key, key_type=key_type, name="Ana Souza", city="Sao Paulo"))
    assert code.key == in_payload


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("529.982.247-25", "cpf"),
        ("52998224725", "cpf"),
        ("11912345678", "phone"),  # fails the CPF check digits: a phone without +55
        ("+5511912345678", "phone"),
        ("11.222.333/0001-81", "cnpj"),
        ("ana@example.com", "email"),
        (RANDOM_KEY, "random"),
    ],
)
def test_a_key_given_alone_is_recognised_by_its_shape(key: str, kind: str) -> None:
    assert detect_pix_key_type(key) == kind


def test_a_key_of_no_known_shape_is_refused_with_its_own_message() -> None:
    with pytest.raises(InvalidPixKeyUnrecognised) as caught:
        pix.build(key="PT50000201231234567890154", name="Ana", city="Lisboa")
    assert caught.value.msgid == "validation.pix_key_unrecognised"


def test_a_cpf_with_wrong_check_digits_is_refused_as_a_bad_key() -> None:
    with pytest.raises(InvalidPixKey):
        pix.build(key="529.982.247-24", key_type="cpf", name="Ana", city="Sao Paulo")


def test_name_and_city_lose_their_accents_and_are_cut_to_the_standards_lengths() -> None:
    code = pix.parse(
        pix.build(
            key=RANDOM_KEY,
            name="Clínica de Psicologia São João Batista",
            city="São José dos Campos",
        )
    )
    assert code.merchant_name == "Clinica de Psicologia Sao"  # 25 characters
    assert code.merchant_city == "Sao Jose dos Ca"  # 15 characters
    assert code.merchant_name.isascii() and code.merchant_city.isascii()


def test_letters_without_an_ascii_form_are_spelled_out_or_dropped() -> None:
    assert pix.fold_text("Straße 😀 Øster  Æble", 40) == "Strasse Oster AEble"


@pytest.mark.parametrize(("name", "error"), [("😀😀", InvalidPixName), ("   ", InvalidPixName)])
def test_a_name_with_nothing_left_after_folding_is_refused(
    name: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        pix.build(key=RANDOM_KEY, name=name, city="Recife")


def test_a_city_with_nothing_left_after_folding_is_refused() -> None:
    with pytest.raises(InvalidPixCity):
        pix.build(key=RANDOM_KEY, name="Ana", city="—")


def test_the_amount_is_written_with_two_decimals_from_integer_centavos() -> None:
    built = pix.build(key=RANDOM_KEY, name="Ana", city="Recife", amount_cents=15005)
    assert "5406150.05" in built
    assert pix.parse(built).amount_cents == 15005
    assert "54041.00" in pix.build(key=RANDOM_KEY, name="Ana", city="Recife", amount_cents=100)


@pytest.mark.parametrize("amount", [0, -1, 1_000_000_000_000])
def test_an_amount_of_zero_or_beyond_thirteen_characters_is_refused(amount: int) -> None:
    with pytest.raises(InvalidPixAmount):
        pix.build(key=RANDOM_KEY, name="Ana", city="Recife", amount_cents=amount)


def test_the_txid_goes_in_field_62_and_defaults_to_three_asterisks() -> None:
    assert pix.parse(pix.build(key=RANDOM_KEY, name="A", city="B", txid="BK2026ABC")).txid == (
        "BK2026ABC"
    )
    assert "62070503***" in pix.build(key=RANDOM_KEY, name="A", city="B")


@pytest.mark.parametrize("txid", ["", "has space", "x" * 26, "ação", "bk-123"])
def test_a_txid_that_is_not_up_to_25_letters_and_digits_is_refused(txid: str) -> None:
    with pytest.raises(InvalidPixTxid):
        pix.build(key=RANDOM_KEY, name="Ana", city="Recife", txid=txid)


def test_a_long_description_is_cut_so_the_account_field_stays_within_99() -> None:
    email = "ana.souza.psicologa@example.com"
    built = pix.build(key=email, name="Ana", city="Recife", description="Sessão " * 30)
    code = pix.parse(built)
    assert len(code.fields["26"]) <= 99
    assert code.description and code.description.startswith("Sessao Sessao")


# --- reading what is not a BR Code --------------------------------------------------------


def test_a_payload_with_one_character_changed_fails_its_crc() -> None:
    with pytest.raises(InvalidBrCode) as caught:
        pix.parse(MANUAL_STATIC.replace("Fulano", "Fulana"))
    assert "CRC" in str(caught.value.params["reason"])


@pytest.mark.parametrize(
    "text",
    ["", "hello", "0002016304", MANUAL_STATIC[:-8] + "6305" + MANUAL_STATIC[-4:]],
)
def test_text_that_is_not_a_br_code_is_refused(text: str) -> None:
    with pytest.raises(InvalidBrCode):
        pix.parse(text)


def test_a_field_cut_short_is_refused_even_with_a_matching_crc() -> None:
    body = "000201265800" + "6304"
    with pytest.raises(InvalidBrCode):
        pix.parse(body + pix.crc16(body))


# --- every payload we build reads back --------------------------------------------------

_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60
).filter(lambda s: any(c.isalnum() for c in pix.fold_text(s, 25)))


# No deadline: a loaded CI machine is slow, not wrong.
@settings(deadline=None)
@given(
    name=_names,
    city=_names.filter(lambda s: any(c.isalnum() for c in pix.fold_text(s, 15))),
    amount=st.none() | st.integers(1, pix.AMOUNT_MAX_CENTS),
    txid=st.none() | st.text(alphabet="abcXYZ0189", min_size=1, max_size=25),
    description=st.none() | st.text(max_size=120),
)
def test_whatever_a_professional_types_the_payload_reads_back_to_it(
    name: str, city: str, amount: int | None, txid: str | None, description: str | None
) -> None:
    built = pix.build(
        key=RANDOM_KEY,
        name=name,
        city=city,
        amount_cents=amount,
        txid=txid,
        description=description,
    )
    code = pix.parse(built)
    assert built.isascii()
    assert code.key == RANDOM_KEY
    assert code.merchant_name == pix.fold_text(name, pix.NAME_MAX)
    assert code.merchant_city == pix.fold_text(city, pix.CITY_MAX)
    assert (code.amount_cents, code.txid) == (amount, txid)


# --- the QR image -------------------------------------------------------------------------


def test_the_qr_image_is_a_png_sized_for_the_payload() -> None:
    png = pix.qr_png(MANUAL_STATIC, scale=4, border=4)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    # 137 bytes at error level M need a version 8 symbol: 49 modules, plus 4 of border a side.
    assert width == height == (49 + 8) * 4
