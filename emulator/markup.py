"""Reply markup validation: inline keyboards, reply keyboards, removal and force-reply.

Markups are normalised (string buttons become `{"text": ...}`) so that an edit with
the same keyboard compares equal, as it does for Telegram's "message is not modified".
"""

from __future__ import annotations

from typing import Any

from .params import bad_request

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_REPLY_OPTIONS = (
    "is_persistent",
    "resize_keyboard",
    "one_time_keyboard",
    "input_field_placeholder",
    "selective",
)
_MAX_BUTTONS = 100
_MARKUP_JSON_ERROR = "can't parse reply keyboard markup JSON object"


def parse_reply_markup(value: Any) -> dict[str, Any] | None:
    """Validate a `reply_markup` value (already JSON-decoded) and return it normalised."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(_MARKUP_JSON_ERROR)
    if "inline_keyboard" in value:
        return {"inline_keyboard": _inline_rows(value["inline_keyboard"])}
    if "keyboard" in value:
        markup: dict[str, Any] = {"keyboard": _reply_rows(value["keyboard"])}
        markup.update({k: value[k] for k in _REPLY_OPTIONS if value.get(k) not in (None, False)})
        return markup
    if value.get("remove_keyboard"):
        return {"remove_keyboard": True} | ({"selective": True} if value.get("selective") else {})
    if value.get("force_reply"):
        extra = {k: value[k] for k in ("input_field_placeholder", "selective") if value.get(k)}
        return {"force_reply": True} | extra
    raise bad_request(_MARKUP_JSON_ERROR)


def parse_inline_markup(value: Any) -> dict[str, Any] | None:
    """Edits only take inline keyboards."""
    markup = parse_reply_markup(value)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    if markup is not None and not markup["inline_keyboard"]:
        return None
    return markup


def _rows(value: Any, field: str) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise bad_request(f'field "{field}" of the keyboard must be an Array of Arrays')
    if sum(len(row) for row in value) > _MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return value


def _inline_rows(value: Any) -> list[list[dict[str, Any]]]:
    rows = _rows(value, "inline_keyboard")
    result = [[_inline_button(button) for button in row] for row in rows]
    return [row for row in result if row]


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if "text" not in button:
        raise bad_request("can't parse inline keyboard button: Can't find field \"text\"")
    text = str(button["text"])
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [k for k in _INLINE_ACTIONS if button.get(k) not in (None, "", False)]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    normalised: dict[str, Any] = {"text": text}
    for key in actions:
        normalised[key] = button[key]
    if "callback_data" in normalised:
        data = str(normalised["callback_data"])
        if not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
        normalised["callback_data"] = data
    if "url" in normalised:
        url = str(normalised["url"])
        if not url.startswith(("http://", "https://", "tg://")):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return normalised


def _reply_rows(value: Any) -> list[list[dict[str, Any]]]:
    rows = _rows(value, "keyboard")
    result: list[list[dict[str, Any]]] = []
    for row in rows:
        buttons: list[dict[str, Any]] = []
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise bad_request("can't parse keyboard button: Text must be non-empty")
            buttons.append({k: v for k, v in button.items() if v not in (None, False)})
        if buttons:
            result.append(buttons)
    return result


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]


def reply_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not markup or "keyboard" not in markup:
        return []
    return [button for row in markup["keyboard"] for button in row]
