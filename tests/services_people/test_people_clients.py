"""Deep links, accounts, the professional's client list, and private notes."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core import errors
from core.models import AppointmentStatus, ClientNote
from core.services import booking, clients, messages
from core.services.professionals import ProfessionalInactive, ProfessionalNotFound
from core.validation import InvalidLocale, InvalidPhone, InvalidTimezone
from tests import factories as f

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


async def open_link(db, user_id: int, payload: str, first_name: str = "Lia", **kw):
    async with db.for_user(user_id) as uow:
        result = await clients.open_link(
            uow,
            payload=payload,
            first_name=first_name,
            username=kw.get("username"),
            language_code=kw.get("language_code", "pt-br"),
        )
        await uow.commit()
    return result


async def test_opening_a_link_creates_the_client_once_and_finds_it_again(db):
    pro = await f.professional(db, slug="dr-rui")
    uid = f.next_user_id()
    first = await open_link(db, uid, "dr-rui", first_name="  Lia   Mendes ")
    again = await open_link(db, uid, "dr-rui", first_name="Lia M.")
    assert first.created and not again.created
    assert first.client == again.client
    assert (first.client.name, first.client.user_id) == ("Lia Mendes", uid)
    assert first.professional.id == pro.id and first.professional.name == pro.name


async def test_opening_a_link_twice_at_once_still_makes_one_client(db):
    await f.professional(db, slug="dr-ana")
    uid = f.next_user_id()
    results = await asyncio.gather(*(open_link(db, uid, "dr-ana") for _ in range(3)))
    assert len({r.client.id for r in results}) == 1


async def test_opening_a_link_records_the_telegram_account(db):
    await f.professional(db, slug="dr-bia")
    uid = f.next_user_id()
    await open_link(db, uid, "dr-bia", first_name="Léo", username="leo_r", language_code="es-AR")
    async with db.for_user(uid) as uow:
        account = await clients.get_account(uow)
    assert (account.first_name, account.username, account.locale) == ("Léo", "leo_r", "es")


async def test_a_professional_opening_their_own_link_is_told_so(db):
    pro = await f.professional(db, slug="my-own")
    with pytest.raises(clients.OwnLink):
        await open_link(db, pro.user_id, "my-own")


async def test_an_unknown_link_and_an_inactive_professional_get_different_answers(db):
    await f.professional(db, slug="on-break", active=False, name="Dra. Pausa")
    with pytest.raises(ProfessionalNotFound) as unknown:
        await open_link(db, f.next_user_id(), "no-such-slug")
    assert unknown.value.msgid == "professional.not_found"
    # The profile stays hidden; only the fact that they are not taking bookings is told.
    with pytest.raises(ProfessionalInactive) as inactive:
        await open_link(db, f.next_user_id(), "on-break")
    assert inactive.value.params == {"name": "Dra. Pausa"}


async def test_an_invite_links_the_hand_added_client_and_works_only_once(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        card = await clients.add_client(uow, name="Rita Paz", phone="11 98765-4321")
        await uow.commit()
    token = card.invite_payload
    assert token and token.startswith("inv_") and PAYLOAD.match(token)

    uid = f.next_user_id()
    linked = await open_link(db, uid, token, first_name="Rita")
    assert linked.via_invite and linked.client.id == card.client.id
    assert (linked.client.name, linked.client.phone) == ("Rita Paz", "+5511987654321")
    assert linked.client.user_id == uid

    with pytest.raises(clients.InviteInvalid):
        await open_link(db, f.next_user_id(), token)
    with pytest.raises(clients.InviteInvalid):
        await open_link(db, f.next_user_id(), "inv_nonsense")


async def test_a_professional_opening_an_invite_of_their_own_client_is_told_so(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        card = await clients.add_client(uow, name="Tom")
        await uow.commit()
    with pytest.raises(clients.OwnLink):
        await open_link(db, pro.user_id, card.invite_payload)


async def test_a_new_invite_is_issued_only_while_the_client_is_unlinked(db):
    pro = await f.professional(db)
    hand_added = await f.client(db, pro, user_id=None, name="Ana")
    linked = await f.client(db, pro)
    async with db.for_user(pro.user_id) as uow:
        token = await clients.invite_payload(uow, client_id=hand_added.id)
        assert await clients.invite_payload(uow, client_id=hand_added.id) == token
        with pytest.raises(errors.AlreadyClient):
            await clients.invite_payload(uow, client_id=linked.id)


async def test_language_and_time_zone_choices_are_validated_and_kept(db):
    uid = f.next_user_id()
    async with db.for_user(uid) as uow:
        account = await clients.ensure_account(
            uow, first_name="Kai", username=None, language_code="de"
        )
        assert account.locale == "en"  # an unsupported Telegram language falls back
        with pytest.raises(InvalidLocale):
            await clients.set_language(uow, locale="klingon")
        with pytest.raises(InvalidTimezone):
            await clients.set_timezone(uow, timezone="Moon/Base")
        await clients.set_language(uow, locale="pt")
        await clients.set_timezone(uow, timezone="europe/lisbon")
        await uow.commit()
    async with db.for_user(uid) as uow:
        account = await clients.get_account(uow)
    assert (account.locale, account.chosen_locale, account.timezone) == (
        "pt_BR",
        "pt_BR",
        "Europe/Lisbon",
    )


async def test_a_client_completes_their_contact_for_one_professional(db):
    pro = await f.professional(db, slug="dr-edu")
    uid = f.next_user_id()
    await open_link(db, uid, "dr-edu")
    async with db.for_user(uid) as uow:
        with pytest.raises(InvalidPhone):
            await clients.update_contact(uow, professional_id=pro.id, phone="call me")
        view = await clients.update_contact(
            uow, professional_id=pro.id, name="Lia Souza", phone="+351 912 345 678"
        )
        with pytest.raises(clients.NotAClient):
            other = await f.professional(db)
            await clients.update_contact(uow, professional_id=other.id, name="X")
    assert (view.name, view.phone) == ("Lia Souza", "+351912345678")


async def test_a_client_reads_back_their_own_contact_and_nobody_elses(db):
    pro = await f.professional(db, slug="dr-rui")
    lia, ana = f.next_user_id(), f.next_user_id()
    await open_link(db, lia, "dr-rui")
    await open_link(db, ana, "dr-rui")
    async with db.for_user(lia) as uow:
        await clients.update_contact(uow, professional_id=pro.id, phone="+351 912 345 678")
        await uow.commit()

    async with db.for_user(lia) as uow:
        mine = await clients.my_record(uow, professional_id=pro.id)
    async with db.for_user(ana) as uow:
        hers = await clients.my_record(uow, professional_id=pro.id)
        with pytest.raises(clients.NotAClient):
            await clients.my_record(uow, professional_id=(await f.professional(db)).id)

    assert mine.phone == "+351912345678"
    assert hers.phone is None and hers.id != mine.id


async def test_client_search_ignores_case_and_accents_and_matches_phone_digits(db):
    pro = await f.professional(db)
    for name, phone in (("José Antônio", "+5511911112222"), ("Joana", None), ("Bruno", None)):
        await f.client(db, pro, name=name, phone=phone)
    await f.client(db, await f.professional(db), name="Jose Outro")  # someone else's client
    async with db.for_user(pro.user_id) as uow:
        by_name = await clients.list_clients(uow, search="JOSE ANTONIO")
        by_prefix = await clients.list_clients(uow, search="jo")
        by_phone = await clients.list_clients(uow, search="1111-2222")
        everyone = await clients.list_clients(uow, limit=2, offset=1)
        wildcard = await clients.list_clients(uow, search="%")
    assert [c.name for c in by_name] == ["José Antônio"]
    assert [c.name for c in by_prefix] == ["Joana", "José Antônio"]
    assert [c.name for c in by_phone] == ["José Antônio"]
    assert [c.name for c in everyone] == ["Joana", "José Antônio"]
    assert wildcard == []


async def test_the_client_card_shows_sessions_notes_and_counts(db):
    pro = await f.professional(db)
    cli = await f.client(db, pro)
    await f.appointment(db, pro, cli, NOW + timedelta(days=2))
    await f.appointment(db, pro, cli, NOW + timedelta(days=1), status=AppointmentStatus.cancelled)
    await f.appointment(db, pro, cli, NOW - timedelta(days=7), status=AppointmentStatus.completed)
    await f.appointment(db, pro, cli, NOW - timedelta(days=14), status=AppointmentStatus.no_show)
    for text in ("first session went well", "asked to move to Tuesdays"):
        async with db.for_user(pro.user_id) as uow:
            await clients.add_note(uow, client_id=cli.id, content=text)
            await uow.commit()
    async with db.for_user(pro.user_id) as uow:
        card = await clients.client_card(uow, client_id=cli.id, now=NOW)
    assert [s.starts_at for s in card.upcoming] == [NOW + timedelta(days=2)]
    assert [s.status for s in card.past] == [AppointmentStatus.completed, AppointmentStatus.no_show]
    assert [n.content for n in card.notes] == [
        "asked to move to Tuesdays",
        "first session went well",
    ]
    assert card.counts[AppointmentStatus.no_show] == 1
    assert card.counts[AppointmentStatus.cancelled] == 1


async def test_notes_are_edited_deleted_and_must_fit_4000_characters(db):
    pro = await f.professional(db)
    cli = await f.client(db, pro)
    async with db.for_user(pro.user_id) as uow:
        note = await clients.add_note(uow, client_id=cli.id, content=" anxious before exams ")
        for bad in ("   ", "x" * 4001):
            with pytest.raises(clients.NoteLength):
                await clients.add_note(uow, client_id=cli.id, content=bad)
        edited = await clients.edit_note(uow, note_id=note.id, content="calmer now")
        assert note.content == "anxious before exams" and edited.content == "calmer now"
        await clients.delete_note(uow, note_id=note.id)
        assert await clients.list_notes(uow, client_id=cli.id) == []
        with pytest.raises(clients.NoteNotFound):
            await clients.delete_note(uow, note_id=note.id)


async def test_notes_are_invisible_to_the_client_and_to_another_professional(db):
    pro, rival = await f.professional(db), await f.professional(db)
    cli = await f.client(db, pro)
    async with db.for_user(pro.user_id) as uow:
        note = await clients.add_note(uow, client_id=cli.id, content="private: panic attacks")
        await uow.commit()

    async with db.for_user(cli.user_id) as uow:
        assert (await uow.session.scalars(select(ClientNote))).all() == []
        with pytest.raises(errors.NotAllowed):
            await clients.list_notes(uow, client_id=cli.id)
    async with db.for_user(rival.user_id) as uow:
        assert (await uow.session.scalars(select(ClientNote))).all() == []
        with pytest.raises(clients.ClientNotFound):
            await clients.list_notes(uow, client_id=cli.id)
        with pytest.raises(clients.ClientNotFound):
            await clients.add_note(uow, client_id=cli.id, content="sneaky")
        with pytest.raises(clients.NoteNotFound):
            await clients.edit_note(uow, note_id=note.id, content="overwritten")
    async with db.for_user(pro.user_id) as uow:
        notes = await clients.list_notes(uow, client_id=cli.id)
    assert [n.content for n in notes] == ["private: panic attacks"]


async def test_a_person_lists_only_the_professionals_they_are_a_client_of(db):
    mine_a = await f.professional(db, name="Bruna Alves")
    mine_b = await f.professional(db, name="André Costa")
    await f.professional(db, name="Not Mine")
    paused = await f.professional(db, name="Paused Pro", active=False)
    uid = f.next_user_id()
    for pro in (mine_a, mine_b, paused):
        await f.client(db, pro, user_id=uid)
    async with db.for_user(uid) as uow:
        listed = await clients.my_professionals(uow)
    assert listed == [(mine_b.id, "André Costa"), (mine_a.id, "Bruna Alves")]


async def listed(db, pro) -> list[str]:
    async with db.for_user(pro.user_id) as uow:
        return [c.name for c in await clients.list_clients(uow)]


async def test_someone_who_opened_the_link_and_left_at_the_phone_step_is_not_a_client_yet(db):
    pro = await f.bookable(db, slug="dr-leo")
    uid = f.next_user_id()
    await open_link(db, uid, "dr-leo", first_name="Lia")
    async with db.for_user(uid) as uow:  # the name step, then nothing
        await clients.update_contact(uow, professional_id=pro.id, name="Lia Souza")
        await uow.commit()
    await f.client(db, pro, name="Bruno")  # an existing client

    assert await listed(db, pro) == ["Bruno"]

    async with db.for_user(uid) as uow:  # Lia comes back and books
        await booking.request(
            uow, professional_id=pro.id, start=datetime(2026, 11, 26, 17, tzinfo=UTC), now=NOW
        )
        await uow.commit()
    assert await listed(db, pro) == ["Bruno", "Lia Souza"]


async def test_someone_from_the_link_who_wrote_to_the_professional_is_listed(db):
    pro = await f.professional(db, slug="dr-ivo")
    uid = f.next_user_id()
    await open_link(db, uid, "dr-ivo", first_name="Caio")
    async with db.for_user(uid) as uow:
        await messages.send_from_client(uow, professional_id=pro.id, text="Tem horário?", now=NOW)
        await uow.commit()

    assert await listed(db, pro) == ["Caio"]


async def test_a_client_added_by_hand_stays_listed_once_they_open_their_invite(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        card = await clients.add_client(uow, name="Rita Paz")
        await uow.commit()
    assert card.invite_payload is not None
    await open_link(db, f.next_user_id(), card.invite_payload, first_name="Rita")

    assert await listed(db, pro) == ["Rita Paz"]
