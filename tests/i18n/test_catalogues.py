"""The catalogues cover every message id in the code, and the locales tool keeps them so."""

from __future__ import annotations

import gettext
import re
import textwrap
from collections.abc import Collection
from pathlib import Path

import pytest

import core.errors
from bot import locales_tool
from bot.i18n import SUPPORTED

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fresh_template():
    # Extracted from the code now, so a new t("...") without a catalogue entry fails here.
    return locales_tool.extract_template(ROOT)


def test_every_message_in_the_code_is_translated_in_every_locale(fresh_template):
    problems = locales_tool.check(ROOT, SUPPORTED, template=fresh_template)
    listing = "\n".join(str(p) for p in problems)
    assert not problems, f"run `python -m bot.locales_tool update`, then fix:\n{listing}"


def test_every_core_domain_error_has_its_msgid_extracted(fresh_template):
    ids = {m.id for m in fresh_template if m.id}
    errors: list[type[core.errors.DomainError]] = [
        core.errors.DomainError,
        *core.errors.DomainError.__subclasses__(),
    ]
    assert {e.msgid for e in errors} <= ids


def test_extraction_finds_t_tn_t_lazy_and_n_underscore_but_not_other_calls(tmp_path):
    project = _project(
        tmp_path,
        """
        def handler(tr, n):
            tr.t("booking.confirmed", when="x")
            tr.tn("slots.count", n)
            LABEL = t_lazy("menu.book")
            MARK = N_("menu.mark")
            _("not.a.message")
            print("not.a.message.either")
        """,
    )
    template = locales_tool.extract_template(project)
    ids = {m.id for m in template if m.id}
    assert ids == {"booking.confirmed", ("slots.count", "slots.count"), "menu.book", "menu.mark"}


def test_check_reports_missing_fuzzy_placeholder_and_malformed_translations(tmp_path):
    project = _project(
        tmp_path,
        """
        def handler(tr):
            tr.t("a.missing")
            tr.t("a.fuzzy")
            tr.t("a.placeholders", when="x")
            tr.t("a.malformed", when="x")
        """,
    )
    locales_tool.update(project, locales=("en", "es"))
    _fill(
        project,
        "en",
        {
            "a.missing": "Missing",
            "a.fuzzy": "Fuzzy",
            "a.placeholders": "At {when}",
            "a.malformed": "At {when}",
        },
    )
    _fill(
        project,
        "es",
        {
            "a.fuzzy": "Difuso",
            "a.placeholders": "A las {cuando}",
            "a.malformed": "A las {when",
        },
        fuzzy={"a.fuzzy"},
    )

    problems = locales_tool.check(project, ("en", "es"))

    found = {(p.locale, p.msgid, p.kind) for p in problems}
    assert found == {
        ("es", "a.missing", "missing"),
        ("es", "a.fuzzy", "fuzzy"),
        ("es", "a.placeholders", "placeholders"),
        ("es", "a.malformed", "malformed"),
    }


def test_check_reports_a_new_id_in_code_until_update_is_run(tmp_path):
    project = _project(tmp_path, 'def f(tr):\n    tr.t("a.one")\n')
    locales_tool.update(project, locales=("en",))
    _fill(project, "en", {"a.one": "One"})
    (project / "bot" / "handlers.py").write_text(
        'def f(tr):\n    tr.t("a.one")\n    tr.t("a.two")\n'
    )

    kinds = {(p.msgid, p.kind) for p in locales_tool.check(project, ("en",))}

    assert kinds == {("a.two", "stale-template"), ("a.two", "missing")}


def test_update_keeps_translations_adds_new_ids_unfuzzy_and_drops_unused_ones(tmp_path):
    project = _project(tmp_path, 'def f(tr):\n    tr.t("greeting.hello")\n    tr.t("old.id")\n')
    locales_tool.update(project, locales=("pt_BR",))
    _fill(project, "pt_BR", {"greeting.hello": "Olá", "old.id": "Velho"})
    # A near-identical new id must not inherit "Olá" as a fuzzy guess.
    (project / "bot" / "handlers.py").write_text(
        'def f(tr):\n    tr.t("greeting.hello")\n    tr.t("greeting.hallo")\n'
    )

    locales_tool.update(project, locales=("pt_BR",))

    catalog = locales_tool.read_catalogue("pt_BR", project)
    assert catalog is not None
    assert catalog["greeting.hello"].string == "Olá"
    assert catalog["greeting.hallo"].string == ""
    assert not catalog["greeting.hallo"].fuzzy
    assert catalog.get("old.id") is None
    assert "old.id" not in locales_tool.po_path("pt_BR", project).read_text()


def test_update_rewrites_nothing_when_the_code_did_not_change(tmp_path):
    project = _project(tmp_path, 'def f(tr):\n    tr.t("a.one")\n')
    locales_tool.update(project, locales=("en", "es"))
    pot_before = locales_tool.template_path(project).read_bytes()

    assert locales_tool.update(project, locales=("en", "es")) == []
    assert locales_tool.template_path(project).read_bytes() == pot_before


def test_compile_writes_mo_files_that_gettext_reads_with_plurals(tmp_path):
    project = _project(tmp_path, 'def f(tr, n):\n    tr.tn("slots.count", n)\n')
    locales_tool.update(project, locales=("pt_BR",))
    catalog = locales_tool.read_catalogue("pt_BR", project)
    assert catalog is not None
    # As many forms as the catalogue's own Plural-Forms header asks for (Babel's CLDR data
    # decides it for a new catalogue: two forms for pt_BR in some releases, three in others).
    forms = _plural_forms_header(locales_tool.po_path("pt_BR", project))
    assert forms == catalog.num_plurals
    singular_index = _plural_index(catalog.plural_expr, 1)
    catalog[("slots.count", "slots.count")].string = tuple(
        "{n} horário" if i == singular_index else "{n} horários" for i in range(forms)
    )
    locales_tool.save_catalogue(catalog, "pt_BR", project)

    [mo_path] = locales_tool.compile_catalogues(project, locales=("pt_BR",))

    with mo_path.open("rb") as fileobj:
        translations = gettext.GNUTranslations(fileobj)
    assert translations.ngettext("slots.count", "slots.count", 1) == "{n} horário"
    assert translations.ngettext("slots.count", "slots.count", 3) == "{n} horários"


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_shipped_plural_message_has_the_forms_its_header_declares(locale, tmp_path):
    po = locales_tool.po_path(locale)
    forms = _plural_forms_header(po)
    catalog = locales_tool.read_catalogue(locale)
    assert catalog is not None
    # The header's rule never picks a form the header does not declare.
    assert {_plural_index(catalog.plural_expr, n) for n in range(2001)} <= set(range(forms))
    plurals = [m for m in catalog if m.id and m.pluralizable]
    for message in plurals:
        strings = [s for s in message.string if s]
        assert len(strings) == forms, f"{locale} {message.id[0]}: {len(strings)} of {forms} forms"

    # Compiled, every count from 0 to 2000 picks a form that exists and is translated.
    project = tmp_path / "project"
    target = locales_tool.po_path(locale, project)
    target.parent.mkdir(parents=True)
    target.write_bytes(po.read_bytes())
    [mo_path] = locales_tool.compile_catalogues(project, locales=(locale,))
    with mo_path.open("rb") as fileobj:
        translations = gettext.GNUTranslations(fileobj)
    for message in plurals:
        singular, plural = message.id
        for n in range(2001):
            text = translations.ngettext(singular, plural, n)
            assert text not in (singular, plural), f"{locale} {singular} untranslated for n={n}"


def _plural_forms_header(po: Path) -> int:
    """nplurals from the catalogue's header, read from the file's own text."""
    match = re.search(r'"Plural-Forms: nplurals=(\d+);', po.read_text())
    assert match, f"{po} has no Plural-Forms header"
    return int(match.group(1))


def _plural_index(expression: str, n: int) -> int:
    return int(gettext.c2py(expression)(n))


def test_the_command_line_check_exits_non_zero_when_something_is_missing(tmp_path, capsys):
    project = _project(tmp_path, 'def f(tr):\n    tr.t("a.one")\n')
    locales_tool.update(project, locales=SUPPORTED)

    assert locales_tool.main(["check", "--root", str(project)]) == 1
    assert "a.one [missing]" in capsys.readouterr().out


def _project(tmp_path: Path, bot_code: str) -> Path:
    """Make a throwaway project with the real babel.cfg and one bot module."""
    project = tmp_path / "project"
    (project / "bot").mkdir(parents=True)
    (project / "core").mkdir()
    (project / "babel.cfg").write_bytes((ROOT / "babel.cfg").read_bytes())
    (project / "bot" / "handlers.py").write_text(textwrap.dedent(bot_code))
    return project


def _fill(project: Path, locale: str, texts: dict[str, str], fuzzy: Collection[str] = ()):
    """Set translations the way a translator would, through Babel's own reader and writer."""
    catalog = locales_tool.read_catalogue(locale, project)
    assert catalog is not None
    for msgid, text in texts.items():
        catalog[msgid].string = text
        if msgid in fuzzy:
            catalog[msgid].flags.add("fuzzy")
    locales_tool.save_catalogue(catalog, locale, project)
