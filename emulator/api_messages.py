"""Bot API methods that send, edit, copy and delete messages."""

from __future__ import annotations

from typing import Any

from .entities import EntityParseError, parse_text, sort_entities, strip_text
from .files import MAX_PHOTO_BYTES, MAX_UPLOAD_BYTES
from .markup import parse_inline_markup, parse_reply_markup
from .params import ApiError, Params, Upload, bad_request
from .state import ChatLog, RecordedMessage
from .world import Handler, World

MAX_TEXT = 4096
MAX_CAPTION = 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def formatted(
    p: Params, field: str, entities_field: str, *, limit: int, too_long: str, empty: str | None
) -> tuple[str | None, list[dict[str, Any]]]:
    """Parse a text or caption parameter; `empty=None` means the field is optional."""
    raw = p.get_str(field)
    if raw is None or raw == "":
        if empty is not None:
            raise bad_request(empty)
        return None, []
    explicit = p.get_json(entities_field)
    if isinstance(explicit, list):
        text, entities = raw, [dict(e) for e in explicit]
    else:
        try:
            text, entities = parse_text(raw, p.get_str("parse_mode"))
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        except ValueError:
            raise bad_request("unsupported parse_mode") from None
    text, entities = strip_text(text, entities)
    if not text:
        if empty is not None:
            raise bad_request(empty)
        return None, []
    # Telegram counts characters after entity parsing, not bytes or UTF-16 units.
    if len(text) > limit:
        raise bad_request(too_long)
    return text, sort_entities(entities)


def _text(p: Params) -> tuple[str | None, list[dict[str, Any]]]:
    return formatted(
        p,
        "text",
        "entities",
        limit=MAX_TEXT,
        too_long="message is too long",
        empty="message text is empty",
    )


def _caption(p: Params) -> tuple[str | None, list[dict[str, Any]]]:
    return formatted(
        p,
        "caption",
        "caption_entities",
        limit=MAX_CAPTION,
        too_long="message caption is too long",
        empty=None,
    )


def _markup(p: Params) -> dict[str, Any] | None:
    return parse_reply_markup(
        p.get_json("reply_markup", error="can't parse reply keyboard markup JSON object")
    )


def _reply_to(chat: ChatLog, p: Params) -> int | None:
    options = p.get_json("reply_parameters")
    allow_missing = p.get_bool("allow_sending_without_reply")
    if isinstance(options, dict):
        message_id = options.get("message_id")
        allow_missing = allow_missing or bool(options.get("allow_sending_without_reply"))
    else:
        message_id = p.get_int("reply_to_message_id")
    if message_id is None:
        return None
    target = chat.get(int(message_id))
    if target is None or target.deleted:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return target.message_id


def _deliver(
    world: World, chat: ChatLog, markup: dict[str, Any] | None, **fields: Any
) -> RecordedMessage:
    world.flood.admit(chat.id)
    message = chat.record(True, world.bot_user(), reply_markup=markup, **fields)
    if markup and "keyboard" in markup:
        chat.reply_keyboard = markup
    elif markup and markup.get("remove_keyboard"):
        chat.reply_keyboard = None
    return message


async def send_message(world: World, p: Params) -> dict[str, Any]:
    chat = world.writable_chat(p)
    text, entities = _text(p)
    markup = _markup(p)
    reply_to = _reply_to(chat, p)
    message = _deliver(
        world,
        chat,
        markup,
        text=text,
        entities=entities,
        reply_to_message_id=reply_to,
        parse_mode=p.get_str("parse_mode"),
    )
    return chat.message_api(message)


def _file_param(p: Params, name: str, missing: str, limit: int) -> Upload | str:
    value = p.input_file(name)
    if value is None:
        raise bad_request(missing)
    if isinstance(value, Upload):
        if len(value.data) > limit:
            raise ApiError(413, "Request Entity Too Large")
        if not value.data:
            raise bad_request("file must be non-empty")
        return value
    if value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    return value


async def send_photo(world: World, p: Params) -> dict[str, Any]:
    chat = world.writable_chat(p)
    source = _file_param(p, "photo", "there is no photo in the request", MAX_PHOTO_BYTES)
    caption, caption_entities = _caption(p)
    markup = _markup(p)
    reply_to = _reply_to(chat, p)
    if isinstance(source, Upload):
        sizes = world.files.add_photo(source.data)
        if sizes is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
    else:
        sizes = world.files.photo_set(source)
        if sizes is None:
            known = world.files.get(source)
            if known is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            raise bad_request(f"can't use file of type {known.kind.capitalize()} as Photo")
    message = _deliver(
        world,
        chat,
        markup,
        photo=sizes,
        caption=caption,
        caption_entities=caption_entities,
        reply_to_message_id=reply_to,
    )
    return chat.message_api(message)


async def send_document(world: World, p: Params) -> dict[str, Any]:
    chat = world.writable_chat(p)
    source = _file_param(p, "document", "there is no document in the request", MAX_UPLOAD_BYTES)
    caption, caption_entities = _caption(p)
    markup = _markup(p)
    reply_to = _reply_to(chat, p)
    if isinstance(source, Upload):
        stored = world.files.add_document(source.data, source.filename, source.content_type)
    else:
        known = world.files.get(source)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if known.kind != "document":
            raise bad_request(f"can't use file of type {known.kind.capitalize()} as Document")
        stored = known
    message = _deliver(
        world,
        chat,
        markup,
        document=stored.to_document(),
        caption=caption,
        caption_entities=caption_entities,
        reply_to_message_id=reply_to,
    )
    return chat.message_api(message)


def _source(world: World, p: Params, missing: str) -> RecordedMessage:
    source_chat = world.chat_of(p, "from_chat_id")
    message_id = p.get_int("message_id", error=missing)
    source = source_chat.get(message_id) if message_id is not None else None
    if source is None or source.deleted:
        raise bad_request(missing)
    return source


async def copy_message(world: World, p: Params) -> dict[str, Any]:
    chat = world.writable_chat(p)
    source = _source(world, p, "message to copy not found")
    if p.has("caption"):
        caption, caption_entities = _caption(p)
    else:
        caption, caption_entities = source.caption, source.current.caption_entities
    message = _deliver(
        world,
        chat,
        _markup(p),
        text=source.text,
        entities=list(source.entities),
        caption=caption if (source.photo or source.document) else None,
        caption_entities=caption_entities,
        photo=source.photo,
        document=source.document,
        contact=source.contact,
        location=source.location,
        reply_to_message_id=_reply_to(chat, p),
    )
    return {"message_id": message.message_id}


async def forward_message(world: World, p: Params) -> dict[str, Any]:
    chat = world.writable_chat(p)
    source = _source(world, p, "message to forward not found")
    origin = source.forward_origin or {
        "type": "user",
        "date": source.date,
        "sender_user": source.sender,
    }
    message = _deliver(
        world,
        chat,
        None,
        text=source.text,
        entities=list(source.entities),
        caption=source.caption,
        caption_entities=source.current.caption_entities,
        photo=source.photo,
        document=source.document,
        contact=source.contact,
        location=source.location,
        forward_origin=origin,
    )
    return chat.message_api(message)


def _edit_target(world: World, p: Params) -> tuple[ChatLog, RecordedMessage]:
    if not p.has("chat_id"):
        # Inline-mode messages do not exist here; Telegram refuses unknown ids this way.
        raise bad_request("MESSAGE_ID_INVALID")
    chat = world.chat_of(p)
    if chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    message_id = p.get_int("message_id", error="message to edit not found")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.get(message_id)
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


def _inline_markup(p: Params) -> dict[str, Any] | None:
    return parse_inline_markup(
        p.get_json("reply_markup", error="can't parse reply keyboard markup JSON object")
    )


async def edit_message_text(world: World, p: Params) -> dict[str, Any]:
    chat, message = _edit_target(world, p)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = _text(p)
    # Leaving reply_markup out removes the keyboard, exactly as on Telegram.
    markup = _inline_markup(p)
    current = message.current
    if (text, entities, markup) == (current.text, current.entities, current.reply_markup):
        raise bad_request(NOT_MODIFIED)
    chat.edit(message, text=text, entities=entities, reply_markup=markup)
    return chat.message_api(message)


async def edit_message_caption(world: World, p: Params) -> dict[str, Any]:
    chat, message = _edit_target(world, p)
    if message.photo is None and message.document is None:
        raise bad_request("there is no caption in the message to edit")
    caption, caption_entities = _caption(p)
    markup = _inline_markup(p)
    current = message.current
    if (caption, caption_entities, markup) == (
        current.caption,
        current.caption_entities,
        current.reply_markup,
    ):
        raise bad_request(NOT_MODIFIED)
    chat.edit(message, caption=caption, caption_entities=caption_entities, reply_markup=markup)
    return chat.message_api(message)


async def edit_message_reply_markup(world: World, p: Params) -> dict[str, Any]:
    chat, message = _edit_target(world, p)
    markup = _inline_markup(p)
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    chat.edit(message, reply_markup=markup)
    return chat.message_api(message)


async def delete_message(world: World, p: Params) -> bool:
    chat = world.chat_of(p)
    message_id = p.get_int("message_id", error="message to delete not found")
    message = chat.get(message_id) if message_id is not None else None
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    message.deleted = True
    chat.changed.notify()
    return True


async def delete_messages(world: World, p: Params) -> bool:
    chat = world.chat_of(p)
    ids = p.get_json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a non-empty list of at most 100 identifiers")
    for message_id in ids:
        message = chat.get(int(message_id))
        if message is not None:
            message.deleted = True
    chat.changed.notify()
    return True


async def send_chat_action(world: World, p: Params) -> bool:
    chat = world.writable_chat(p)
    action = p.get_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    chat.changed.notify()
    return True


METHODS: dict[str, Handler] = {
    "sendmessage": send_message,
    "sendphoto": send_photo,
    "senddocument": send_document,
    "copymessage": copy_message,
    "forwardmessage": forward_message,
    "editmessagetext": edit_message_text,
    "editmessagecaption": edit_message_caption,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "deletemessages": delete_messages,
    "sendchataction": send_chat_action,
}
