"""Onboarding, the public profile behind a link, and the professional's settings."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core import errors
from core.models import PaymentType, PixKeyType, Plan, Profession, Review
from core.services import professionals as pros
from core.services.professionals import SettingsChange
from core.validation import InvalidMoney, InvalidPixKey, InvalidTimezone
from tests import factories as f

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
LINK = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


async def register(db, name: str, user_id: int | None = None, **over) -> pros.ProfessionalView:
    async with db.for_user(user_id or f.next_user_id()) as uow:
        view = await pros.register(uow, **{**_defaults(name), **over})
        await uow.commit()
    return view


def _defaults(name: str) -> dict:
    return {
        "name": name,
        "profession": Profession.psychologist,
        "timezone": "America/Sao_Paulo",
        "locale": "pt-BR",
        "currency": "brl",
        "now": NOW,
    }


async def test_an_accented_name_becomes_a_plain_link_slug(db):
    view = await register(db, "  Dra. Ana Lúcia   Gonçalves ")
    assert view.slug == "dra-ana-lucia-goncalves"
    assert view.name == "Dra. Ana Lúcia Gonçalves"
    assert (view.locale, view.currency) == ("pt_BR", "BRL")


async def test_professionals_with_the_same_name_get_numbered_slugs(db):
    slugs = [(await register(db, "Ana Silva")).slug for _ in range(3)]
    assert slugs == ["ana-silva", "ana-silva-2", "ana-silva-3"]


async def test_a_slug_held_by_an_inactive_professional_the_user_cannot_see_is_skipped(db):
    await f.professional(db, slug="joao-souza", active=False)
    assert (await register(db, "João Souza")).slug == "joao-souza-2"


async def test_two_registrations_racing_for_one_slug_on_separate_connections_both_succeed(db):
    first = db.for_user(f.next_user_id())
    async with first as uow_a:
        view_a = await pros.register(uow_a, **_defaults("Maria Costa"))
        # The second registration reads the slugs before the first commits, then waits on
        # the unique index; when the first commits it must move on to the next suffix.
        second = asyncio.create_task(register(db, "Maria Costa"))
        await asyncio.sleep(0.3)
        assert not second.done()
        await uow_a.commit()
    view_b = await second
    assert {view_a.slug, view_b.slug} == {"maria-costa", "maria-costa-2"}


async def test_a_very_long_name_still_fits_a_telegram_deep_link_even_with_a_suffix(db):
    name = "Centro Integrado de Psicologia e Bem-Estar Emocional da Família Brasileira"
    a, b = await register(db, name), await register(db, name)
    assert LINK.match(a.slug) and LINK.match(b.slug)
    assert len(a.slug) <= 64 and b.slug.endswith("-2") and len(b.slug) <= 64


async def test_a_name_in_another_script_gets_a_slug_from_the_profession(db):
    view = await register(db, "Анна Петрова", profession=Profession.personal_trainer)
    assert view.slug == "personal-trainer" and view.name == "Анна Петрова"


async def test_registering_twice_is_refused(db):
    uid = f.next_user_id()
    await register(db, "Carla Dias", uid)
    with pytest.raises(errors.AlreadyRegistered):
        await register(db, "Carla Dias", uid)


async def test_a_new_professional_acts_as_one_at_once_and_has_a_two_week_trial(db):
    async with db.for_user(f.next_user_id()) as uow:
        view = await pros.register(uow, **_defaults("Bruno Lima"))
        me = await pros.get_me(uow)
        await uow.commit()
    assert me == view and uow.professional_id == view.id
    assert view.plan is Plan.free and view.trial_ends_at == NOW + timedelta(days=14)
    assert pros.has_pro(view, now=NOW + timedelta(days=13))
    assert not pros.has_pro(view, now=NOW + timedelta(days=15))


async def test_bad_onboarding_input_names_the_field(db):
    with pytest.raises(errors.InvalidInput) as caught:
        await register(db, "Eva Reis", timezone="Mars/Olympus")
    assert caught.value.params["field"] == "timezone"
    with pytest.raises(pros.SettingOutOfRange) as caught:
        await register(db, "Eva Reis", session_duration=1000)
    assert caught.value.params == {"field": "session_duration", "value": 1000, "min": 5, "max": 720}


async def test_a_client_reads_the_public_profile_with_its_rating(db):
    pro = await f.professional(db, bio="CBT for adults", slug="paula-moura")
    cli = await f.client(db, pro)
    for rating, hour in ((5, 10), (4, 12)):
        appt = await f.appointment(db, pro, cli, NOW - timedelta(days=3, hours=hour))
        await f.add(
            db,
            Review(professional_id=pro.id, client_id=cli.id, appointment_id=appt.id, rating=rating),
        )
    async with db.for_user(f.next_user_id()) as uow:
        profile = await pros.get_by_slug(uow, slug="paula-moura")
        same = await pros.get_public(uow, professional_id=pro.id)
    assert profile == same
    assert (profile.name, profile.bio, profile.price_cents) == (pro.name, "CBT for adults", 15000)
    assert (profile.rating_average, profile.review_count) == (Decimal("4.50"), 2)


async def test_an_unknown_link_and_an_inactive_professional_get_their_own_errors(db):
    pro = await f.professional(db, slug="off-duty", active=False)
    async with db.for_user(f.next_user_id()) as uow:
        with pytest.raises(pros.ProfessionalNotFound):
            await pros.get_by_slug(uow, slug="nobody-here")
    async with db.for_user(pro.user_id) as uow:
        with pytest.raises(pros.ProfessionalInactive) as caught:
            await pros.get_by_slug(uow, slug="off-duty")
    assert caught.value.msgid != pros.ProfessionalNotFound.msgid


async def test_settings_are_saved_and_read_back(db):
    pro = await f.professional(db)
    change = SettingsChange.of(
        name="Clínica Bem Viver",
        bio="  Terapia  ",
        price_cents="R$ 180,50",
        payment_type=PaymentType.partial,
        payment_percentage=30,
        pix_key_type="email",
        pix_key="Contato@Example.COM",
        buffer_minutes=15,
        timezone="america/new_york",
        locale="es-419",
        morning_agenda_hour=7,
        phone="(11) 91234-5678",
        auto_confirm=True,
    )
    async with db.for_user(pro.user_id) as uow:
        await pros.update_settings(uow, changes=change)
        await uow.commit()
    async with db.for_user(pro.user_id) as uow:
        me = await pros.get_me(uow)
    assert me.name == "Clínica Bem Viver" and me.bio == "Terapia" and me.price_cents == 18050
    assert (me.payment_type, me.payment_percentage) == (PaymentType.partial, 30)
    assert (me.pix_key_type, me.pix_key) == (PixKeyType.email, "contato@example.com")
    assert (me.timezone, me.locale, me.phone) == ("America/New_York", "es", "+5511912345678")
    assert me.buffer_minutes == 15 and me.morning_agenda_hour == 7 and me.auto_confirm
    assert me.slug == pro.slug  # renaming keeps the link people already have


async def test_an_unset_setting_is_untouched_and_none_clears_an_optional_one(db):
    pro = await f.professional(db, bio="old bio", morning_agenda_hour=8)
    async with db.for_user(pro.user_id) as uow:
        me = await pros.update_settings(uow, changes=SettingsChange.of(bio=None, price_cents="0"))
    assert me.bio is None and me.morning_agenda_hour == 8
    assert me.price_cents == 0  # free sessions are a valid price


@pytest.mark.parametrize(
    ("values", "error", "field"),
    [
        ({"session_duration": 3}, pros.SettingOutOfRange, "session_duration"),
        ({"buffer_minutes": 241}, pros.SettingOutOfRange, "buffer_minutes"),
        ({"booking_horizon_days": 0}, pros.SettingOutOfRange, "booking_horizon_days"),
        ({"morning_agenda_hour": 24}, pros.SettingOutOfRange, "morning_agenda_hour"),
        ({"bio": "x" * 2001}, pros.TextTooLong, "bio"),
        ({"timezone": "Atlantis/Capital"}, InvalidTimezone, "timezone"),
        ({"shoe_size": 42}, errors.InvalidInput, "shoe_size"),
        ({"price_cents": "a lot"}, InvalidMoney, "price_cents"),
    ],
)
async def test_an_invalid_setting_is_refused_naming_its_field(values, error, field):
    with pytest.raises(error) as caught:
        SettingsChange.of(**values)
    assert caught.value.params["field"] == field


@pytest.mark.parametrize(
    ("values", "error", "field"),
    [
        ({"name": None}, pros.SettingRequired, "name"),
        (
            {"payment_type": "upfront", "payment_percentage": 50},
            pros.PaymentPercentageMismatch,
            "payment_percentage",
        ),
        (
            {"payment_type": "partial", "payment_percentage": 100},
            pros.PaymentPercentageMismatch,
            "payment_percentage",
        ),
        ({"pix_key": "123.456.789-09"}, pros.SettingRequired, "pix_key_type"),
        ({"pix_key_type": "cpf"}, pros.SettingRequired, "pix_key"),
        ({"pix_key_type": "cpf", "pix_key": "111.111.111-11"}, InvalidPixKey, "pix_key"),
    ],
)
async def test_settings_that_do_not_fit_together_are_refused(db, values, error, field):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        with pytest.raises(error) as caught:
            await pros.update_settings(uow, changes=SettingsChange.of(**values))
    assert caught.value.params["field"] == field


async def test_choosing_upfront_payment_sets_the_percentage_to_the_whole_price(db):
    pro = await f.professional(db, payment_type=PaymentType.partial, payment_percentage=40)
    async with db.for_user(pro.user_id) as uow:
        me = await pros.update_settings(
            uow, changes=SettingsChange.of(payment_type=PaymentType.upfront)
        )
    assert (me.payment_type, me.payment_percentage) == (PaymentType.upfront, 100)


async def test_only_the_system_scope_changes_a_plan(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        with pytest.raises(errors.NotAllowed):
            await pros.set_plan(uow, professional_id=pro.id, plan=Plan.pro, trial_ends_at=None)
    async with db.system("payments") as uow:
        view = await pros.set_plan(uow, professional_id=pro.id, plan=Plan.pro, trial_ends_at=None)
        await uow.commit()
    assert view.plan is Plan.pro and pros.has_pro(view, now=NOW)
