"""Formatted text as Telegram parses it: HTML, MarkdownV2 and legacy Markdown.

Parsing matters for fidelity: Telegram stores the plain text plus entities (offsets in
UTF-16 code units), refuses malformed markup with "can't parse entities", and measures
the 4096/1024 limits after parsing. A bot that forgets to escape a user's name should
fail here, not in production.
"""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MD2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


class EntityParseError(ValueError):
    """Markup Telegram would refuse; the message is Telegram's own wording."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Builder:
    """Collects plain text while tracking UTF-16 offsets for entities."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start} | extra
            )

    def result(self) -> tuple[str, list[Entity]]:
        return "".join(self.parts), self.entities


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def parse_html(src: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "&":
            end = src.find(";", i)
            name = src[i + 1 : end] if end != -1 else ""
            decoded = _decode_entity(name) if 0 < len(name) <= 10 else None
            if decoded is None:
                out.add("&")
                i += 1
            else:
                out.add(decoded)
                i = end + 1
            continue
        if ch != "<":
            out.add(ch)
            i += 1
            continue
        end = src.find(">", i)
        if end == -1:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(src, i)}")
        body = src[i + 1 : end]
        if body.startswith("/"):
            name = body[1:].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(src, i)}")
            open_name, start, attrs = stack.pop()
            if name and name != open_name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(src, i)}, "
                    f'expected "</{open_name}>", found "</{name}>"'
                )
            _close_html(out, open_name, start, attrs)
        else:
            # Like Telegram, the tag name runs up to whitespace or '>'.
            name = re.split(r"\s", body, maxsplit=1)[0].lower()
            attrs = _html_attrs(body[len(name) :])
            if name not in _HTML_TAGS or (name == "span" and attrs.get("class") != "tg-spoiler"):
                raise EntityParseError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, i)}'
                )
            stack.append((name, out.pos, attrs))
        i = end + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    text, entities = out.result()
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return text, entities


def _decode_entity(name: str) -> str | None:
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name]
    try:
        if name.startswith(("#x", "#X")):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
    except (ValueError, OverflowError):
        return None
    return None


def _html_attrs(text: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    pattern = r"""([A-Za-z-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
    for m in re.finditer(pattern, text):
        attrs[m.group(1).lower()] = m.group(2) or m.group(3) or m.group(4) or ""
    return attrs


def _close_html(out: _Builder, name: str, start: int, attrs: dict[str, str]) -> None:
    kind = _HTML_TAGS[name]
    if name == "a":
        url = attrs.get("href", "")
        user = re.fullmatch(r"tg://user\?id=(\d+)", url)
        if user:
            out.entity("text_mention", start, user={"id": int(user.group(1))})
        elif url:
            out.entity("text_link", start, url=url)
    elif name == "code":
        css = attrs.get("class", "")
        out.entity("code", start, **({"language": css[9:]} if css.startswith("language-") else {}))
    elif name == "pre":
        # <pre><code class="language-x"> is one pre entity carrying the language.
        inner = next(
            (
                e
                for e in out.entities
                if e["type"] == "code" and e["offset"] == start and e["length"] == out.pos - start
            ),
            None,
        )
        language = inner.get("language") if inner else None
        if inner is not None:
            out.entities.remove(inner)
        out.entity("pre", start, **({"language": language} if language else {}))
    elif name == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in attrs else "blockquote", start)
    elif name == "tg-emoji":
        out.entity(kind, start, custom_emoji_id=attrs.get("emoji-id", ""))
    else:
        out.entity(kind, start)


def _md2_closer(src: str, i: int) -> tuple[str, int] | None:
    """The MarkdownV2 entity marker at `i`, as (kind, marker length)."""
    if src.startswith("```", i):
        return "pre", 3
    if src.startswith("||", i):
        return "spoiler", 2
    if src.startswith("__", i):
        return "underline", 2
    marks = {"*": "bold", "_": "italic", "~": "strikethrough", "`": "code"}
    if src[i] in marks:
        return marks[src[i]], 1
    return None


def parse_markdown_v2(src: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # kind, utf16 start, byte offset of the marker
    quote_start: int | None = None
    i = 0
    while i < len(src):
        ch = src[i]
        at_line_start = i == 0 or src[i - 1] == "\n"
        if ch == "\\" and i + 1 < len(src) and 0 < ord(src[i + 1]) < 127:
            out.add(src[i + 1])
            i += 2
            continue
        if stack and stack[-1][0] in ("code", "pre"):
            kind = stack[-1][0]
            marker = "```" if kind == "pre" else "`"
            if src.startswith(marker, i):
                _, start, _ = stack.pop()
                out.entity(kind, start)
                i += len(marker)
            else:
                out.add(ch)
                i += 1
            continue
        if at_line_start and ch == ">" and not stack:
            if quote_start is None:
                quote_start = out.pos
            i += 1
            continue
        if ch == "\n" and quote_start is not None and not src.startswith(">", i + 1):
            out.entity("blockquote", quote_start)
            quote_start = None
        found = _md2_closer(src, i)
        if found is not None:
            kind, size = found
            if stack and stack[-1][0] == kind:
                _, start, _ = stack.pop()
                out.entity(kind, start)
            else:
                stack.append((kind, out.pos, _byte_offset(src, i)))
                if kind == "pre":
                    newline = src.find("\n", i + 3)
                    header = src[i + 3 : newline] if newline != -1 else ""
                    if header and re.fullmatch(r"[A-Za-z0-9+#_-]+", header):
                        i = newline + 1
                        continue
            i += size
            continue
        if ch == "[":
            stack.append(("text_link", out.pos, _byte_offset(src, i)))
            i += 1
            continue
        if ch == "]" and stack and stack[-1][0] == "text_link":
            _, start, offset = stack.pop()
            if not src.startswith("(", i + 1):
                raise EntityParseError(f"Can't find end of a URL at byte offset {offset}")
            close = src.find(")", i + 2)
            if close == -1:
                raise EntityParseError(f"Can't find end of a URL at byte offset {offset}")
            out.entity("text_link", start, url=src[i + 2 : close].replace("\\", ""))
            i = close + 1
            continue
        if ch in _MD2_RESERVED:
            raise EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.add(ch)
        i += 1
    if stack:
        raise EntityParseError(
            f"Can't find end of the entity starting at byte offset {stack[-1][2]}"
        )
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    return out.result()


def parse_markdown(src: str) -> tuple[str, list[Entity]]:
    """Legacy Markdown: no nesting, only `_ * ` [` can be escaped."""
    out = _Builder()
    marks = {"*": "bold", "_": "italic", "`": "code"}
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "\\" and i + 1 < len(src) and src[i + 1] in "_*`[":
            out.add(src[i + 1])
            i += 2
            continue
        if src.startswith("```", i) or ch in marks:
            marker = "```" if src.startswith("```", i) else ch
            close = src.find(marker, i + len(marker))
            if close == -1:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
                )
            start = out.pos
            out.add(src[i + len(marker) : close])
            out.entity("pre" if marker == "```" else marks[ch], start)
            i = close + len(marker)
            continue
        if ch == "[":
            close = src.find("]", i + 1)
            if close != -1 and src.startswith("(", close + 1) and ")" in src[close:]:
                url_end = src.find(")", close)
                start = out.pos
                out.add(src[i + 1 : close])
                out.entity("text_link", start, url=src[close + 2 : url_end])
                i = url_end + 1
                continue
        out.add(ch)
        i += 1
    return out.result()


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Plain text and entities for `text` under `parse_mode`; raises EntityParseError."""
    mode = (parse_mode or "").strip().lower()
    if mode == "":
        return text, []
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise ValueError(f"unsupported parse_mode {parse_mode}")


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace as Telegram does, moving and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append(entity | {"offset": start, "length": end - start})
    return stripped, kept


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def command_entities(text: str) -> list[Entity]:
    """The bot_command entities Telegram's clients mark in what a user types."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group(0)),
        }
        for m in _COMMAND.finditer(text)
    ]
