"""What a user types about when they want to come ("amanhã às 14h") -> an aware datetime.

How a phrase is read, in order:

1. The text is lowercased and accent-folded, so "Amanhã ÀS 14H" reads as "amanha as 14h".
2. Our own patterns take out, piece by piece: parts of the day ("da tarde", "de la
   noche", "pm"), noon and midnight, numeric and month-name dates, relative days
   ("amanhã", "pasado mañana", "in 2 days"), weekdays ("próxima segunda", "el viernes"),
   and clock times ("14h30", "at 9", "10am", "a las 5"). They are stricter and more
   predictable than dateparser for these everyday phrasings (dateparser alone reads
   "hoje 18h" as eighteen hours ago and "sexta-feira 10h" as a date years away).
3. What is left once filler words ("para", "please", "el") are dropped must be either
   nothing, a lone hour ("amanhã 14", "9"), or a date that dateparser, restricted to
   the user's language and anchored at the local `now`, understands ("1st of december").
   Anything else is `UnparseableTime`.

Resolution, always in the user's zone and preferring the future:

* a bare time is today if still ahead, else tomorrow;
* a bare weekday is the next such day: today only when a time still ahead today is
  given; "next"/"próxima"/"que vem" always means a later day;
* a numeric date is read in the order the reader sees dates (`date_order`, given by
  the caller: the bot shows "09/12" for 9 December in all three languages), unless
  only the other order makes a real date;
* a date without a year is its occurrence nearest to today, so one just gone is past
  rather than next year's; "dia 3"/"el 3" is the next 3rd of a month;
* an hour alone is read on the 24-hour clock ("9" is 09:00, "5" is 05:00): 17:00 needs
  "5pm", "5 da tarde" or "5 de la tarde";
* a wall time inside a spring-forward gap is shifted forward by the gap, like zoneinfo.

Past moments raise `TimeInPast`; a day without a time raises `TimeMissing` from
`parse_wanted_time` (use `parse_wanted_day` for that case). Horizon checks belong to
the booking service.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.scheduling.errors import TimeInPast, TimeMissing, UnparseableTime
from core.scheduling.lexicon import (
    LANGUAGES,
    MONTHS,
    NUMBER_WORDS,
    WEEKDAYS,
    fold,
    hour_with_period,
    normalize_language,
)
from core.scheduling.types import schema_weekday

__all__ = ["DATE_ORDERS", "nearest", "parse_wanted_day", "parse_wanted_time", "warm_up"]


def _alternation(words: Iterable[str]) -> str:
    # Longest first so "segunda-feira" wins over "segunda" and "sept" over "sep".
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+").replace(r"\-", r"[-\s]?") for w in ordered)


_FILLER = {
    "en": "at on the this for please pls i want would like to book an appointment session "
    "around about of o'clock oclock from",
    "pt": "as a o os no na em de do da das dos para por favor pode ser quero queria marcar "
    "agendar consulta sessao horario volta pelas pela lá la e às ao",
    "es": "a las la el los de del en para por favor quiero querria reservar cita sesion hora "
    "puede ser y al sobre eso",
}

_PERIODS = {
    "am": {
        "en": r"in\s+the\s+morning|morning",
        "pt": r"(?:da|de|pela|na)\s+manha|(?:da|de)\s+madrugada",
        "es": r"(?:de|por)\s+la\s+(?:manana|madrugada)|de\s+madrugada",
    },
    "pm": {
        "en": r"in\s+the\s+(?:afternoon|evening)|afternoon|evening",
        "pt": r"(?:da|de|pela|na|a)\s+tarde",
        "es": r"(?:de|por)\s+la\s+tarde",
    },
    "night": {
        "en": r"at\s+night",
        "pt": r"(?:da|de|pela|na|a)\s+noite",
        "es": r"(?:de|por)\s+la\s+noche",
    },
}

# Phrases that name today and a part of it at once.
_TODAY_PERIODS = {
    "en": {"pm": r"this\s+(?:afternoon|evening)", "night": r"tonight", "am": r"this\s+morning"},
    "pt": {"pm": r"esta\s+tarde", "night": r"esta\s+noite", "am": r"esta\s+manha"},
    "es": {"pm": r"esta\s+tarde", "night": r"esta\s+noche", "am": r"esta\s+manana"},
}

_NOON = r"meio[-\s]?dia|noon|midday|medio\s?dia"
_MIDNIGHT = r"meia[-\s]?noite|midnight|medianoche"
_HALF = r"(?:\s+(?:e|y)\s+(?P<half>meia|media|cuarto))?"

_RELATIVE_DAYS = {
    "en": [(2, r"(?:the\s+)?day\s+after\s+tomorrow"), (1, r"tomorrow|tmrw|tmr"), (0, r"today")],
    "pt": [(2, r"depois\s+de\s+amanha"), (1, r"amanha"), (0, r"hoje")],
    "es": [(2, r"pasado\s+manana"), (1, r"manana"), (0, r"hoy")],
}

_IN_PREFIX = {
    "en": r"in",
    "pt": r"em|daqui\s+a|daqui|dentro\s+de",
    "es": r"en|dentro\s+de",
}
_UNITS = {
    "en": (r"days?", r"weeks?", r"hours?|hrs?", r"minutes?|mins?"),
    "pt": (r"dias?", r"semanas?", r"horas?", r"minutos?"),
    "es": (r"dias?", r"semanas?", r"horas?", r"minutos?"),
}

_NEXT_BEFORE = {
    "en": r"next|coming",
    "pt": r"proxima|proximo",
    "es": r"proxima|proximo",
}
_THIS_BEFORE = {
    "en": r"this|on",
    "pt": r"nesta|neste|esta|este|na|no",
    "es": r"este|esta|el",
}
_NEXT_AFTER = {"en": r"next\s+week", "pt": r"que\s+vem", "es": r"que\s+viene"}

_TIME_MARKER = {
    "en": r"at|around|@",
    "pt": r"as|a|pelas|por\s+volta\s+das|@",
    "es": r"a\s+las|a\s+la|las|sobre\s+las|@",
}
_DOM_MARKER = {"en": r"(?:on\s+)?the", "pt": r"(?:no\s+)?dia", "es": r"(?:el\s+)?dia|el"}


@dataclass(frozen=True)
class _Grammar:
    periods: list[tuple[str, re.Pattern[str]]]
    today_periods: list[tuple[str, re.Pattern[str]]]
    noon: re.Pattern[str]
    midnight: re.Pattern[str]
    iso_date: re.Pattern[str]
    numeric_date: re.Pattern[str]
    day_month: re.Pattern[str]
    month_day: re.Pattern[str]
    in_n: re.Pattern[str]
    n_from_now: re.Pattern[str]
    relative_days: list[tuple[int, re.Pattern[str]]]
    weekday: re.Pattern[str]
    day_of_month: re.Pattern[str]
    clock: re.Pattern[str]
    am_pm: re.Pattern[str]
    hours: re.Pattern[str]
    half_past: re.Pattern[str]
    marked_hour: re.Pattern[str]
    filler: frozenset[str]
    numbers: dict[str, int]
    months: dict[str, int]
    weekdays: dict[str, int]
    days_unit: str
    weeks_unit: str
    hours_unit: str


def _compact(word: str) -> str:
    return re.sub(r"[-\s]+", "", word)


def _grammar(lang: str) -> _Grammar:
    # Looked up without separators so "segunda-feira", "segunda feira" and "segundafeira" agree.
    months = {_compact(w): n for w, n in MONTHS[lang].items()}
    weekdays = {_compact(w): n for w, n in WEEKDAYS[lang].items()}
    numbers = NUMBER_WORDS[lang]
    month_alt = _alternation(MONTHS[lang])
    weekday_alt = _alternation(WEEKDAYS[lang])
    number_alt = r"\d{1,3}|" + _alternation(numbers)
    days_u, weeks_u, hours_u, minutes_u = _UNITS[lang]
    unit_alt = f"{days_u}|{weeks_u}|{hours_u}|{minutes_u}"
    ordinal = r"(?:st|nd|rd|th|o|a|°)?"
    compile_ = re.compile
    return _Grammar(
        periods=[
            (name, compile_(rf"\b(?:{by_lang[lang]})\b")) for name, by_lang in _PERIODS.items()
        ],
        today_periods=[
            (name, compile_(rf"\b(?:{pattern})\b"))
            for name, pattern in _TODAY_PERIODS[lang].items()
        ],
        noon=compile_(rf"\b(?:(?:ao|a|al|at)\s+)?(?:{_NOON}){_HALF}\b"),
        midnight=compile_(rf"\b(?:(?:a|at)\s+)?(?:{_MIDNIGHT}){_HALF}\b"),
        iso_date=compile_(r"\b(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})\b"),
        numeric_date=compile_(
            r"\b(?P<a>\d{1,2})(?P<sep>[/-])(?P<b>\d{1,2})"
            r"(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?![\d:h])"
            # Dotted dates need a year: "10.30" is a time, "10.12.2026" a date.
            r"|\b(?P<a2>\d{1,2})\.(?P<b2>\d{1,2})\.(?P<y2>\d{4}|\d{2})\b"
        ),
        day_month=compile_(
            rf"\b(?:(?:{_DOM_MARKER[lang]})\s+)?(?P<d>\d{{1,2}}|primeiro){ordinal}"
            rf"\s*(?:(?:de|of)\s+)?(?P<month>{month_alt})\b\.?"
            r"(?:\s*(?:de\s+|del\s+|,\s*)?(?P<y>\d{4})\b)?"
        ),
        month_day=compile_(
            rf"\b(?P<month>{month_alt})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?![:h])"
            r"(?:,?\s*(?P<y>\d{4})\b)?"
        ),
        in_n=compile_(rf"\b(?:{_IN_PREFIX[lang]})\s+(?P<n>{number_alt})\s+(?P<unit>{unit_alt})\b"),
        n_from_now=compile_(
            rf"\b(?P<n>{number_alt})\s+(?P<unit>{unit_alt})\s+(?:from\s+(?:now|today))\b"
        ),
        relative_days=[(n, compile_(rf"\b(?:{p})\b")) for n, p in _RELATIVE_DAYS[lang]],
        weekday=compile_(
            rf"\b(?:(?P<next>{_NEXT_BEFORE[lang]})\s+|(?:{_THIS_BEFORE[lang]})\s+)?"
            rf"(?P<wd>{weekday_alt})\b\.?(?:\s+(?P<next_after>{_NEXT_AFTER[lang]})\b)?"
        ),
        day_of_month=compile_(
            rf"\b(?:{_DOM_MARKER[lang]})\s+(?P<d>\d{{1,2}}){ordinal}\b(?!\s*(?::|h\b|am|pm))"
        ),
        clock=compile_(
            r"\b(?P<h>\d{1,2})\s*(?::|h|\.)\s*(?P<m>\d{2})(?!\d)"
            r"(?:\s*(?P<ampm>am|pm)|\s*(?:hrs|hs|h))?\b"
        ),
        am_pm=compile_(r"\b(?P<h>\d{1,2})\s*(?P<ampm>am|pm)\b"),
        hours=compile_(r"\b(?P<h>\d{1,2})\s*(?:h|hs|hrs?|horas?|hours?|o'?clock)\b" + _HALF),
        half_past=compile_(
            r"\b(?P<which>half|quarter)\s+past\s+(?P<h>\d{1,2})\b"
            r"|\b(?P<h2>\d{1,2})\s+(?:e|y)\s+(?P<half>meia|media|cuarto)\b"
        ),
        marked_hour=compile_(
            rf"(?:\b(?:{_TIME_MARKER[lang]})|@)\s*(?P<h>\d{{1,2}})\b(?![/.-]\d)" + _HALF
        ),
        filler=frozenset(fold(_FILLER[lang]).split()),
        numbers=numbers,
        months=months,
        weekdays=weekdays,
        days_unit=days_u,
        weeks_unit=weeks_u,
        hours_unit=hours_u,
    )


_GRAMMARS = {lang: _grammar(lang) for lang in LANGUAGES}


@dataclass
class _Reading:
    """What was recognised in the text, before resolving it against `now`."""

    offset_days: int | None = None
    weekday: int | None = None
    strict_weekday: bool = False
    full_date: date | None = None
    month_day: tuple[int, int] | None = None
    day_of_month: int | None = None
    parsed_day: date | None = None
    hour: int | None = None
    minute: int = 0
    explicit_period: bool = False
    period: str | None = None
    delta: timedelta | None = None
    leftovers: list[str] = field(default_factory=list)

    @property
    def has_date(self) -> bool:
        """A day was named other than by its weekday."""
        return any(
            x is not None
            for x in (
                self.offset_days,
                self.full_date,
                self.month_day,
                self.day_of_month,
                self.parsed_day,
            )
        )

    @property
    def has_day(self) -> bool:
        """A day was named, by its weekday or otherwise."""
        return self.has_date or self.weekday is not None


class _Conflict(Exception):
    """Two readings of the same thing, e.g. "amanhã sexta"; the text is unparseable."""


class _Text:
    """The folded text with recognised pieces blanked out as they are taken."""

    def __init__(self, text: str) -> None:
        self.s = text

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """Find `pattern` and blank out what it matched, so nothing is read twice."""
        match = pattern.search(self.s)
        if match is not None:
            self.s = self.s[: match.start()] + " " + self.s[match.end() :]
        return match


def _normalise(text: str) -> str:
    s = fold(text)
    s = re.sub(r"\ba\.\s?m\.?", "am", s)
    s = re.sub(r"\bp\.\s?m\.?", "pm", s)
    s = s.replace("–", "-").replace("—", "-")
    # Keep "/", ".", ":" and "-" inside numbers and words; other punctuation separates.
    s = re.sub(r"[,;!?¿¡()\[\]\"]", " ", s)
    s = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _number(word: str, g: _Grammar) -> int:
    return int(word) if word.isdigit() else g.numbers[word]


def _set(reading: _Reading, name: str, value: object) -> None:
    if getattr(reading, name) is not None:
        raise _Conflict(name)
    setattr(reading, name, value)


def _set_day(reading: _Reading, name: str, value: object) -> None:
    if reading.has_date:
        raise _Conflict(name)
    setattr(reading, name, value)


def _set_time(reading: _Reading, hour: int, minute: int, ampm: str | None = None) -> None:
    if reading.hour is not None:
        raise _Conflict("time")
    if ampm is not None:
        # Unlike "14h da tarde", "13pm" is not a redundancy but a typo.
        resolved = hour_with_period(hour, ampm) if hour <= 12 else None
        if resolved is None:
            raise _Conflict("hour")
        hour = resolved
        reading.explicit_period = True
    reading.hour, reading.minute = hour, minute


def _half(match: re.Match[str]) -> int:
    half = match.groupdict().get("half")
    return {"meia": 30, "media": 30, "cuarto": 15}.get(half or "", 0)


def _read(text: str, lang: str, order: str) -> _Reading:
    g = _GRAMMARS[lang]
    t = _Text(_normalise(text))
    r = _Reading()

    for name, pattern in g.today_periods:
        if t.take(pattern):
            _set_day(r, "offset_days", 0)
            _set(r, "period", name)
    for name, pattern in g.periods:
        if t.take(pattern):
            _set(r, "period", name)
    if m := t.take(g.noon):
        _set_time(r, 12, _half(m))
    if m := t.take(g.midnight):
        _set_time(r, 0, _half(m))

    if m := t.take(g.iso_date):
        _set_day(r, "full_date", _make_date(int(m["y"]), int(m["m"]), int(m["d"])))
    if m := t.take(g.numeric_date):
        a, b, y = (m["a"], m["b"], m["y"]) if m["a"] else (m["a2"], m["b2"], m["y2"])
        a, b = int(a), int(b)
        # In the order the reader sees dates; when only the other order makes a real date
        # ("25/12" month first, "12/25" day first), that is the one meant.
        day, month = (b, a) if order in _MONTH_FIRST else (a, b)
        if not 1 <= month <= 12 and 1 <= day <= 12:
            day, month = month, day
        if y:
            year = int(y)
            year += 2000 if year < 100 else 0
            _set_day(r, "full_date", _make_date(year, month, day))
        else:
            _check_month_day(month, day)
            _set_day(r, "month_day", (month, day))
    for pattern in (g.day_month, g.month_day):
        if m := t.take(pattern):
            day = 1 if m["d"] == "primeiro" else int(m["d"])
            month = g.months[_compact(m["month"])]
            if m["y"]:
                _set_day(r, "full_date", _make_date(int(m["y"]), month, day))
            else:
                _check_month_day(month, day)
                _set_day(r, "month_day", (month, day))

    for pattern in (g.in_n, g.n_from_now):
        if m := t.take(pattern):
            n = _number(m["n"], g)
            unit = m["unit"]
            if re.fullmatch(g.days_unit, unit):
                _set_day(r, "offset_days", n)
            elif re.fullmatch(g.weeks_unit, unit):
                _set_day(r, "offset_days", 7 * n)
            elif re.fullmatch(g.hours_unit, unit):
                _set(r, "delta", timedelta(hours=n))
            else:
                _set(r, "delta", timedelta(minutes=n))
    for offset, pattern in g.relative_days:
        if t.take(pattern):
            _set_day(r, "offset_days", offset)
    if m := t.take(g.weekday):
        # A weekday may accompany a date ("sexta, 27/11"); _pick_day checks they agree.
        _set(r, "weekday", g.weekdays[_compact(m["wd"])])
        r.strict_weekday = bool(m["next"] or m["next_after"])
    if m := t.take(g.day_of_month):
        _set_day(r, "day_of_month", int(m["d"]))

    if m := t.take(g.half_past):
        if m["h"]:
            _set_time(r, int(m["h"]), 30 if m["which"] == "half" else 15)
        else:
            _set_time(r, int(m["h2"]), _half(m))
    if m := t.take(g.clock):
        _set_time(r, int(m["h"]), int(m["m"]), m["ampm"])
    if m := t.take(g.am_pm):
        _set_time(r, int(m["h"]), 0, m["ampm"])
    if m := t.take(g.hours):
        _set_time(r, int(m["h"]), _half(m))
    if m := t.take(g.marked_hour):
        _set_time(r, int(m["h"]), _half(m))

    words = [w for w in t.s.split() if w not in g.filler]
    if r.hour is None and len(words) == 1 and words[0].isdigit() and len(words[0]) <= 2:
        # A lone number beside a day ("amanhã 14") or on its own ("9") is an hour.
        _set_time(r, int(words[0]), 0)
        words = []
    r.leftovers = words
    return r


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _Conflict("date") from None


def _check_month_day(month: int, day: int) -> None:
    # 2028 is a leap year, so 29/02 is accepted here and resolved to a leap year later.
    _make_date(2028, month, day)


@dataclass(frozen=True)
class _Language:
    code: str
    order: str


DATE_ORDERS = ("DMY", "MDY", "YMD")
_MONTH_FIRST = ("MDY", "YMD")


def _language(language: str, date_order: str) -> _Language:
    if date_order not in DATE_ORDERS:
        raise ValueError(f"unsupported date order: {date_order!r}")
    return _Language(normalize_language(language), date_order)


def _dateparser_day(text: str, lang: _Language, base: datetime) -> date | None:
    """Last resort for date phrasings our patterns miss; only a whole day is accepted."""
    # Imported here: dateparser is slow to import and rarely needed.
    from dateparser.date import DateDataParser

    parser = DateDataParser(
        languages=[lang.code],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": base,
            "DATE_ORDER": lang.order,
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    data = parser.get_date_data(text)
    if data.date_obj is None or data.period != "day":
        return None
    return data.date_obj.date()


def warm_up(languages: tuple[str, ...] = LANGUAGES) -> None:
    """Load dateparser's data for `languages` ahead of the first user (it takes ~0.1 s)."""
    base = datetime(2026, 1, 1)
    for language in languages:
        _dateparser_day("1 jan", _language(language, "DMY"), base)


def _nearest_month_day(today: date, month: int, day: int) -> date:
    """The occurrence of a day and month nearest to today, the later one on a tie.

    "26/11" typed on 7 December means the 26th just gone (and is refused as past), not
    one almost a year away; "5/1" means the coming January. 29/02 is the nearest leap
    day.
    """
    found: list[date] = []
    for year in range(today.year - 4, today.year + 9):
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    if not found:
        raise _Conflict("date")
    return min(found, key=lambda d: (abs((d - today).days), d < today))


def _next_day_of_month(today: date, day: int) -> date:
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise _Conflict("date")


def _named_day(r: _Reading, today: date) -> date:
    if r.offset_days is not None:
        return today + timedelta(days=r.offset_days)
    if r.full_date is not None:
        return r.full_date
    if r.parsed_day is not None:
        return r.parsed_day
    if r.month_day is not None:
        return _nearest_month_day(today, *r.month_day)
    assert r.day_of_month is not None
    return _next_day_of_month(today, r.day_of_month)


@dataclass(frozen=True)
class _Resolved:
    day: date | None
    at: datetime | None


def _resolve(text: str, language: str, tz: ZoneInfo, now: datetime, date_order: str) -> _Resolved:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    lang = _language(language, date_order)
    local_now = now.astimezone(tz)
    today = local_now.date()
    if not text or not text.strip() or len(text) > 200:
        raise UnparseableTime(text=text)
    try:
        r = _read(text, lang.code, lang.order)
        if r.leftovers:
            # Unknown words may only be a date our patterns missed, never beside one we read.
            if r.has_day or r.delta is not None:
                raise _Conflict("leftovers")
            parsed = _dateparser_day(" ".join(r.leftovers), lang, local_now.replace(tzinfo=None))
            if parsed is None:
                raise _Conflict("leftovers")
            r.parsed_day = parsed
    except _Conflict:
        raise UnparseableTime(text=text) from None

    if r.delta is not None:
        if r.has_day or r.hour is not None:
            raise UnparseableTime(text=text)
        at = (now + r.delta).astimezone(tz)
        return _Resolved(at.date(), at)

    clock: time | None = None
    if r.hour is not None:
        hour = r.hour if r.explicit_period else hour_with_period(r.hour, r.period)
        if hour is None or not 0 <= r.minute <= 59:
            raise UnparseableTime(text=text)
        clock = time(hour, r.minute)
    elif r.period is not None and not r.has_day:
        raise UnparseableTime(text=text)

    try:
        day = _pick_day(r, today, clock, local_now)
    except _Conflict:
        raise UnparseableTime(text=text) from None
    if clock is None:
        return _Resolved(day, None)
    # Round-tripping through UTC moves a wall time in a spring-forward gap past the gap.
    at = datetime.combine(day, clock, tzinfo=tz).astimezone(ZoneInfo("UTC")).astimezone(tz)
    return _Resolved(day, at)


def _pick_day(r: _Reading, today: date, clock: time | None, local_now: datetime) -> date:
    still_today = clock is not None and clock > local_now.time()
    if r.has_date:
        day = _named_day(r, today)
        if r.weekday is not None and schema_weekday(day) != r.weekday:
            raise _Conflict("weekday")
        return day
    if r.weekday is not None:
        ahead = (r.weekday - schema_weekday(today)) % 7
        if ahead == 0 and (r.strict_weekday or not still_today):
            ahead = 7
        return today + timedelta(days=ahead)
    if clock is None:
        raise _Conflict("nothing")
    return today if still_today else today + timedelta(days=1)


def parse_wanted_time(
    text: str, *, language: str, tz: ZoneInfo, now: datetime, date_order: str = "DMY"
) -> datetime:
    """Read a wanted moment typed by a user as an aware datetime in `tz`, in the future.

    `date_order` is how the reader sees numeric dates ("DMY": 09/12 is 9 December;
    "MDY" or "YMD": 12/9 is), so they are read back the same way.
    """
    resolved = _resolve(text, language, tz, now, date_order)
    if resolved.at is None:
        raise TimeMissing(text=text, day=resolved.day)
    if resolved.at < now:
        raise TimeInPast(text=text, when=resolved.at)
    return resolved.at


def parse_wanted_day(
    text: str, *, language: str, tz: ZoneInfo, now: datetime, date_order: str = "DMY"
) -> date:
    """Read the local day a user means ("amanhã", "sexta", "25/12"); a time is allowed.

    `date_order` as for :func:`parse_wanted_time`.
    """
    resolved = _resolve(text, language, tz, now, date_order)
    assert resolved.day is not None
    if resolved.day < now.astimezone(tz).date():
        raise TimeInPast(text=text, when=resolved.day)
    return resolved.day


def nearest(wanted: datetime, free: list[datetime], n: int = 3) -> list[datetime]:
    """The `n` free slots closest in time to `wanted`, in chronological order."""
    ordered = sorted(free)
    if n <= 0 or not ordered:
        return []
    # Walk outwards from the insertion point, preferring the earlier slot on a tie.
    right = bisect_left(ordered, wanted)
    left = right - 1
    picked: list[datetime] = []
    while len(picked) < n and (left >= 0 or right < len(ordered)):
        if right >= len(ordered) or (
            left >= 0 and wanted - ordered[left] <= ordered[right] - wanted
        ):
            picked.append(ordered[left])
            left -= 1
        else:
            picked.append(ordered[right])
            right += 1
    return sorted(picked)
