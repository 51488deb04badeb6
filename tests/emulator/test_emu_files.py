"""Uploads are stored and come back byte for byte through getFile and the file URL."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest

from emulator import BotApiEmulator, EmuUser, make_png


async def test_send_document_round_trips_bytes_through_get_file_and_download(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    payload = bytes(range(256)) * 40

    sent = await bot.send_document(ana.id, payload, filename="booking.ics", caption="Your booking")
    assert sent.document is not None
    file = await bot.get_file(sent.document.file_id)
    downloaded = await file.download_as_bytearray()

    assert bytes(downloaded) == payload
    assert sent.document.file_name == "booking.ics"
    assert sent.document.mime_type == "text/calendar"
    assert sent.document.file_size == len(payload)
    assert sent.caption == "Your booking"
    assert emu.chat(ana.id).bot_messages[0].document == sent.document.to_dict()


async def test_a_document_can_be_resent_by_file_id_but_not_as_a_photo(
    ana: EmuUser, bot: Bot
) -> None:
    first = await bot.send_document(ana.id, b"%PDF-1.4 tiny", filename="a.pdf")
    assert first.document is not None

    again = await bot.send_document(ana.id, first.document.file_id)

    assert again.document is not None
    assert again.document.file_unique_id == first.document.file_unique_id
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type document as photo"):
        await bot.send_photo(ana.id, first.document.file_id)
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(ana.id, "no-such-file-id")


async def test_send_photo_returns_sizes_of_a_real_image_and_refuses_other_bytes(
    ana: EmuUser, bot: Bot
) -> None:
    png = make_png(1000, 500)

    sent = await bot.send_photo(ana.id, png)

    assert [(p.width, p.height) for p in sent.photo] == [
        (90, 45),
        (320, 160),
        (800, 400),
        (1000, 500),
    ]
    largest = await bot.get_file(sent.photo[-1].file_id)
    assert bytes(await largest.download_as_bytearray()) == png
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(ana.id, b"not an image")


async def test_a_photo_a_user_sends_can_be_downloaded_by_the_bot(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    png = make_png(64, 64)
    await emu.send_photo(ana.id, png, caption="my id card")

    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.caption == "my id card"
    file = await update.message.photo[-1].get_file()

    assert bytes(await file.download_as_bytearray()) == png


async def test_a_caption_over_1024_characters_is_refused(ana: EmuUser, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)^message caption is too long$"):
        await bot.send_document(ana.id, b"x", filename="x.txt", caption="c" * 1025)
