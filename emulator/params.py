"""Bot API errors and request parameters as Telegram reads them.

Telegram accepts the same method as a query string, form-urlencoded, multipart or JSON
body. Form values are strings (python-telegram-bot JSON-encodes every non-string
value), so accessors coerce instead of trusting the Python type of a value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField


class ApiError(Exception):
    """A Bot API failure, answered as `{"ok": false, "error_code": ..., ...}`."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


NOT_FOUND = ApiError(404, "Not Found")


@dataclass(frozen=True)
class Upload:
    """A file that came in the request body itself."""

    data: bytes
    filename: str | None
    content_type: str | None


class Params:
    """The parameters of one Bot API call, with Telegram's lenient coercions."""

    def __init__(
        self, values: dict[str, Any] | None = None, uploads: dict[str, Upload] | None = None
    ) -> None:
        self.values: dict[str, Any] = dict(values or {})
        self.uploads: dict[str, Upload] = dict(uploads or {})

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        values: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if not request.body_exists:
            return cls(values, uploads)
        if request.content_type == "application/json":
            raw = await request.read()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError as exc:
                    raise bad_request("can't parse JSON object") from exc
                if not isinstance(body, dict):
                    raise bad_request("can't parse JSON object")
                values.update(body)
            return cls(values, uploads)
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, FileField):
                uploads[name] = Upload(value.file.read(), value.filename, value.content_type)
            elif isinstance(value, bytes | bytearray):
                values[name] = bytes(value).decode("utf-8", "replace")
            else:
                values[name] = value
        return cls(values, uploads)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict | list):
            return json.dumps(value)
        return str(value)

    def get_int(self, name: str, *, error: str | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            try:
                as_float = float(value)
            except (TypeError, ValueError):
                raise bad_request(error or f"invalid {name} specified") from None
            return int(as_float)

    def get_float(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def get_json(self, name: str, *, error: str | None = None) -> Any:
        """A JSON-typed parameter: already decoded in a JSON body, a string otherwise."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error or f"can't parse {name} JSON object") from None

    def input_file(self, name: str) -> Upload | str | None:
        """An InputFile parameter: an upload, an `attach://` reference, a file_id or a URL."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.get_str(name)
        if value is None or value == "":
            return None
        if value.startswith("attach://"):
            attached = self.uploads.get(value.removeprefix("attach://"))
            if attached is None:
                raise bad_request(f"file {value} not found in the request")
            return attached
        return value
