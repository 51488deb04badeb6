"""Validation of what users type: names, phones, e-mails, slugs, Pix keys, money, times."""

from __future__ import annotations

from datetime import time

import pytest
from pydantic import BaseModel, ValidationError

from core.errors import InvalidInput
from core.scheduling.types import WeeklyWindow
from core.validation import (
    Email,
    InvalidAvailability,
    InvalidCnpj,
    InvalidCpf,
    InvalidCurrency,
    InvalidEmail,
    InvalidLocale,
    InvalidMoney,
    InvalidName,
    InvalidPhone,
    InvalidPixKey,
    InvalidPixKeyType,
    InvalidSlug,
    InvalidTimeOfDay,
    InvalidTimezone,
    MoneyCents,
    PersonName,
    Phone,
    TimeOfDay,
    TimezoneName,
    invalid_input_from,
    is_valid_slug,
    parse_money,
    parse_time_of_day,
    parse_weekly_availability,
    slugify,
    validate_cnpj,
    validate_cpf,
    validate_currency,
    validate_email,
    validate_locale,
    validate_name,
    validate_phone,
    validate_pix_key,
    validate_timezone,
)

# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Ana", "Ana"),
        ("  Ana   Souza  ", "Ana Souza"),
        ("José da Silva-Ñúñez", "José da Silva-Ñúñez"),
        ("Studio 🧘 Zen", "Studio 🧘 Zen"),
        ("x" * 120, "x" * 120),
    ],
)
def test_a_name_is_trimmed_and_its_spaces_collapsed(typed: str, expected: str) -> None:
    assert validate_name(typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", "x" * 121, "Ana\x00", "Ana\nSouza", "Ana\x1b[31m"])
def test_an_empty_overlong_or_control_character_name_is_refused(typed: str) -> None:
    with pytest.raises(InvalidName) as caught:
        validate_name(typed)
    assert caught.value.msgid == "validation.name"
    assert caught.value.params["field"] == "name"


# --- phones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+55 11 91234-5678", "+5511912345678"),
        ("(11) 91234-5678", "+5511912345678"),
        ("11912345678", "+5511912345678"),
        ("011 91234-5678", "+5511912345678"),
        ("0055 11 91234-5678", "+5511912345678"),
        ("+1 (212) 555-0100", "+12125550100"),
        ("+351 912 345 678", "+351912345678"),
    ],
)
def test_a_phone_is_normalised_to_e164(typed: str, expected: str) -> None:
    assert validate_phone(typed) == expected


def test_the_default_country_code_applies_to_national_numbers() -> None:
    assert validate_phone("612 34 56 78", default_country="34") == "+34612345678"


@pytest.mark.parametrize(
    "typed", ["", "abc", "+55 11 9123x", "123", "+1234567890123456", "+0 123456789"]
)
def test_a_phone_with_letters_or_the_wrong_length_is_refused(typed: str) -> None:
    with pytest.raises(InvalidPhone):
        validate_phone(typed)


# --- e-mail -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ana@example.com", "ana@example.com"),
        ("  Ana.Souza+agenda@Example.COM.br ", "Ana.Souza+agenda@example.com.br"),
        ("o'neil@sub.domain.io", "o'neil@sub.domain.io"),
        ("user@xn--bcher-kva.example", "user@xn--bcher-kva.example"),
    ],
)
def test_a_real_email_is_accepted_with_its_domain_lowercased(typed: str, expected: str) -> None:
    assert validate_email(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "ana",
        "ana@",
        "@example.com",
        "ana@example",
        "ana@@example.com",
        "ana..souza@example.com",
        ".ana@example.com",
        "ana@-example.com",
        "ana@example..com",
        "ana souza@example.com",
        "ana@example.c",
        "a" * 65 + "@example.com",
        "ana@" + "a" * 250 + ".com",
    ],
)
def test_a_malformed_or_overlong_email_is_refused(typed: str) -> None:
    with pytest.raises(InvalidEmail):
        validate_email(typed)


# --- slugs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Clínica São João", "clinica-sao-joao"),
        ("Dra. Ana Souza — Psicóloga", "dra-ana-souza-psicologa"),
        ("  Personal   Trainer!!  ", "personal-trainer"),
        ("Ñandú & Peña", "nandu-pena"),
        ("Straße", "strasse"),
        ("Yoga_Studio 42", "yoga-studio-42"),
    ],
)
def test_slugify_folds_accents_and_keeps_lowercase_letters_digits_and_hyphens(
    name: str, slug: str
) -> None:
    assert slugify(name) == slug
    assert is_valid_slug(slug)


def test_a_slug_is_at_most_64_characters_and_never_ends_with_a_hyphen() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 64
    assert not slug.endswith("-")
    assert is_valid_slug(slug)


def test_a_slug_is_a_valid_telegram_deep_link_payload() -> None:
    import re

    for name in ("Ana Souza", "Çà et là", "x" * 200, "1-2-3"):
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", slugify(name))


def test_a_name_without_any_letter_or_digit_cannot_be_slugified() -> None:
    with pytest.raises(InvalidSlug):
        slugify("!!! 🧘 ???")


@pytest.mark.parametrize("value", ["", "Ana", "ana--souza", "-ana", "ana-", "ana_souza", "a" * 65])
def test_an_invalid_slug_is_recognised(value: str) -> None:
    assert not is_valid_slug(value)


# --- CPF, CNPJ and Pix keys -------------------------------------------------------------


@pytest.mark.parametrize("typed", ["529.982.247-25", "52998224725", " 529.982.247-25 "])
def test_a_valid_cpf_is_returned_as_its_11_digits(typed: str) -> None:
    assert validate_cpf(typed) == "52998224725"


@pytest.mark.parametrize("typed", ["529.982.247-24", "529.982.247-15", "52998224735"])
def test_a_cpf_with_a_wrong_check_digit_is_refused(typed: str) -> None:
    with pytest.raises(InvalidCpf):
        validate_cpf(typed)


@pytest.mark.parametrize(
    "typed", ["111.111.111-11", "000.000.000-00", "5299822472", "abc.def.ghi-jk"]
)
def test_a_cpf_of_repeated_digits_or_the_wrong_length_is_refused(typed: str) -> None:
    with pytest.raises(InvalidCpf):
        validate_cpf(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("11.222.333/0001-81", "11222333000181"),
        ("11222333000181", "11222333000181"),
        # The alphanumeric CNPJ introduced in 2026 (Receita Federal's own example).
        ("12.ABC.345/01DE-35", "12ABC34501DE35"),
        ("12abc34501de35", "12ABC34501DE35"),
    ],
)
def test_a_valid_cnpj_is_returned_as_its_14_characters(typed: str, expected: str) -> None:
    assert validate_cnpj(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "11.222.333/0001-82",
        "11222333000191",
        "00000000000000",
        "12.ABC.345/01DE-36",
        "1122233300018",
    ],
)
def test_a_cnpj_with_a_wrong_check_digit_or_length_is_refused(typed: str) -> None:
    with pytest.raises(InvalidCnpj):
        validate_cnpj(typed)


@pytest.mark.parametrize(
    ("key_type", "key", "expected"),
    [
        ("cpf", "529.982.247-25", "52998224725"),
        ("cnpj", "11.222.333/0001-81", "11222333000181"),
        ("email", " Ana.Souza@Example.com ", "ana.souza@example.com"),
        ("phone", "(11) 91234-5678", "+5511912345678"),
        ("phone", "+55 21 3456-7890", "+552134567890"),
        ("random", "123E4567-E89B-42D3-A456-426614174000", "123e4567-e89b-42d3-a456-426614174000"),
        ("CPF", "52998224725", "52998224725"),
    ],
)
def test_a_pix_key_is_validated_and_normalised_by_type(
    key_type: str, key: str, expected: str
) -> None:
    assert validate_pix_key(key_type, key) == expected


@pytest.mark.parametrize(
    ("key_type", "key"),
    [
        ("cpf", "529.982.247-24"),
        ("cnpj", "11.222.333/0001-82"),
        ("email", "not-an-email"),
        ("email", "a" * 70 + "@example.com"),
        ("phone", "+1 212 555 0100"),
        ("phone", "+55 11 1234"),
        ("random", "123e4567-e89b-12d3-a456-426614174000"),  # a version 1 UUID
        ("random", "not-a-uuid"),
    ],
)
def test_a_pix_key_that_does_not_fit_its_type_is_refused(key_type: str, key: str) -> None:
    with pytest.raises(InvalidPixKey) as caught:
        validate_pix_key(key_type, key)
    assert caught.value.msgid == "validation.pix_key"
    assert caught.value.params["key_type"] == key_type.lower()


def test_an_unknown_pix_key_type_is_refused() -> None:
    with pytest.raises(InvalidPixKeyType):
        validate_pix_key("iban", "PT50000201231234567890154")


# --- time zones, locales, currencies ----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("America/Sao_Paulo", "America/Sao_Paulo"),
        ("america/sao_paulo", "America/Sao_Paulo"),
        ("Europe/Lisbon", "Europe/Lisbon"),
        ("UTC", "UTC"),
        ("America/New York", "America/New_York"),
    ],
)
def test_an_iana_time_zone_name_is_accepted_in_its_canonical_spelling(
    typed: str, expected: str
) -> None:
    assert validate_timezone(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "Mars/Olympus", "GMT+25", "localtime", "São Paulo", "../etc/passwd"]
)
def test_an_unknown_time_zone_is_refused(typed: str) -> None:
    with pytest.raises(InvalidTimezone):
        validate_timezone(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("pt_BR", "pt_BR"),
        ("pt-br", "pt_BR"),
        ("pt", "pt_BR"),
        ("es", "es"),
        ("es-419", "es"),
    ],
)
def test_a_supported_locale_is_normalised(typed: str, expected: str) -> None:
    assert validate_locale(typed) == expected


@pytest.mark.parametrize("typed", ["", "fr", "de_DE", "english", "pt br!"])
def test_an_unsupported_locale_is_refused(typed: str) -> None:
    with pytest.raises(InvalidLocale):
        validate_locale(typed)


@pytest.mark.parametrize(("typed", "expected"), [("BRL", "BRL"), ("usd", "USD"), (" eur ", "EUR")])
def test_a_known_currency_code_is_uppercased(typed: str, expected: str) -> None:
    assert validate_currency(typed) == expected


@pytest.mark.parametrize("typed", ["", "BR", "REAL", "XYZ", "R$", "12A"])
def test_an_unknown_currency_code_is_refused(typed: str) -> None:
    with pytest.raises(InvalidCurrency):
        validate_currency(typed)


# --- money ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("150", 15000),
        ("150,00", 15000),
        ("150.00", 15000),
        ("R$ 150,50", 15050),
        ("R$150", 15000),
        ("1.234,56", 123456),
        ("1,234.56", 123456),
        ("1.234", 123400),
        ("1 234,56", 123456),
        ("$80.5", 8050),
        ("80,5", 8050),
        ("0,99", 99),
        ("US$ 1,000", 100000),
        ("€ 45", 4500),
        ("200 reais", 20000),
        ("R$ 1.234.567,89", 123456789),
    ],
)
def test_money_typed_by_users_becomes_integer_cents(typed: str, cents: int) -> None:
    assert parse_money(typed) == cents


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "-150",
        "150,",
        "1,2,3",
        "12.5.0",
        "1.23.456",
        "1.234,5,6",
        "1.2345",
        "R$",
        "0",
        "1e5",
    ],
)
def test_unreadable_negative_or_zero_money_is_refused(typed: str) -> None:
    with pytest.raises(InvalidMoney):
        parse_money(typed)


def test_zero_money_is_allowed_when_asked_and_huge_amounts_are_refused() -> None:
    assert parse_money("0", allow_zero=True) == 0
    with pytest.raises(InvalidMoney):
        parse_money("1.000.000.000.000")


# --- times of day -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9", time(9)),
        ("9:30", time(9, 30)),
        ("09:00", time(9)),
        ("14h", time(14)),
        ("14h30", time(14, 30)),
        ("14H30", time(14, 30)),
        ("2pm", time(14)),
        ("2:30 pm", time(14, 30)),
        ("2 p.m.", time(14)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("0", time(0)),
        ("23:59", time(23, 59)),
    ],
)
def test_a_time_of_day_typed_by_a_user_is_read(typed: str, expected: time) -> None:
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize("typed", ["", "abc", "24:00", "25", "9:60", "13pm", "0am", "9:5", "nine"])
def test_an_impossible_time_of_day_is_refused(typed: str) -> None:
    with pytest.raises(InvalidTimeOfDay):
        parse_time_of_day(typed)


# --- weekly availability ----------------------------------------------------------------


def windows(*spec: tuple[int, str, str]) -> list[WeeklyWindow]:
    def t(text: str) -> time:
        h, m = text.split(":")
        return time(int(h), int(m))

    return sorted(
        (WeeklyWindow(d, t(s), t(e)) for d, s, e in spec), key=lambda w: (w.weekday, w.start)
    )


MON_FRI_SPLIT = windows(
    *[(d, "09:00", "12:00") for d in range(1, 6)],
    *[(d, "14:00", "18:00") for d in range(1, 6)],
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mon-fri 9-12, 14-18", MON_FRI_SPLIT),
        ("seg-sex 9-12 14-18", MON_FRI_SPLIT),
        ("Segunda a Sexta 9h-12h e 14h-18h", MON_FRI_SPLIT),
        ("lun a vie 9-13", windows(*[(d, "09:00", "13:00") for d in range(1, 6)])),
        ("de segunda a sexta das 9 às 18", windows(*[(d, "09:00", "18:00") for d in range(1, 6)])),
        (
            "mon, wed, fri 9am-12pm; sat 9-13",
            windows(
                (1, "09:00", "12:00"),
                (3, "09:00", "12:00"),
                (5, "09:00", "12:00"),
                (6, "09:00", "13:00"),
            ),
        ),
        ("sáb 9-12, dom 10-11", windows((0, "10:00", "11:00"), (6, "09:00", "12:00"))),
        ("sábado y domingo 10:00 a 14:30", windows((0, "10:00", "14:30"), (6, "10:00", "14:30"))),
        ("terça e quinta 13h30-17h30", windows((2, "13:30", "17:30"), (4, "13:30", "17:30"))),
        ("miércoles 8 a 12", windows((3, "08:00", "12:00"))),
        (
            "fri-mon 9-10",
            windows(
                (0, "09:00", "10:00"),
                (1, "09:00", "10:00"),
                (5, "09:00", "10:00"),
                (6, "09:00", "10:00"),
            ),
        ),
        ("weekdays 9-17", windows(*[(d, "09:00", "17:00") for d in range(1, 6)])),
        ("fim de semana 8-12", windows((0, "08:00", "12:00"), (6, "08:00", "12:00"))),
        ("mon 9-12 11-14", windows((1, "09:00", "14:00"))),
        ("fri 18-24", windows((5, "18:00", "00:00"))),
    ],
)
def test_weekly_availability_text_becomes_weekly_windows(
    typed: str, expected: list[WeeklyWindow]
) -> None:
    assert parse_weekly_availability(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "banana", "mon-fri", "9-12", "mon 12-9", "mon 9-25", "mon-", "mon 9-12 banana"]
)
def test_unreadable_weekly_availability_is_refused(typed: str) -> None:
    with pytest.raises(InvalidAvailability):
        parse_weekly_availability(typed)


# --- pydantic ---------------------------------------------------------------------------


class Signup(BaseModel):
    name: PersonName
    phone: Phone
    email: Email
    timezone: TimezoneName
    price: MoneyCents
    opens: TimeOfDay


def test_annotated_types_normalise_values_in_a_pydantic_model() -> None:
    signup = Signup(
        name="  Ana  Souza ",
        phone="(11) 91234-5678",
        email="Ana@Example.com",
        timezone="america/sao_paulo",
        price="R$ 150,50",
        opens="9h30",
    )
    assert signup.name == "Ana Souza"
    assert signup.phone == "+5511912345678"
    assert signup.email == "Ana@example.com"
    assert signup.timezone == "America/Sao_Paulo"
    assert signup.price == 15050
    assert signup.opens == time(9, 30)


def test_a_pydantic_error_carries_the_msgid_and_converts_back_to_the_domain_error() -> None:
    with pytest.raises(ValidationError) as caught:
        Signup(
            name="Ana",
            phone="not a phone",
            email="ana@example.com",
            timezone="UTC",
            price="10",
            opens="9",
        )
    assert caught.value.errors()[0]["type"] == "validation.phone"
    error = invalid_input_from(caught.value)
    assert isinstance(error, InvalidPhone)
    assert error.params["field"] == "phone"


def test_a_plain_pydantic_error_converts_to_a_generic_invalid_input() -> None:
    with pytest.raises(ValidationError) as caught:
        Signup.model_validate({"name": "Ana"})
    error = invalid_input_from(caught.value)
    assert type(error) is InvalidInput
    assert error.params["field"] == "phone"


@pytest.mark.parametrize(
    ("error", "msgid"),
    [
        (InvalidName, "validation.name"),
        (InvalidPhone, "validation.phone"),
        (InvalidEmail, "validation.email"),
        (InvalidSlug, "validation.slug"),
        (InvalidCpf, "validation.cpf"),
        (InvalidCnpj, "validation.cnpj"),
        (InvalidPixKeyType, "validation.pix_key_type"),
        (InvalidPixKey, "validation.pix_key"),
        (InvalidTimezone, "validation.timezone"),
        (InvalidLocale, "validation.locale"),
        (InvalidCurrency, "validation.currency"),
        (InvalidMoney, "validation.money"),
        (InvalidTimeOfDay, "validation.time_of_day"),
        (InvalidAvailability, "validation.availability"),
    ],
)
def test_every_validation_error_is_invalid_input_with_its_own_msgid(
    error: type[InvalidInput], msgid: str
) -> None:
    assert issubclass(error, InvalidInput)
    assert error.msgid == msgid
