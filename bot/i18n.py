"""Translations for the bot: dotted message ids looked up in gettext catalogues.

Message ids are keys such as ``"booking.confirmed"``; the English catalogue holds the
English text, so every locale (English included) needs a ``msgstr``. Parameters are
``str.format`` named placeholders applied after lookup: ``"Booked for {when}."``.
Pre-format dates and money with ``bot.formatting`` before passing them in. A literal
brace in a text is written ``{{`` or ``}}``.

Adding a message:

1. In code, write ``tr.t("booking.confirmed", when=when_text)`` where
   ``tr = get_translator(user.language_code)``. Use ``tr.tn("slots.count", n)`` for a
   count (``{n}`` is filled in for you), ``t_lazy("menu.book")`` for a module-level
   constant and ``N_("error.x")`` in ``core/`` (a domain error's ``msgid``). Never pass an
   f-string or a variable as the id: extraction only sees string literals.
2. Run ``python -m bot.locales_tool update``: it re-extracts ``locales/messages.pot``
   from ``core/`` and ``bot/`` and adds the new ids to the three ``.po`` files.
3. Fill the ``msgstr`` of the new ids in ``locales/en``, ``locales/pt_BR`` and
   ``locales/es`` (``LC_MESSAGES/messages.po``); for a plural id fill every
   ``msgstr[i]``.
4. Run ``python -m bot.locales_tool check`` (``tests/i18n`` runs the same check): it
   fails on a missing or fuzzy translation and on placeholders that differ from English.

Compiled ``.mo`` files are built by ``python -m bot.locales_tool compile`` at install
time and are not committed; when one is missing or older than its ``.po``, the ``.po``
is parsed instead, so a fresh checkout never shows raw ids.
"""

from __future__ import annotations

import gettext
import logging
import os
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from core.errors import N_

__all__ = [
    "BUTTON_EXPIRED",
    "CANCELLED",
    "DEFAULT_LOCALE",
    "N_",
    "SORRY",
    "SUPPORTED",
    "LazyText",
    "Translator",
    "get_translator",
    "locales_dir",
    "normalize_locale",
    "placeholders",
    "reload_catalogues",
    "t_lazy",
]

logger = logging.getLogger(__name__)

SUPPORTED: tuple[str, ...] = ("en", "pt_BR", "es")
DEFAULT_LOCALE = "en"
DOMAIN = "messages"

# A language we support in one variant only: every "pt-*" reader gets Brazilian text.
_LANGUAGE_TO_LOCALE = {"en": "en", "pt": "pt_BR", "es": "es"}

# Generic texts any handler may need; declared here so extraction always sees them.
BUTTON_EXPIRED = N_("common.button_expired")
SORRY = N_("common.sorry")
CANCELLED = N_("common.cancelled")


_REPOSITORY_LOCALES = Path(__file__).resolve().parent.parent / "locales"


def locales_dir() -> Path:
    """Return the directory holding ``<locale>/LC_MESSAGES/messages.po``."""
    # The override exists for installs where the repository's locales/ is not beside bot/.
    override = os.environ.get("BOOKINGBOT_LOCALES_DIR")
    if override:
        return Path(override)
    return _REPOSITORY_LOCALES


def _match_supported(code: str) -> str | None:
    cleaned = code.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    if not cleaned:
        return None
    language, _, region = cleaned.partition("_")
    language = language.lower()
    exact = f"{language}_{region.upper()}" if region else language
    if exact in SUPPORTED:
        return exact
    return _LANGUAGE_TO_LOCALE.get(language)


def normalize_locale(code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map a Telegram ``language_code`` (``"pt-br"``, ``"es-419"``, None) to a supported locale."""
    if code is None or not code.strip():
        return _match_supported(default) or DEFAULT_LOCALE
    return _match_supported(code) or DEFAULT_LOCALE


def placeholders(text: str) -> set[str]:
    """Return the named ``{placeholders}`` of a format string; raise ValueError if malformed."""
    names: set[str] = set()
    for _literal, name, spec, _conversion in string.Formatter().parse(text):
        if name is None:
            continue
        # "{when.day}" and "{items[0]}" still need the parameter called "when"/"items".
        names.add(name.split(".", 1)[0].split("[", 1)[0])
        if spec:
            names |= placeholders(spec)
    return names


@dataclass(frozen=True)
class _Catalogue:
    """Translated texts of one locale, without fuzzy or empty entries."""

    locale: str
    messages: Mapping[str, str | tuple[str, ...]]
    plural: Callable[[int], int]


def _catalogue_from(catalog: Catalog, locale: str) -> _Catalogue:
    messages: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        # The header entry has an empty id; fuzzy entries are guesses, not translations.
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            forms = tuple(message.string or ())
            if forms and all(forms):
                messages[message.id[0]] = forms
        elif isinstance(message.string, str) and message.string:
            messages[message.id] = message.string
    return _Catalogue(locale, messages, gettext.c2py(catalog.plural_expr))


def _load_catalog(locale: str, directory: Path) -> Catalog | None:
    base = directory / locale / "LC_MESSAGES"
    po_path, mo_path = base / f"{DOMAIN}.po", base / f"{DOMAIN}.mo"
    po_mtime = po_path.stat().st_mtime if po_path.exists() else None
    # A .mo older than its .po was compiled before the last edit: the .po is the truth.
    if mo_path.exists() and (po_mtime is None or mo_path.stat().st_mtime >= po_mtime):
        with mo_path.open("rb") as fileobj:
            return read_mo(fileobj)
    if po_mtime is not None:
        with po_path.open("rb") as fileobj:
            return read_po(fileobj, locale=locale, domain=DOMAIN)
    return None


@cache
def _catalogue(locale: str, directory: Path) -> _Catalogue:
    catalog = _load_catalog(locale, directory)
    if catalog is None:
        logger.warning("No catalogue for locale %s in %s", locale, directory)
        catalog = Catalog(locale=locale, domain=DOMAIN)
    return _catalogue_from(catalog, locale)


def reload_catalogues() -> None:
    """Forget loaded catalogues and translators so the next lookup re-reads the files."""
    _catalogue.cache_clear()
    _translator.cache_clear()
    _warned.clear()


# Each (locale, msgid) problem is logged once: a missing text would otherwise flood the log.
_warned: set[tuple[str, str]] = set()


def _warn_once(locale: str, msgid: str, message: str, level: int = logging.WARNING) -> None:
    if (locale, msgid) not in _warned:
        _warned.add((locale, msgid))
        logger.log(level, message, msgid, locale)


def _format(text: str, msgid: str, params: Mapping[str, object]) -> str:
    try:
        return text.format_map(params)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        # A wrong parameter must not turn a reply into a crash; the raw text still helps.
        logger.error("Cannot format message %s with %s: %r", msgid, sorted(params), exc)
        return text


class HasMsgid(Protocol):
    """Anything carrying a message id and its parameters (LazyText, core DomainError)."""

    @property
    def msgid(self) -> str: ...

    @property
    def params(self) -> Mapping[str, object]: ...


@dataclass(frozen=True, eq=False)
class LazyText:
    """A message id with parameters, translated later for a reader."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def translate(self, translator: Translator) -> str:
        """Return this text in the translator's locale."""
        return translator.t(self.msgid, **self.params)


def t_lazy(msgid: str, /, **params: object) -> LazyText:
    """Mark a message id for extraction and keep it for translation at reply time."""
    return LazyText(msgid, params)


class Translator:
    """Look up message ids for one locale, falling back to English, then to the id itself."""

    def __init__(self, locale: str, directory: Path | None = None) -> None:
        self.locale = locale
        self._directory = directory or locales_dir()
        self._own = _catalogue(locale, self._directory)
        self._english = _catalogue(DEFAULT_LOCALE, self._directory)

    def __repr__(self) -> str:
        return f"Translator({self.locale!r})"

    def _lookup(self, msgid: str) -> tuple[str | tuple[str, ...] | None, _Catalogue]:
        found = self._own.messages.get(msgid)
        if found is not None:
            return found, self._own
        if self._own is not self._english:
            found = self._english.messages.get(msgid)
            if found is not None:
                _warn_once(self.locale, msgid, "Message %s has no %s text; using English")
                return found, self._english
        _warn_once(DEFAULT_LOCALE, msgid, "Message %s has no %s text; showing the id")
        return None, self._english

    def t(self, msgid: str, /, **params: object) -> str:
        """Return the text of ``msgid`` with ``params`` filled in."""
        found, _source = self._lookup(msgid)
        if found is None:
            return msgid
        # A plural id used through t() gets its "many" form rather than a crash.
        text = found if isinstance(found, str) else found[-1]
        return _format(text, msgid, params)

    def tn(self, msgid: str, n: int, /, **params: object) -> str:
        """Return the plural form of ``msgid`` for ``n``; ``{n}`` is available in the text."""
        found, source = self._lookup(msgid)
        if found is None:
            return msgid
        params = {"n": n, **params}
        if isinstance(found, str):
            return _format(found, msgid, params)
        index = min(source.plural(n), len(found) - 1)
        return _format(found[index], msgid, params)

    def render(self, item: HasMsgid) -> str:
        """Translate a LazyText or a core DomainError (its ``msgid`` and ``params``)."""
        return self.t(item.msgid, **item.params)


@cache
def _translator(locale: str, directory: Path) -> Translator:
    return Translator(locale, directory)


def get_translator(
    code: str | None = None,
    default: str = DEFAULT_LOCALE,
    *,
    directory: Path | None = None,
) -> Translator:
    """Return the cached Translator for a Telegram language code (normalized first)."""
    return _translator(normalize_locale(code, default), directory or locales_dir())
