"""What every response and request of the web application goes through: security headers,
a bound on request bodies, CSRF on every POST (asgi-csrf), and who is signed in."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from asgi_csrf import asgi_csrf
from python_multipart import FormParser
from python_multipart.multipart import parse_options_header

from pipeline.i18n import set_lang
from pipeline.web.photos import MAX_UPLOAD
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
MAX_BODY = 1_000_000  # forms only
# The editor's posts (one multipart form) may carry a photo: twice the photo limit, so a photo
# somewhat over it still reaches the handler, which says so beside the field and keeps the text.
# Data dukung uploads: one file, judged again by the forge against data_dukung.max_kb.
UPLOAD_BODIES = {
    re.compile(r"^/(?:tulis(?:/kirim|/foto)?|perubahan/[0-9]{1,9}/(?:perbaiki|foto))$"): 2
    * MAX_UPLOAD,
    re.compile(r"^/perubahan/[1-9][0-9]{0,8}/data-dukung$"): 32_000_000,
}


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
                # A response that sets one of these itself keeps its own: only the built
                # preview does (a stricter CSP, framed by the application).
                own = {bytes(name).lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in HEADERS if name not in own]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped


def bounded(app: ASGIApp) -> ASGIApp:
    """Refuse bodies over ``MAX_BODY`` (uploads: ``UPLOAD_BODIES``) before anyone reads
    them (a form is a few kB)."""

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

    checked = asgi_csrf(
        _unmasked(app),
        signing_secret=secret,
        always_protect=always,
        cookie_secure=secure,
        cookie_samesite="Strict",
        send_csrf_failed=failed,
    )
    return _multipart_token(checked, failed)


class _Token(Exception):
    def __init__(self, value: str | None) -> None:
        self.value = value


def _multipart_token(
    app: ASGIApp, failed: Callable[[Scope, Send, object], Awaitable[None]]
) -> ASGIApp:
    """Hand asgi-csrf the ``csrftoken`` field of a multipart form (the editor's, with its
    photo) as its ``X-CSRFToken`` header, which it checks against its signed cookie exactly
    as it checks a form field. asgi-csrf 0.11 cannot parse multipart bodies itself with
    python-multipart >= 0.0.26 (simonw/asgi-csrf#38), and older parsers carry
    CVE-2026-40347. The body is replayed unchanged; a form without the token before any file
    is refused here, as asgi-csrf refuses it."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        kind, params = parse_options_header(headers.get(b"content-type"))
        if scope.get("method") != "POST" or kind != b"multipart/form-data":
            await app(scope, receive, send)
            return

        def on_field(field: Any) -> None:
            if field.field_name == b"csrftoken":
                raise _Token((field.value or b"").decode("latin-1"))

        def on_file(_file: Any) -> None:
            raise _Token(None)  # a file before the token

        parser = FormParser("multipart/form-data", on_field, on_file,
                            boundary=params.get(b"boundary"))  # fmt: skip
        seen: list[Message] = []
        token = None
        try:
            more = True
            while more:
                message = await receive()
                seen.append(message)
                parser.write(message.get("body", b""))
                more = bool(message.get("more_body", False))
        except _Token as found:
            token = found.value
        except Exception:
            token = None
        if not token:
            await failed(scope, send, None)
            return

        async def replay() -> Message:
            return seen.pop(0) if seen else await receive()

        # asgi-csrf sees the token as its header and a content type it does not parse, so a
        # token that does not match is refused by it (403) instead of reaching its parser.
        rest = [(k, v) for k, v in scope["headers"] if k not in (b"x-csrftoken", b"content-type")]
        masked = {
            **scope,
            "headers": [*rest, (b"x-csrftoken", token.encode("latin-1")),
                        (b"content-type", MASKED)],
            MASKED_KEY: headers[b"content-type"],
        }  # fmt: skip
        await app(masked, replay, send)

    return wrapped


MASKED = b"application/x-terbit-multipart"
MASKED_KEY = "terbit.content_type"


def _unmasked(app: ASGIApp) -> ASGIApp:
    """Give the application the multipart content type ``_multipart_token`` masked."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if MASKED_KEY in scope:
            original = scope.pop(MASKED_KEY)
            rest = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope = {**scope, "headers": [*rest, (b"content-type", original)]}
        await app(scope, receive, send)

    return wrapped
