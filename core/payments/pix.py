"""Pix "copia e cola": the static BR Code payload (EMV QRCPS-MPM) and its QR image.

The payload is a run of TLV fields (two-digit id, two-digit length, value), as the
Banco Central's "Manual de Padrões para Iniciação do Pix" lays out:

    00 payload format indicator "01"
    26 merchant account information: 00 GUI "br.gov.bcb.pix", 01 the key, 02 a description
    52 merchant category code ("0000": not given)
    53 currency, ISO 4217 numeric: 986 (BRL)
    54 amount, optional, "12.34"
    58 country "BR"
    59 merchant name, up to 25 characters
    60 merchant city, up to 15 characters
    62 additional data: 05 the txid, "***" when there is none
    63 CRC16-CCITT-FALSE (poly 0x1021, init 0xFFFF) over everything up to and including "6304"

`build` validates and folds what a professional typed; `payload` encodes values that are
already clean (the manual's own examples use a key our validator refuses); `parse` reads
a payload back and checks its CRC. Lengths count characters: everything we emit is ASCII.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import segno

from core.errors import N_, InvalidInput
from core.validation import detect_pix_key_type, validate_pix_key

__all__ = [
    "CITY_MAX",
    "DESCRIPTION_MAX",
    "NAME_MAX",
    "PIX_GUI",
    "TXID_MAX",
    "BrCode",
    "InvalidBrCode",
    "InvalidPixAmount",
    "InvalidPixCity",
    "InvalidPixName",
    "InvalidPixTxid",
    "build",
    "crc16",
    "fold_text",
    "parse",
    "payload",
    "qr_png",
]

PIX_GUI = "br.gov.bcb.pix"
NAME_MAX = 25
CITY_MAX = 15
TXID_MAX = 25
# Field 26 holds at most 99 characters: GUI (18) + key (4 + up to 77) + description.
_ACCOUNT_INFO_MAX = 99
DESCRIPTION_MAX = _ACCOUNT_INFO_MAX - 18 - 4 - 4
# Field 54 is at most 13 characters: "9999999999.99".
AMOUNT_MAX_CENTS = 999_999_999_999
_NO_TXID = "***"
_TXID = re.compile(r"^[A-Za-z0-9]{1,25}$")
_AMOUNT = re.compile(r"^(\d{1,10})(?:\.(\d{1,2}))?$")


class InvalidPixName(InvalidInput):
    """The receiver's name has no letter or digit left once folded to plain ASCII."""

    msgid = N_("pix.name")


class InvalidPixCity(InvalidInput):
    """The receiver's city has no letter or digit left once folded to plain ASCII."""

    msgid = N_("pix.city")


class InvalidPixTxid(InvalidInput):
    """A txid that is not 1 to 25 letters and digits (params: max_length)."""

    msgid = N_("pix.txid")


class InvalidPixAmount(InvalidInput):
    """An amount of zero, negative or too large for field 54 (params: max)."""

    msgid = N_("pix.amount")


class InvalidBrCode(InvalidInput):
    """Text that is not a well-formed Pix BR Code (params: reason)."""

    msgid = N_("pix.brcode_invalid")


# --- CRC and TLV ------------------------------------------------------------------------


def crc16(data: str | bytes) -> str:
    """CRC16-CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection) as four uppercase hex."""
    crc = 0xFFFF
    for byte in data.encode() if isinstance(data, str) else data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"field {tag} is {len(value)} characters, at most 99 fit")
    return f"{tag}{len(value):02d}{value}"


def _read_tlvs(text: str, where: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        head = text[pos : pos + 4]
        if len(head) < 4 or not head.isdigit():
            raise InvalidBrCode(reason=f"bad field header at {where}:{pos}")
        tag, length = head[:2], int(head[2:])
        value = text[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise InvalidBrCode(reason=f"field {tag} in {where} is cut short")
        if tag in fields:
            raise InvalidBrCode(reason=f"field {tag} repeated in {where}")
        fields[tag] = value
        pos += 4 + length
    return fields


# --- folding what people type -----------------------------------------------------------

# Letters NFKD does not decompose into ASCII plus accents.
_SPELLED_OUT = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
    }
)


def fold_text(text: str, max_length: int) -> str:
    """Fold to printable ASCII without accents ("São João" -> "Sao Joao"), then cut.

    The EMV fields are "ans" (printable ASCII); the manual's own example keeps mixed
    case ("Fulano de Tal"), so case is left as typed. Characters with no ASCII form
    (emoji, other scripts) are dropped; runs of spaces become one.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED_OUT))
    plain = "".join(
        c if " " <= c <= "~" else " " for c in decomposed if not unicodedata.combining(c)
    )
    return " ".join(plain.split())[:max_length].rstrip()


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


# --- building ---------------------------------------------------------------------------


def _amount_text(amount_cents: int) -> str:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise InvalidPixAmount(field="amount", value=amount_cents, max=AMOUNT_MAX_CENTS)
    if not 0 < amount_cents <= AMOUNT_MAX_CENTS:
        raise InvalidPixAmount(field="amount", value=amount_cents, max=AMOUNT_MAX_CENTS)
    return f"{amount_cents // 100}.{amount_cents % 100:02d}"


def payload(
    *,
    key: str,
    name: str,
    city: str,
    amount_cents: int | None = None,
    txid: str | None = None,
    description: str | None = None,
    mcc: str = "0000",
) -> str:
    """Encode already clean values as a static BR Code, CRC included (no key checks)."""
    account = _tlv("00", PIX_GUI) + _tlv("01", key)
    if description:
        account += _tlv("02", description)
    if txid is not None and not _TXID.match(txid):
        raise InvalidPixTxid(field="txid", value=txid, max_length=TXID_MAX)
    if not re.fullmatch(r"\d{4}", mcc):
        raise ValueError(f"merchant category code must be 4 digits, not {mcc!r}")
    parts = [
        _tlv("00", "01"),
        _tlv("26", account),
        _tlv("52", mcc),
        _tlv("53", "986"),
    ]
    if amount_cents is not None:
        parts.append(_tlv("54", _amount_text(amount_cents)))
    parts += [
        _tlv("58", "BR"),
        _tlv("59", name),
        _tlv("60", city),
        _tlv("62", _tlv("05", txid or _NO_TXID)),
    ]
    body = "".join(parts) + "6304"
    return body + crc16(body)


def build(
    *,
    key: str,
    name: str,
    city: str,
    key_type: str | None = None,
    amount_cents: int | None = None,
    txid: str | None = None,
    description: str | None = None,
) -> str:
    """The copia-e-cola payload for paying `key` (of `key_type`, or guessed from the key).

    The key is checked and normalised by its type; name and city are folded to ASCII
    and cut to 25 and 15 characters; the description is folded and cut to what fits
    in field 26 beside the key. `amount_cents` is integer centavos (None: the payer
    types the amount); `txid` is up to 25 letters and digits (None: "***").
    """
    kind = key_type if key_type is not None else detect_pix_key_type(key)
    clean_key = validate_pix_key(kind, key)
    clean_name = fold_text(name, NAME_MAX) if isinstance(name, str) else ""
    if not _has_word(clean_name):
        raise InvalidPixName(field="name", value=name, max_length=NAME_MAX)
    clean_city = fold_text(city, CITY_MAX) if isinstance(city, str) else ""
    if not _has_word(clean_city):
        raise InvalidPixCity(field="city", value=city, max_length=CITY_MAX)
    if txid is not None and not (isinstance(txid, str) and _TXID.match(txid)):
        raise InvalidPixTxid(field="txid", value=txid, max_length=TXID_MAX)
    room = _ACCOUNT_INFO_MAX - 18 - 4 - len(clean_key) - 4
    clean_description = fold_text(description, room) if description else ""
    return payload(
        key=clean_key,
        name=clean_name,
        city=clean_city,
        amount_cents=amount_cents,
        txid=txid,
        description=clean_description or None,
    )


# --- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BrCode:
    """What a BR Code says, as read back by `parse`."""

    key: str | None
    url: str | None
    description: str | None
    merchant_name: str
    merchant_city: str
    amount_cents: int | None
    txid: str | None
    merchant_category_code: str
    currency: str
    country: str
    postal_code: str | None
    point_of_initiation: str | None
    crc: str
    fields: Mapping[str, str] = field(repr=False)


def _pix_account(fields: Mapping[str, str]) -> dict[str, str]:
    # Templates 26 to 51 are merchant account information; Pix is the one with its GUI.
    for tag in sorted(fields):
        if "26" <= tag <= "51":
            sub = _read_tlvs(fields[tag], tag)
            if sub.get("00", "").lower() == PIX_GUI:
                return sub
    raise InvalidBrCode(reason="no merchant account information with br.gov.bcb.pix")


def _amount_cents(text: str) -> int:
    match = _AMOUNT.match(text)
    if match is None:
        raise InvalidBrCode(reason=f"bad amount {text!r}")
    whole, fraction = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(fraction)


def parse(text: str) -> BrCode:
    """Read a BR Code payload into its fields, checking structure and CRC."""
    if not isinstance(text, str):
        raise InvalidBrCode(reason="not text")
    code = text.strip()
    if len(code) < 8 or code[-8:-4] != "6304":
        raise InvalidBrCode(reason="no CRC field (6304) at the end")
    expected = crc16(code[:-4])
    if code[-4:].upper() != expected:
        raise InvalidBrCode(reason=f"CRC is {code[-4:]}, the payload gives {expected}")
    fields = _read_tlvs(code, "payload")
    if fields.get("00") != "01":
        raise InvalidBrCode(reason="payload format indicator is not 01")
    for tag in ("52", "53", "58", "59", "60"):
        if tag not in fields:
            raise InvalidBrCode(reason=f"mandatory field {tag} is missing")
    account = _pix_account(fields)
    extra = _read_tlvs(fields["62"], "62") if "62" in fields else {}
    txid = extra.get("05")
    return BrCode(
        key=account.get("01"),
        url=account.get("25"),
        description=account.get("02"),
        merchant_name=fields["59"],
        merchant_city=fields["60"],
        amount_cents=_amount_cents(fields["54"]) if "54" in fields else None,
        txid=None if txid in (None, _NO_TXID) else txid,
        merchant_category_code=fields["52"],
        currency=fields["53"],
        country=fields["58"],
        postal_code=fields.get("61"),
        point_of_initiation=fields.get("01"),
        crc=code[-4:].upper(),
        fields=fields,
    )


# --- QR image ---------------------------------------------------------------------------


def qr_png(code: str, *, scale: int = 8, border: int = 4) -> bytes:
    """The payload as a QR Code PNG (error correction M, at least), for bank apps to scan."""
    qr = segno.make(code, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=border)
    return out.getvalue()
