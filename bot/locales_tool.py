"""Maintain the gettext catalogues: ``python -m bot.locales_tool extract|update|compile|check``.

extract  write ``locales/messages.pot`` from the ``t``/``tn``/``t_lazy``/``N_`` calls in
         ``core/`` and ``bot/`` (mapping and keywords in ``babel.cfg``).
update   extract, then add new ids to every ``locales/<locale>/LC_MESSAGES/messages.po``
         and drop ids no longer used, keeping existing translations.
compile  build ``messages.mo`` next to every ``.po`` (the install step runs this).
check    list missing, fuzzy and placeholder-mismatched translations; exit 1 if any.

Everything goes through Babel's own APIs so the files stay what ``pybabel`` would write.
See ``bot/i18n.py`` for the workflow of adding a message.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import DEFAULT_LOCALE, DOMAIN, SUPPORTED, placeholders

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "bookingbot"
HEADER_COMMENT = (
    "# bookingbot messages. Ids are dotted keys; the English catalogue holds the English text.\n"
    "# Workflow: see the docstring of bot/i18n.py."
)
# Ids are keys, so sorting groups "booking.*" together; no line numbers and no wrapping
# keep diffs to the lines that really changed.
_WRITE_OPTIONS = {"sort_output": True, "include_lineno": False, "width": 0}
_DATE_HEADER = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"\n', re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    """One thing `check` found wrong in a catalogue."""

    locale: str
    msgid: str
    kind: str
    detail: str = ""

    def __str__(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.locale}: {self.msgid} [{self.kind}]{detail}"


def template_path(root: Path = ROOT) -> Path:
    """Return the path of the extracted template, ``locales/messages.pot``."""
    return root / "locales" / f"{DOMAIN}.pot"


def po_path(locale: str, root: Path = ROOT) -> Path:
    """Return the path of one locale's ``messages.po``."""
    return root / "locales" / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _msgid_key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def extract_template(root: Path = ROOT) -> Catalog:
    """Extract every message id from the code into an in-memory template catalogue."""
    with (root / "babel.cfg").open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(root / "babel.cfg"))
    template = Catalog(project=PROJECT, header_comment=HEADER_COMMENT, fuzzy=False)
    # No default keywords: babel.cfg alone decides what is a message, so `_` stays free.
    for filename, lineno, msgid, comments, context in extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords={},
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        location = (Path(filename).as_posix(), lineno)
        template.add(msgid, None, [location], auto_comments=comments, context=context)
    return template


def _render_po(catalog: Catalog, **options: object) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, **_WRITE_OPTIONS, **options)  # type: ignore[arg-type]
    return buffer.getvalue()


def _write_if_changed(path: Path, content: bytes) -> bool:
    # Babel stamps the current time into the header; rewriting for that alone is noise.
    if path.exists() and _DATE_HEADER.sub(b"", path.read_bytes()) == _DATE_HEADER.sub(b"", content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, content)
    return True


def _atomic_write(path: Path, content: bytes) -> None:
    # A half-written catalogue would be read by a running bot; replace it in one step.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fileobj:
            fileobj.write(content)
        # mkstemp creates 0600 files; a bot running as another user must still read them.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def extract(root: Path = ROOT) -> Catalog:
    """Write ``locales/messages.pot`` from the code and return the template."""
    template = extract_template(root)
    _write_if_changed(template_path(root), _render_po(template))
    return template


def read_catalogue(locale: str, root: Path = ROOT) -> Catalog | None:
    """Read one locale's ``.po`` file, or None if it does not exist."""
    path = po_path(locale, root)
    if not path.exists():
        return None
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale, domain=DOMAIN)


def update(root: Path = ROOT, locales: Iterable[str] = SUPPORTED) -> list[Path]:
    """Extract, then merge the template into each locale's ``.po``; return the files changed."""
    template = extract(root)
    changed = []
    for locale in locales:
        catalog = read_catalogue(locale, root)
        if catalog is None:
            catalog = Catalog(
                locale=locale,
                domain=DOMAIN,
                project=PROJECT,
                header_comment=HEADER_COMMENT,
                fuzzy=False,
            )
        # Ids are keys, not English sentences: a "similar" id is never a good guess.
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        if save_catalogue(catalog, locale, root):
            changed.append(po_path(locale, root))
    return changed


def save_catalogue(catalog: Catalog, locale: str, root: Path = ROOT) -> bool:
    """Write one locale's ``.po`` the way update does; return whether the file changed."""
    # Unused ids are dropped rather than kept as "#~" entries; git keeps the history.
    content = _render_po(catalog, ignore_obsolete=True)
    return _write_if_changed(po_path(locale, root), content)


def compile_catalogues(root: Path = ROOT, locales: Iterable[str] = SUPPORTED) -> list[Path]:
    """Build ``messages.mo`` from each locale's ``.po``; return the files written."""
    written = []
    for locale in locales:
        catalog = read_catalogue(locale, root)
        if catalog is None:
            raise FileNotFoundError(po_path(locale, root))
        buffer = io.BytesIO()
        # Fuzzy entries are left out, so the bot falls back to English for them.
        write_mo(buffer, catalog, use_fuzzy=False)
        mo_path = po_path(locale, root).with_suffix(".mo")
        _atomic_write(mo_path, buffer.getvalue())
        written.append(mo_path)
    return written


def _forms(message: Message | None) -> tuple[str, ...]:
    if message is None or message.string is None:
        return ()
    if isinstance(message.string, str):
        return (message.string,)
    return tuple(s or "" for s in message.string)


def _placeholders_of(forms: Sequence[str]) -> set[str]:
    names: set[str] = set()
    for form in forms:
        names |= placeholders(form)
    return names


def _check_message(
    locale: str,
    key: str,
    wanted: Message,
    message: Message | None,
    catalog: Catalog,
    english_names: set[str] | None,
) -> list[Problem]:
    if message is None:
        return [Problem(locale, key, "missing")]
    forms = _forms(message)
    if wanted.pluralizable and (not message.pluralizable or len(forms) != catalog.num_plurals):
        detail = f"needs {catalog.num_plurals} plural forms (msgstr[0..])"
        return [Problem(locale, key, "missing", detail)]
    if not forms or not all(forms):
        return [Problem(locale, key, "missing", "empty msgstr")]
    if message.fuzzy:
        return [Problem(locale, key, "fuzzy", "review it, then remove the '#, fuzzy' line")]
    try:
        names = _placeholders_of(forms)
    except ValueError as exc:
        return [Problem(locale, key, "malformed", f"{exc}; write a literal brace as {{{{")]
    if english_names is not None and names != english_names:
        detail = f"has {sorted(names)}, English has {sorted(english_names)}"
        return [Problem(locale, key, "placeholders", detail)]
    return []


def check(
    root: Path = ROOT,
    locales: Iterable[str] = SUPPORTED,
    template: Catalog | None = None,
) -> list[Problem]:
    """Return every problem in the catalogues, judged against a fresh extraction."""
    template = template if template is not None else extract_template(root)
    wanted = {_msgid_key(m): m for m in template if m.id}
    problems = _check_template_file(root, set(wanted))
    catalogs = {locale: read_catalogue(locale, root) for locale in locales}
    english = catalogs.get(DEFAULT_LOCALE) or read_catalogue(DEFAULT_LOCALE, root)
    for locale, catalog in catalogs.items():
        if catalog is None:
            problems.append(Problem(locale, "*", "missing", f"no {po_path(locale, root)}"))
            continue
        for key, message in sorted(wanted.items()):
            english_names = None
            if locale != DEFAULT_LOCALE and english is not None:
                try:
                    english_names = _placeholders_of(_forms(english.get(key)))
                except ValueError:
                    english_names = None  # reported for English itself
            problems += _check_message(
                locale, key, message, catalog.get(key), catalog, english_names
            )
        for message in catalog:
            if message.id and _msgid_key(message) not in wanted:
                problems.append(
                    Problem(locale, _msgid_key(message), "unused", "run the update command")
                )
    return problems


def _check_template_file(root: Path, wanted: set[str]) -> list[Problem]:
    path = template_path(root)
    if not path.exists():
        return [Problem("pot", "*", "stale-template", f"no {path}; run the update command")]
    with path.open("rb") as fileobj:
        committed = {_msgid_key(m) for m in read_po(fileobj) if m.id}
    return [
        Problem("pot", key, "stale-template", "run the update command")
        for key in sorted(committed ^ wanted)
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line: extract, update, compile or check."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.locales_tool",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=("extract", "update", "compile", "check"))
    parser.add_argument("--root", type=Path, default=ROOT, help="project root (has babel.cfg)")
    args = parser.parse_args(argv)
    root: Path = args.root
    if args.command == "extract":
        template = extract(root)
        print(f"{template_path(root)}: {len(template)} message ids")
    elif args.command == "update":
        changed = update(root)
        for path in changed:
            print(f"updated {path}")
        if not changed:
            print("catalogues already up to date")
        problems = check(root)
        if problems:
            print(f"{len(problems)} entries still need work; run the check command to list them")
    elif args.command == "compile":
        for path in compile_catalogues(root):
            print(f"compiled {path}")
    else:
        problems = check(root)
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s)" if problems else "all catalogues complete")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
