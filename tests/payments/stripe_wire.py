"""Stripe's wire formats for the fake server: form bodies, ids, errors, signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import secrets
import string
import time
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

_ALNUM = string.ascii_letters + string.digits
# What the fake's middleware reads off each request: the decoded form, the Stripe-Account.
FORM = web.RequestKey("form", dict)
ACCOUNT = web.RequestKey("account", object)
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def new_id(prefix: str, length: int = 24) -> str:
    """An id with Stripe's prefix ("cs_test_", "acct_", "evt_", "re_"...)."""
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


def unflatten(body: str) -> dict[str, Any]:
    """Decode stripe-python's form encoding (`a[b][0][c]=v`) into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        match = _KEY.match(key)
        if match is None:
            raise ValueError(f"bad form key {key!r}")
        path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node: Any = root
        for part, nxt in itertools.pairwise(path):
            child_is_list = nxt.isdigit() or nxt == ""
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if node[index] is None:
                    node[index] = [] if child_is_list else {}
                node = node[index]
            else:
                node = node.setdefault(part, [] if child_is_list else {})
        last = path[-1]
        if isinstance(node, list):
            if last == "":
                node.append(value)
            else:
                index = int(last)
                while len(node) <= index:
                    node.append(None)
                node[index] = value
        else:
            node[last] = value
    return root


def as_int(value: Any, param: str) -> int:
    """A form value that must be an integer, or Stripe's 400."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise stripe_error(400, f"Invalid integer: {value}", param=param) from None


def stripe_error(
    status: int,
    message: str,
    *,
    type: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
) -> web.HTTPException:
    """An aiohttp exception carrying Stripe's error body (`{"error": {...}}`)."""
    error: dict[str, Any] = {"type": type, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    body = json.dumps({"error": error})
    classes: dict[int, type[web.HTTPException]] = {
        400: web.HTTPBadRequest,
        401: web.HTTPUnauthorized,
        402: web.HTTPPaymentRequired,
        403: web.HTTPForbidden,
        404: web.HTTPNotFound,
        409: web.HTTPConflict,
    }
    return classes[status](text=body, content_type="application/json")


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header as Stripe computes it: t=..., v1=HMAC-SHA256("t.payload")."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"
