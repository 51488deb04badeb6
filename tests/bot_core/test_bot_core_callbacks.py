"""Callback data stays within Telegram's 64 bytes and is parsed in one place; long replies are
split where a reader expects a break."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from bot.callbacks import (
    Callback,
    arg_instant,
    arg_int,
    arg_uuid,
    instant_arg,
    matches,
    parse,
    register_namespace,
    uuid_arg,
)
from bot.context import split_text

NS = register_namespace("tstcb", owner="tests.bot_core")


def test_a_button_with_two_ids_and_a_start_time_fits_in_64_bytes_and_parses_back():
    pro, slot_owner = uuid.uuid4(), uuid.uuid4()
    start = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)
    data = Callback(NS, "slot", (uuid_arg(pro), uuid_arg(slot_owner), instant_arg(start))).encode()

    assert len(data.encode()) <= 64
    parsed = parse(data)
    assert parsed is not None and parsed.ns == NS and parsed.action == "slot"
    assert arg_uuid(parsed.arg(0)) == pro
    assert arg_uuid(parsed.arg(1)) == slot_owner
    assert arg_instant(parsed.arg(2)) == start
    assert parsed.arg(3) is None


def test_callback_data_over_64_bytes_is_refused_when_the_button_is_made():
    with pytest.raises(ValueError, match="64"):
        Callback(NS, "note", ("é" * 30,)).encode()


def test_arguments_cannot_smuggle_a_separator():
    with pytest.raises(ValueError):
        Callback(NS, "slot", ("a:b",)).encode()


@pytest.mark.parametrize(
    "data",
    ["", "tstcb", "tstcb:", "nope:slot:1", "TSTCB:slot", "tstcb:Slot!", "x" * 65, None, 42],
)
def test_malformed_or_unknown_callback_data_parses_to_none(data):
    assert parse(data) is None


def test_a_handler_pattern_accepts_its_namespace_and_action_only():
    is_slot = matches(NS, "slot")
    assert is_slot(f"{NS}:slot:1")
    assert not is_slot(f"{NS}:day:1")
    assert not is_slot("other:slot:1")
    assert matches(NS)(f"{NS}:day")


def test_a_namespace_belongs_to_one_feature():
    with pytest.raises(ValueError, match="already used"):
        register_namespace(NS, owner="someone else")


def test_compact_arguments_refuse_what_they_did_not_write():
    assert arg_uuid("too-short") is None
    assert arg_uuid(None) is None
    assert arg_int("12") == 12 and arg_int("1e3") is None
    assert arg_instant("ZZ") is None
    with pytest.raises(ValueError):
        instant_arg(datetime(2026, 11, 26, 17, 30, 15, tzinfo=UTC))


def test_a_long_reply_is_split_at_line_breaks_within_the_limit():
    lines = [f"Session {n}: Thursday 26 November, 14:00" for n in range(300)]
    pieces = split_text("\n".join(lines), limit=4096)

    assert len(pieces) > 1
    assert all(len(piece) <= 4096 for piece in pieces)
    assert "\n".join(pieces).splitlines() == lines


def test_a_single_line_longer_than_the_limit_is_cut_at_a_space():
    text = " ".join(["word"] * 30)
    pieces = split_text(text, limit=50)

    assert all(len(piece) <= 50 for piece in pieces)
    assert "".join(pieces) == text
    assert all(piece.endswith("word ") or piece == pieces[-1] for piece in pieces)


def test_a_short_text_is_one_piece():
    assert split_text("Booked!") == ["Booked!"]
