"""Validation and normalisation of what users type: names, phones, e-mails, Pix keys...

Every check is a plain function that returns the normalised value or raises an
`InvalidInput` subclass with its own msgid (params: `field`, `value`, sometimes more).
For pydantic models the same checks are offered as annotated types (`PersonName`,
`Phone`, `Email`...): pydantic reports them as errors whose `type` is the msgid, and
`invalid_input_from` turns a `ValidationError` back into the domain error.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import time
from decimal import Decimal
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from core.errors import N_, InvalidInput
from core.scheduling.lexicon import WEEKDAYS, fold, parse_clock
from core.scheduling.types import MIDNIGHT, WeeklyWindow

__all__ = [
    "PIX_KEY_TYPES",
    "SUPPORTED_LOCALES",
    "BusinessName",
    "CurrencyCode",
    "Email",
    "InvalidAvailability",
    "InvalidCnpj",
    "InvalidCpf",
    "InvalidCurrency",
    "InvalidEmail",
    "InvalidLocale",
    "InvalidMoney",
    "InvalidName",
    "InvalidPhone",
    "InvalidPixKey",
    "InvalidPixKeyType",
    "InvalidPixKeyUnrecognised",
    "InvalidSlug",
    "InvalidTimeOfDay",
    "InvalidTimezone",
    "Locale",
    "MoneyCents",
    "PersonName",
    "Phone",
    "Slug",
    "TimeOfDay",
    "TimezoneName",
    "detect_pix_key_type",
    "invalid_input_from",
    "is_valid_slug",
    "parse_money",
    "parse_time_of_day",
    "parse_weekly_availability",
    "slugify",
    "validate_cnpj",
    "validate_cpf",
    "validate_currency",
    "validate_email",
    "validate_locale",
    "validate_name",
    "validate_phone",
    "validate_pix_key",
    "validate_slug",
    "validate_timezone",
]


class InvalidName(InvalidInput):
    """A name is empty, longer than 120 characters or contains control characters."""

    msgid = N_("validation.name")


class InvalidPhone(InvalidInput):
    """A phone number cannot be read as E.164 with 8 to 15 digits."""

    msgid = N_("validation.phone")


class InvalidEmail(InvalidInput):
    """An e-mail address is malformed or too long."""

    msgid = N_("validation.email")


class InvalidSlug(InvalidInput):
    """A slug is not lowercase a-z, 0-9 and inner hyphens, at most 64 characters."""

    msgid = N_("validation.slug")


class InvalidCpf(InvalidInput):
    """A CPF does not have 11 digits or its check digits are wrong."""

    msgid = N_("validation.cpf")


class InvalidCnpj(InvalidInput):
    """A CNPJ does not have 14 characters or its check digits are wrong."""

    msgid = N_("validation.cnpj")


class InvalidPixKeyType(InvalidInput):
    """The Pix key type is not one of cpf, cnpj, email, phone, random."""

    msgid = N_("validation.pix_key_type")


class InvalidPixKey(InvalidInput):
    """A Pix key does not fit its type (params: key_type)."""

    msgid = N_("validation.pix_key")


class InvalidPixKeyUnrecognised(InvalidInput):
    """A Pix key given without its type looks like none of the five kinds."""

    msgid = N_("validation.pix_key_unrecognised")


class InvalidTimezone(InvalidInput):
    """Not an IANA time zone name."""

    msgid = N_("validation.timezone")


class InvalidLocale(InvalidInput):
    """Not one of the supported locales."""

    msgid = N_("validation.locale")


class InvalidCurrency(InvalidInput):
    """Not an ISO 4217 currency code known to Babel."""

    msgid = N_("validation.currency")


class InvalidMoney(InvalidInput):
    """An amount of money cannot be read, is negative or is too large."""

    msgid = N_("validation.money")


class InvalidTimeOfDay(InvalidInput):
    """A time of day cannot be read ("9", "9:30", "14h30", "2pm" are fine)."""

    msgid = N_("validation.time_of_day")


class InvalidAvailability(InvalidInput):
    """Weekly availability text cannot be read (params: fragment)."""

    msgid = N_("validation.availability")


# --- names ------------------------------------------------------------------------------

NAME_MAX = 120


def validate_name(value: str, *, field: str = "name", max_length: int = NAME_MAX) -> str:
    """Trim a person or business name, collapse inner spaces, refuse control characters."""
    if not isinstance(value, str):
        raise InvalidName(field=field, value=value)
    # Newlines and tabs are refused rather than collapsed: names go into one-line labels.
    if any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in value.strip()):
        raise InvalidName(field=field, value=value)
    name = " ".join(value.split())
    if not 1 <= len(name) <= max_length:
        raise InvalidName(field=field, value=value, max_length=max_length)
    return name


# --- phones -----------------------------------------------------------------------------

_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-/]+$")


def validate_phone(value: str, *, default_country: str = "55", field: str = "phone") -> str:
    """Normalise a phone number to E.164 ("+5511912345678"), adding `default_country`."""
    if not isinstance(value, str) or not _PHONE_CHARS.match(value.strip()):
        raise InvalidPhone(field=field, value=value)
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        national = None
    elif digits.startswith("00"):
        digits, national = digits[2:], None
    else:
        # A leading 0 is a trunk prefix (e.g. "011 91234-5678"), not part of the number.
        national = digits.lstrip("0")
    if national is not None:
        if not default_country.isdigit() or not 1 <= len(default_country) <= 3:
            raise ValueError(f"bad default country code: {default_country!r}")
        digits = default_country + national
    if not 8 <= len(digits) <= 15 or digits.startswith("0"):
        raise InvalidPhone(field=field, value=value)
    return "+" + digits


# --- e-mail -----------------------------------------------------------------------------

_EMAIL = re.compile(
    r"^(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}))$"
)


def validate_email(value: str, *, field: str = "email", max_length: int = 254) -> str:
    """Check an e-mail address (dot-atom local part, real domain) and lowercase its domain."""
    if not isinstance(value, str):
        raise InvalidEmail(field=field, value=value)
    text = value.strip()
    match = _EMAIL.match(text)
    if match is None or len(text) > max_length or len(match["local"]) > 64:
        raise InvalidEmail(field=field, value=value)
    return f"{match['local']}@{match['domain'].lower()}"


# --- slugs ------------------------------------------------------------------------------

SLUG_MAX = 64
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(name: str, *, max_length: int = SLUG_MAX) -> str:
    """Make a link-safe slug from a name: "Clínica São João" -> "clinica-sao-joao"."""
    folded = fold(name.replace("ß", "ss").replace("æ", "ae").replace("ø", "o"))
    slug = re.sub(r"[^a-z0-9]+", "-", folded.encode("ascii", "ignore").decode()).strip("-")
    slug = slug[:max_length].rstrip("-")
    if not slug:
        raise InvalidSlug(field="slug", value=name)
    return slug


def is_valid_slug(value: str) -> bool:
    """Whether `value` is a slug: a-z, 0-9, inner single hyphens, at most 64 characters."""
    # Also a valid Telegram deep-link payload, whose alphabet is A-Za-z0-9_- up to 64.
    return isinstance(value, str) and len(value) <= SLUG_MAX and bool(_SLUG.match(value))


def validate_slug(value: str, *, field: str = "slug") -> str:
    """Return `value` if it is a valid slug, else raise InvalidSlug."""
    if not is_valid_slug(value):
        raise InvalidSlug(field=field, value=value)
    return value


# --- Brazilian documents and Pix keys ---------------------------------------------------


def _cpf_check_digits(base: str) -> str:
    digits = [int(c) for c in base]
    for _ in range(2):
        weight = len(digits) + 1
        total = sum(d * (weight - i) for i, d in enumerate(digits))
        rest = total % 11
        digits.append(0 if rest < 2 else 11 - rest)
    return "".join(str(d) for d in digits[-2:])


def validate_cpf(value: str, *, field: str = "cpf") -> str:
    """Check a CPF ("123.456.789-09") and return its 11 digits."""
    text = value.strip() if isinstance(value, str) else ""
    if not re.fullmatch(r"\d{3}\.?\d{3}\.?\d{3}-?\d{2}", text):
        raise InvalidCpf(field=field, value=value)
    digits = re.sub(r"\D", "", text)
    # Repeated digits pass the arithmetic but are not issued.
    if len(set(digits)) == 1 or _cpf_check_digits(digits[:9]) != digits[9:]:
        raise InvalidCpf(field=field, value=value)
    return digits


_CNPJ_WEIGHTS = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


def _cnpj_check_digits(base: str) -> str:
    # Letters count as their ASCII code minus 48, as in the alphanumeric CNPJ (2026).
    values = [ord(c) - 48 for c in base]
    for _ in range(2):
        weights = _CNPJ_WEIGHTS[-len(values) :]
        rest = sum(v * w for v, w in zip(values, weights, strict=True)) % 11
        values.append(0 if rest < 2 else 11 - rest)
    return "".join(str(v) for v in values[-2:])


def validate_cnpj(value: str, *, field: str = "cnpj") -> str:
    """Check a CNPJ, numeric or alphanumeric ("12.ABC.345/01DE-35"); return 14 characters."""
    text = value.strip().upper() if isinstance(value, str) else ""
    if not re.fullmatch(r"[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}/?[0-9A-Z]{4}-?\d{2}", text):
        raise InvalidCnpj(field=field, value=value)
    chars = re.sub(r"[./-]", "", text)
    if len(set(chars)) == 1 or _cnpj_check_digits(chars[:12]) != chars[12:]:
        raise InvalidCnpj(field=field, value=value)
    return chars


PIX_KEY_TYPES = ("cpf", "cnpj", "email", "phone", "random")
_PIX_EMAIL_MAX = 77
_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def validate_pix_key(key_type: str, key: str) -> str:
    """Check a Pix key of `key_type` (cpf, cnpj, email, phone, random) and normalise it."""
    kind = key_type.strip().lower() if isinstance(key_type, str) else ""
    if kind not in PIX_KEY_TYPES:
        raise InvalidPixKeyType(field="pix_key_type", value=key_type)
    if not isinstance(key, str):
        raise InvalidPixKey(field="pix_key", value=key, key_type=kind)
    try:
        if kind == "cpf":
            return validate_cpf(key, field="pix_key")
        if kind == "cnpj":
            return validate_cnpj(key, field="pix_key")
        if kind == "email":
            # Pix stores e-mail keys in lowercase, up to 77 characters.
            return validate_email(key, field="pix_key", max_length=_PIX_EMAIL_MAX).lower()
        if kind == "phone":
            return _pix_phone(key)
        normalised = key.strip().lower()
        if not _UUID4.match(normalised):
            raise InvalidPixKey(field="pix_key", value=key, key_type=kind)
        return str(uuid.UUID(normalised))
    except InvalidInput as exc:
        if isinstance(exc, InvalidPixKey):
            raise
        raise InvalidPixKey(field="pix_key", value=key, key_type=kind) from exc


_UUID_SHAPE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def detect_pix_key_type(key: str) -> str:
    """Tell the type of a Pix key given alone: e-mail, +phone, UUID, CPF or CNPJ.

    Eleven digits are a CPF when its check digits hold, else a phone: the few phone
    numbers that happen to pass the CPF arithmetic need their type given explicitly.
    """
    text = key.strip() if isinstance(key, str) else ""
    compact = re.sub(r"[\s().\-/]", "", text)
    if "@" in text:
        return "email"
    if text.startswith("+"):
        return "phone"
    if _UUID_SHAPE.match(text.lower()):
        return "random"
    if re.fullmatch(r"\d{11}", compact):
        try:
            validate_cpf(compact)
            return "cpf"
        except InvalidCpf:
            return "phone"
    if re.fullmatch(r"[0-9A-Za-z]{12}\d{2}", compact):
        return "cnpj"
    if re.fullmatch(r"\d{10}", compact):
        return "phone"
    raise InvalidPixKeyUnrecognised(field="pix_key", value=key)


def _pix_phone(key: str) -> str:
    phone = validate_phone(key, default_country="55", field="pix_key")
    # +55, a two-digit area code (11-99), then 8 digits (landline) or 9 starting with 9.
    if not re.fullmatch(r"\+55[1-9][1-9](?:9\d{8}|[2-5]\d{7})", phone):
        raise InvalidPixKey(field="pix_key", value=key, key_type="phone")
    return phone


# --- time zones, locales, currencies ----------------------------------------------------


@cache
def _time_zones() -> dict[str, str]:
    names = zoneinfo.available_timezones() - {"Factory", "localtime", "posixrules"}
    return {name.lower(): name for name in names if not name.startswith(("posix/", "right/"))}


def validate_timezone(value: str, *, field: str = "timezone") -> str:
    """Return the canonical spelling of an IANA zone name ("america/sao_paulo" is accepted)."""
    name = value.strip().replace(" ", "_") if isinstance(value, str) else ""
    canonical = _time_zones().get(name.lower())
    if canonical is None:
        raise InvalidTimezone(field=field, value=value)
    return canonical


SUPPORTED_LOCALES = ("en", "pt_BR", "es")
_LOCALE_BY_LANGUAGE = {"en": "en", "pt": "pt_BR", "es": "es"}


def validate_locale(value: str, *, field: str = "locale") -> str:
    """Map "pt-BR", "pt_br", "pt", "en-US", "es-419"... to one of en, pt_BR, es."""
    text = value.strip().replace("-", "_") if isinstance(value, str) else ""
    language = text.split("_")[0].lower()
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:_[A-Za-z0-9]{2,8})*", text) or (
        language not in _LOCALE_BY_LANGUAGE
    ):
        raise InvalidLocale(field=field, value=value)
    return _LOCALE_BY_LANGUAGE[language]


@cache
def _currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def validate_currency(value: str, *, field: str = "currency") -> str:
    """Return an ISO 4217 code known to Babel, uppercased ("brl" -> "BRL")."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if not re.fullmatch(r"[A-Z]{3}", code) or code not in _currencies():
        raise InvalidCurrency(field=field, value=value)
    return code


# --- money ------------------------------------------------------------------------------

_CURRENCY_MARKS = re.compile(
    r"^(?:r\$|us\$|u\$s|\$|€|£|brl|usd|eur|gbp)\s*|\s*(?:r\$|\$|€|£|brl|usd|eur|gbp|reais|real"
    r"|d[oó]lares|dollars?|euros?)$",
    re.IGNORECASE,
)
MONEY_MAX_CENTS = 100_000_000_00


def parse_money(
    value: str, *, field: str = "price", allow_zero: bool = False, max_cents: int = MONEY_MAX_CENTS
) -> int:
    """Read an amount typed by a user ("150", "R$ 150,50", "1.234,56", "$80.5") as cents."""
    text = value.strip() if isinstance(value, str) else ""
    for _ in range(2):
        text = _CURRENCY_MARKS.sub("", text).strip()
    text = text.replace(" ", "").replace("\u00a0", "")
    cents = _amount_cents(text)
    if cents is None or cents > max_cents or (cents == 0 and not allow_zero):
        raise InvalidMoney(field=field, value=value)
    return cents


def _amount_cents(text: str) -> int | None:
    if not re.fullmatch(r"\d[\d.,]*", text):
        return None
    seps = [c for c in text if c in ".,"]
    if not seps:
        return int(text) * 100
    decimal_sep: str | None
    group_sep: str | None
    if len(set(seps)) == 2:
        decimal_sep = text[max(text.rfind("."), text.rfind(","))]
        group_sep = "," if decimal_sep == "." else "."
        if seps.count(decimal_sep) != 1:
            return None
    elif len(seps) > 1:
        decimal_sep, group_sep = None, seps[0]
    else:
        # One separator: three digits after it group thousands ("1.234"), else decimals.
        digits_after = len(text) - text.find(seps[0]) - 1
        decimal_sep, group_sep = (None, seps[0]) if digits_after == 3 else (seps[0], None)
    whole, _, fraction = text.partition(decimal_sep) if decimal_sep else (text, "", "")
    if group_sep:
        if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group_sep)}\d{{3}})*", whole):
            return None
        whole = whole.replace(group_sep, "")
    if not whole.isdigit() or (decimal_sep and not re.fullmatch(r"\d{1,2}", fraction)):
        return None
    return int((Decimal(f"{whole}.{fraction or 0}") * 100).to_integral_value())


# --- times of day and weekly availability -----------------------------------------------


def parse_time_of_day(value: str, *, field: str = "time") -> time:
    """Read a time of day typed by a user ("9", "9:30", "14h", "14h30", "2pm", "09:00")."""
    parsed = parse_clock(value) if isinstance(value, str) and len(value) <= 20 else None
    if parsed is None:
        raise InvalidTimeOfDay(field=field, value=value)
    return parsed


_ALL_WEEKDAYS = {
    fold(word).replace("-", " "): n for table in WEEKDAYS.values() for word, n in table.items()
}
# Two-letter Spanish abbreviations and group names, only meaningful in availability text.
_ALL_WEEKDAYS.update({"lu": 1, "ma": 2, "mi": 3, "ju": 4, "vi": 5, "sa": 6, "do": 0})
_DAY_GROUPS = {
    "weekdays": (1, 2, 3, 4, 5),
    "dias uteis": (1, 2, 3, 4, 5),
    "dias de semana": (1, 2, 3, 4, 5),
    "entre semana": (1, 2, 3, 4, 5),
    "dias laborables": (1, 2, 3, 4, 5),
    "weekend": (6, 0),
    "weekends": (6, 0),
    "fim de semana": (6, 0),
    "fins de semana": (6, 0),
    "fin de semana": (6, 0),
    "every day": (0, 1, 2, 3, 4, 5, 6),
    "everyday": (0, 1, 2, 3, 4, 5, 6),
    "daily": (0, 1, 2, 3, 4, 5, 6),
    "todos os dias": (0, 1, 2, 3, 4, 5, 6),
    "todos los dias": (0, 1, 2, 3, 4, 5, 6),
    "diario": (0, 1, 2, 3, 4, 5, 6),
}


def _words_pattern(words: Iterable[str]) -> str:
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in ordered)


_CLOCK_TEXT = r"\d{1,2}(?:\s*(?::|h)\s*\d{2})?(?:\s*(?:am|pm|h|hs|hrs))?"
_RANGE_SEP = r"\s*(?:-|to|until|till|a|as|ate|hasta)\s*"
_TOKEN = re.compile(
    rf"(?P<range>(?P<from>{_CLOCK_TEXT}){_RANGE_SEP}(?P<to>{_CLOCK_TEXT}))(?![\d:])"
    rf"|(?P<group>\b(?:{_words_pattern(_DAY_GROUPS)})\b)"
    rf"|(?P<day>\b(?:{_words_pattern(_ALL_WEEKDAYS)})\b\.?)"
    r"|(?P<dash>-|\bto\b|\ba\b|\bas\b|\bate\b|\bal\b|\bthrough\b|\bthru\b)"
    r"|(?P<sep>,|;|/|\band\b|\be\b|\by\b|&|\+|\bfrom\b|\bde\b|\bdas\b|\bthe\b|\bon\b)"
    r"|(?P<space>\s+)",
)


def _day_range(first: int, last: int) -> list[int]:
    days = [first]
    while days[-1] != last:
        days.append((days[-1] + 1) % 7)
    return days


def parse_weekly_availability(value: str, *, field: str = "availability") -> list[WeeklyWindow]:
    """Read "mon-fri 9-12, 14-18; sat 9-13" (or pt/es wording) as sorted weekly windows."""
    text = fold(value).strip() if isinstance(value, str) else ""
    text = text.replace("–", "-").replace("—", "-").replace("\n", ";")
    if not text or len(text) > 500:
        raise InvalidAvailability(field=field, value=value, fragment=value)

    # Each run of days is followed by the time ranges that apply to it.
    groups: list[tuple[list[int], list[tuple[time, time]]]] = []
    days: list[int] = []
    ranges: list[tuple[time, time]] = []
    pending_range_from: int | None = None
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise InvalidAvailability(field=field, value=value, fragment=text[pos : pos + 20])
        pos = m.end()
        if m["range"]:
            if not days:
                raise InvalidAvailability(field=field, value=value, fragment=m["range"])
            start = parse_clock(m["from"])
            end = parse_clock(m["to"], allow_24=True)
            if start is None or end is None or not (start < end or end == MIDNIGHT):
                raise InvalidAvailability(field=field, value=value, fragment=m["range"])
            ranges.append((start, end))
        elif m["group"] or m["day"]:
            if ranges:
                groups.append((days, ranges))
                days, ranges = [], []
            if m["group"]:
                days.extend(_DAY_GROUPS[re.sub(r"[\s-]+", " ", m["group"])])
            else:
                day = _ALL_WEEKDAYS[re.sub(r"[\s-]+", " ", m["day"].rstrip("."))]
                if pending_range_from is not None:
                    days.extend(_day_range(pending_range_from, day)[1:])
                    pending_range_from = None
                else:
                    days.append(day)
        elif m["dash"]:
            if not days or ranges or pending_range_from is not None:
                raise InvalidAvailability(field=field, value=value, fragment=m["dash"])
            pending_range_from = days[-1]
    if pending_range_from is not None or not days or not ranges:
        raise InvalidAvailability(field=field, value=value, fragment=value)
    groups.append((days, ranges))

    per_day: dict[int, list[tuple[time, time]]] = {}
    for group_days, group_ranges in groups:
        for day in group_days:
            per_day.setdefault(day, []).extend(group_ranges)
    windows = []
    for day in sorted(per_day):
        for start, end in _merge(per_day[day]):
            windows.append(WeeklyWindow(day, start, end))
    return windows


def _merge(ranges: list[tuple[time, time]]) -> list[tuple[time, time]]:
    """Merge overlapping or touching ranges; an end of 00:00 means midnight."""
    as_minutes = sorted(
        (s.hour * 60 + s.minute, 1440 if e == MIDNIGHT else e.hour * 60 + e.minute)
        for s, e in ranges
    )
    merged: list[list[int]] = []
    for start, end in as_minutes:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [
        (time(s // 60, s % 60), MIDNIGHT if e == 1440 else time(e // 60, e % 60)) for s, e in merged
    ]


# --- pydantic integration ---------------------------------------------------------------

_ERRORS_BY_MSGID: dict[str, type[InvalidInput]] = {
    cls.msgid: cls
    for cls in (
        InvalidName,
        InvalidPhone,
        InvalidEmail,
        InvalidSlug,
        InvalidCpf,
        InvalidCnpj,
        InvalidPixKeyType,
        InvalidPixKey,
        InvalidPixKeyUnrecognised,
        InvalidTimezone,
        InvalidLocale,
        InvalidCurrency,
        InvalidMoney,
        InvalidTimeOfDay,
        InvalidAvailability,
    )
}


def _pydantic(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Wrap a check so pydantic reports its domain error with the msgid as error type."""

    def run(value: Any) -> Any:
        try:
            return check(value)
        except InvalidInput as exc:
            raise PydanticCustomError(exc.msgid, exc.msgid, dict(exc.params)) from exc

    return run


PersonName = Annotated[str, AfterValidator(_pydantic(validate_name))]
BusinessName = Annotated[str, AfterValidator(_pydantic(validate_name))]
Phone = Annotated[str, AfterValidator(_pydantic(validate_phone))]
Email = Annotated[str, AfterValidator(_pydantic(validate_email))]
Slug = Annotated[str, AfterValidator(_pydantic(validate_slug))]
TimezoneName = Annotated[str, AfterValidator(_pydantic(validate_timezone))]
Locale = Annotated[str, AfterValidator(_pydantic(validate_locale))]
CurrencyCode = Annotated[str, AfterValidator(_pydantic(validate_currency))]
MoneyCents = Annotated[
    int, BeforeValidator(_pydantic(lambda v: v if isinstance(v, int) else parse_money(v)))
]
TimeOfDay = Annotated[
    time, BeforeValidator(_pydantic(lambda v: v if isinstance(v, time) else parse_time_of_day(v)))
]


def invalid_input_from(exc: ValidationError) -> InvalidInput:
    """The domain error for the first problem in a pydantic ValidationError."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    params = {k: v for k, v in (first.get("ctx") or {}).items() if k != "field"}
    cls = _ERRORS_BY_MSGID.get(first["type"])
    if cls is None:
        return InvalidInput(field=field, value=first.get("input"), reason=first["type"])
    return cls(**{**params, "field": field})
