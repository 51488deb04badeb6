"""Words for days, months and times of day in English, Portuguese and Spanish.

Shared by the typed-time parser and the availability parser. Every table is keyed
by accent-folded lowercase text (see `fold`), so "sábado", "Sabado" and "SÁBADO"
all match. Weekdays use the schema's convention: 0 = Sunday .. 6 = Saturday.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import time

__all__ = [
    "LANGUAGES",
    "MONTHS",
    "NUMBER_WORDS",
    "WEEKDAYS",
    "fold",
    "hour_with_period",
    "normalize_language",
    "parse_clock",
]

LANGUAGES = ("en", "pt", "es")


def normalize_language(language: str) -> str:
    """Map "en", "pt", "pt-br", "pt_BR", "es", "es-AR"... to one of LANGUAGES."""
    primary = language.strip().lower().replace("_", "-").split("-")[0]
    if primary not in LANGUAGES:
        raise ValueError(f"unsupported language: {language!r}")
    return primary


def fold(text: str) -> str:
    """Lowercase `text` and strip its accents ("Amanhã às" -> "amanha as")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _expand(table: dict[int, tuple[str, ...]]) -> dict[str, int]:
    return {word: number for number, words in table.items() for word in words}


WEEKDAYS: dict[str, dict[str, int]] = {
    "en": _expand(
        {
            0: ("sunday", "sun"),
            1: ("monday", "mon"),
            2: ("tuesday", "tue", "tues"),
            3: ("wednesday", "wed"),
            4: ("thursday", "thu", "thur", "thurs"),
            5: ("friday", "fri"),
            6: ("saturday", "sat"),
        }
    ),
    "pt": _expand(
        {
            0: ("domingo", "dom"),
            1: ("segunda-feira", "segunda feira", "segunda", "seg"),
            2: ("terca-feira", "terca feira", "terca", "ter"),
            3: ("quarta-feira", "quarta feira", "quarta", "qua"),
            4: ("quinta-feira", "quinta feira", "quinta", "qui"),
            5: ("sexta-feira", "sexta feira", "sexta", "sex"),
            6: ("sabado", "sab"),
        }
    ),
    "es": _expand(
        {
            0: ("domingo", "dom"),
            1: ("lunes", "lun"),
            2: ("martes", "mar"),
            3: ("miercoles", "mie"),
            4: ("jueves", "jue"),
            5: ("viernes", "vie"),
            6: ("sabado", "sab"),
        }
    ),
}

MONTHS: dict[str, dict[str, int]] = {
    "en": _expand(
        {
            1: ("january", "jan"),
            2: ("february", "feb"),
            3: ("march", "mar"),
            4: ("april", "apr"),
            5: ("may",),
            6: ("june", "jun"),
            7: ("july", "jul"),
            8: ("august", "aug"),
            9: ("september", "sept", "sep"),
            10: ("october", "oct"),
            11: ("november", "nov"),
            12: ("december", "dec"),
        }
    ),
    "pt": _expand(
        {
            1: ("janeiro", "jan"),
            2: ("fevereiro", "fev"),
            3: ("marco", "mar"),
            4: ("abril", "abr"),
            5: ("maio", "mai"),
            6: ("junho", "jun"),
            7: ("julho", "jul"),
            8: ("agosto", "ago"),
            9: ("setembro", "set"),
            10: ("outubro", "out"),
            11: ("novembro", "nov"),
            12: ("dezembro", "dez"),
        }
    ),
    "es": _expand(
        {
            1: ("enero", "ene"),
            2: ("febrero", "feb"),
            3: ("marzo", "mar"),
            4: ("abril", "abr"),
            5: ("mayo", "may"),
            6: ("junio", "jun"),
            7: ("julio", "jul"),
            8: ("agosto", "ago"),
            9: ("septiembre", "setiembre", "sept", "sep", "set"),
            10: ("octubre", "oct"),
            11: ("noviembre", "nov"),
            12: ("diciembre", "dic"),
        }
    ),
}

NUMBER_WORDS: dict[str, dict[str, int]] = {
    "en": _expand(
        {
            1: ("one", "a", "an"),
            2: ("two",),
            3: ("three",),
            4: ("four",),
            5: ("five",),
            6: ("six",),
            7: ("seven",),
            8: ("eight",),
            9: ("nine",),
            10: ("ten",),
        }
    ),
    "pt": _expand(
        {
            1: ("um", "uma"),
            2: ("dois", "duas"),
            3: ("tres",),
            4: ("quatro",),
            5: ("cinco",),
            6: ("seis",),
            7: ("sete",),
            8: ("oito",),
            9: ("nove",),
            10: ("dez",),
        }
    ),
    "es": _expand(
        {
            1: ("un", "una", "uno"),
            2: ("dos",),
            3: ("tres",),
            4: ("cuatro",),
            5: ("cinco",),
            6: ("seis",),
            7: ("siete",),
            8: ("ocho",),
            9: ("nueve",),
            10: ("diez",),
        }
    ),
}

# "9", "9:30", "09.30", "14h", "14h30", "14 h", "2pm", "2:30 pm", "9 am", "14hs", "9hrs".
_CLOCK = re.compile(
    r"""^\s*(?P<h>\d{1,2})
        (?:\s*(?::|\.|h)\s*(?P<m>\d{2}))?
        \s*(?P<suffix>h|hs|hrs?|horas?|am|pm|a\.\s?m\.?|p\.\s?m\.?)?\s*$""",
    re.VERBOSE,
)


def hour_with_period(hour: int, period: str | None) -> int | None:
    """Apply "am"/"pm"/"night" to a 12-hour clock hour; None when the pair is impossible."""
    if period is None:
        return hour if 0 <= hour <= 23 else None
    if period == "am":
        if not 1 <= hour <= 12:
            return None
        return 0 if hour == 12 else hour
    if period == "pm":
        if hour > 12:
            # "14h da tarde" is redundant rather than wrong.
            return hour if hour <= 23 else None
        if hour == 0:
            return None
        return hour if hour == 12 else hour + 12
    if period == "night":
        # "8 da noite" is 20:00, "12 da noite" is midnight, "2 da noite" is 02:00.
        if hour == 12:
            return 0
        if 6 <= hour <= 11:
            return hour + 12
        return hour if hour <= 23 else None
    raise ValueError(period)


def parse_clock(text: str, *, allow_24: bool = False) -> time | None:
    """Read a whole string as a time of day ("9", "9:30", "14h30", "2pm"); None if not one."""
    match = _CLOCK.match(fold(text))
    if match is None:
        return None
    hour = int(match["h"])
    minute = int(match["m"] or 0)
    suffix = (match["suffix"] or "").replace(".", "").replace(" ", "")
    period = suffix if suffix in ("am", "pm") else None
    if minute > 59 or (period is not None and hour > 12):
        return None
    if allow_24 and period is None and hour == 24 and minute == 0:
        return time(0)
    resolved = hour_with_period(hour, period)
    if resolved is None:
        return None
    return time(resolved, minute)
