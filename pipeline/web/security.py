"""What every response and request of the web application goes through: security headers,
a bound on request bodies, CSRF on every POST (asgi-csrf), and who is signed in."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from asgi_csrf import asgi_csrf

from pipeline.i18n import set_lang
from pipeline.web.texts import MSG

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# No inline script or style anywhere; charts are images (data: URIs from the report).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
MAX_BODY = 1_000_000  # forms only (uploads come with the writing side, with their own bound)
# Data dukung uploads (one file, judged again by the forge against data_dukung.max_kb).
UPLOAD_BODIES = {re.compile(r"^/perubahan/[1-9][0-9]{0,8}/data-dukung$"): 32_000_000}


def _lang_of(scope: Scope) -> str | None:
    session = scope.get("session")
    return session.get("lang") if isinstance(session, dict) else None


async def _plain(send: Send, status: int, text: str) -> None:
    body = f"<!doctype html><title>{status}</title><p>{html.escape(text)}</p>".encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/html; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def headers(app: ASGIApp) -> ASGIApp:
    """Security headers on every response (also on errors the framework sends itself)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped


def bounded(app: ASGIApp) -> ASGIApp:
    """Refuse bodies over ``MAX_BODY`` before anyone reads them (a form is a few kB)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD"):
            length = dict(scope.get("headers") or []).get(b"content-length")
            limit = next(
                (n for path, n in UPLOAD_BODIES.items() if path.match(scope["path"])), MAX_BODY
            )
            if length is None or not length.isdigit() or int(length) > limit:
                set_lang(_lang_of(scope))
                await _plain(send, 413, MSG("too_big"))
                return
        await app(scope, receive, send)

    return wrapped


def csrf(app: ASGIApp, *, secret: str, secure: bool, always: set[str]) -> ASGIApp:
    """asgi-csrf: a signed token in a cookie that every POST form must repeat."""

    async def failed(scope: Scope, send: Send, _message_id: object) -> None:
        set_lang(_lang_of(scope))
        await _plain(send, 403, MSG("csrf"))

    return asgi_csrf(
        app,
        signing_secret=secret,
        always_protect=always,
        cookie_secure=secure,
        cookie_samesite="Strict",
        send_csrf_failed=failed,
    )
