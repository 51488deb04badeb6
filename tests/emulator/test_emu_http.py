"""The raw HTTP surface: Telegram's envelope, routing, the control API and the CLI."""

from __future__ import annotations

import asyncio
import base64
import sys

import httpx
from telegram import Bot

from emulator import BotApiEmulator, EmuUser, make_png


async def test_unknown_methods_are_404_and_method_names_are_case_insensitive(
    emu: BotApiEmulator,
) -> None:
    async with httpx.AsyncClient(base_url=emu.url) as client:
        unknown = await client.post(f"/bot{emu.token}/sendTelepathy")
        me = await client.get(f"/bot{emu.token}/GETME")
        wrong_token = await client.post("/bot1:nope/getMe")
        form = await client.post(f"/bot{emu.token}/getUpdates", data={"timeout": "0"})

    assert (unknown.status_code, unknown.json()) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    assert me.json()["ok"] is True and me.json()["result"]["username"] == "bookingbot"
    assert wrong_token.status_code == 401
    assert form.json() == {"ok": True, "result": []}


async def test_the_bot_api_answers_telegrams_exact_error_bodies(
    emu: BotApiEmulator, ana: EmuUser
) -> None:
    send = f"/bot{emu.token}/sendMessage"
    async with httpx.AsyncClient(base_url=emu.url) as client:
        too_long = await client.post(send, json={"chat_id": ana.id, "text": "y" * 4097})
        bad_data = await client.post(
            send,
            data={
                "chat_id": str(ana.id),
                "text": "pick",
                "reply_markup": '{"inline_keyboard": [[{"text": "a", "callback_data": "%s"}]]}'
                % ("d" * 65),
            },
        )
        await emu.block(ana.id)
        blocked = await client.post(send, json={"chat_id": ana.id, "text": "hi"})

    assert too_long.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message is too long",
    }
    assert bad_data.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"
    assert blocked.status_code == 403
    assert blocked.json()["description"] == "Forbidden: bot was blocked by the user"


async def test_the_control_api_over_http_drives_a_user_and_reads_the_chat(
    emu: BotApiEmulator, bot: Bot
) -> None:
    async with httpx.AsyncClient(base_url=f"{emu.url}/control") as control:
        created = await control.post("/users", json={"id": 5005, "first_name": "Duda"})
        await control.post("/users/5005/command", json={"command": "start", "payload": "x1"})
        await control.post(
            "/users/5005/photo", json={"data_base64": base64.b64encode(make_png()).decode()}
        )
        updates = await bot.get_updates()
        sent = await bot.send_message(5005, "Hi Duda", reply_markup=None)
        waited = await control.get("/chats/5005/next", params={"timeout": "1"})
        timed_out = await control.get("/chats/5005/next", params={"timeout": "0.05"})
        chat = (await control.get("/chats/5005")).json()["result"]
        missing = await control.post("/users/6006/text", json={"text": "who?"})

    assert created.json()["result"]["first_name"] == "Duda"
    assert updates[0].message is not None and updates[0].message.text == "/start x1"
    assert updates[1].message is not None and updates[1].message.photo
    assert waited.json()["result"]["message_id"] == sent.message_id
    assert timed_out.status_code == 408
    assert [m["from_bot"] for m in chat["messages"]] == [False, False, True]
    assert missing.status_code == 404


async def test_the_standalone_entry_serves_and_prints_its_url() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        "--port",
        "0",
        "--user",
        "7:Eva:pt",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        url = line.rsplit(" ", 1)[-1].strip()
        async with httpx.AsyncClient(base_url=url) as client:
            users = (await client.get("/control/users")).json()["result"]
    finally:
        process.terminate()
        await process.wait()

    assert line.startswith("Telegram Bot API emulator at http://127.0.0.1:")
    assert users[0]["first_name"] == "Eva" and users[0]["language_code"] == "pt"
