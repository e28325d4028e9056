"""The change page's data dukung: download for every signed-in person, attach for the submitter.

A download is always an attachment with the media type its bytes were judged to be (never
HTML or SVG, which the forge refuses), so the browser saves it instead of running it; an
upload is signed with the submitter's own key, unlocked by their passphrase for that one
record, and judged by the forge's rules like a push from the command line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from python_multipart import FormParser
from python_multipart.multipart import parse_options_header
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.web.office import CHANGE_ID
from pipeline.web.pages import _need_login, _off, _office, _render, _user, signed
from pipeline.web.texts import MSG

ATTACH_POST = re.compile(r"^/perubahan/[1-9][0-9]{0,8}/data-dukung$")
SET_ASIDE = b"x-terbit-content-type"


class _Token(Exception):
    def __init__(self, value: bytes | None) -> None:
        self.value = value


def multipart_token(app: ASGIApp) -> ASGIApp:
    """Hand asgi-csrf (the next middleware) the ``csrftoken`` field of the attach form as its
    ``X-CSRFToken`` header, which it checks against its signed cookie as it checks a form
    field: asgi-csrf 0.11 cannot parse multipart bodies with the python-multipart we pin
    (simonw/asgi-csrf#38). The body is replayed unchanged; its content type is set aside
    (``restore_type`` puts it back behind asgi-csrf), so a missing or wrong token is refused
    by asgi-csrf itself, never parsed by its broken multipart path."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not ATTACH_POST.match(scope["path"])
        ):
            await app(scope, receive, send)
            return
        kind, params = parse_options_header(dict(scope["headers"]).get(b"content-type"))

        def on_field(field: Any) -> None:
            if field.field_name == b"csrftoken":
                raise _Token(field.value or b"")

        def on_file(_file: Any) -> None:
            raise _Token(None)

        seen: list[Message] = []
        token = None
        if kind == b"multipart/form-data":
            parser = FormParser("multipart/form-data", on_field, on_file,
                                boundary=params.get(b"boundary"))  # fmt: skip
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

        async def replay() -> Message:
            return seen.pop(0) if seen else await receive()

        headers = []
        for key, value in scope["headers"]:
            if key == b"content-type":
                headers += [(SET_ASIDE, value), (key, b"application/x-terbit-data-dukung")]
            elif key not in (b"x-csrftoken", SET_ASIDE):
                headers.append((key, value))
        if token:
            headers.append((b"x-csrftoken", token))
        await app({**scope, "headers": headers}, replay, send)

    return wrapped


def restore_type(app: ASGIApp) -> ASGIApp:
    """Behind asgi-csrf: the attach form's own content type, set aside by ``multipart_token``."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ATTACH_POST.match(scope["path"]):
            kept = dict(scope["headers"]).get(SET_ASIDE)
            headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-type", SET_ASIDE)]
            if kept is not None:
                headers.append((b"content-type", kept))
            scope = {**scope, "headers": headers}
        await app(scope, receive, send)

    return wrapped


async def download(request: Request) -> Response:
    office = _office(request)
    user = await _off(request, _user, request, office)
    if user is None:
        return _need_login()
    change_id = request.path_params["change_id"]
    name = request.path_params["name"]
    found = await _off(request, office.data_dukung_file, change_id, name)
    if found is None:
        raise HTTPException(404)
    data, media_type = found
    fallback = name.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        data,
        media_type=media_type,
        headers={"content-disposition": disposition, "cache-control": "private, no-store"},
    )


async def attach(request: Request) -> Response:
    office = _office(request)
    user = await _off(request, _user, request, office)
    if user is None:
        return _need_login()
    change_id = request.path_params["change_id"]
    if not CHANGE_ID.match(change_id):
        raise HTTPException(404)
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("file")
    passphrase = str(form.get("passphrase", ""))

    async def again(status: int, message: str) -> Response:
        view = await _off(request, office.change, change_id, user.id)
        return _render(request, "change.html", office, user, status, view=view, done=False,
                       message=message, typed="")  # fmt: skip

    if not isinstance(upload, UploadFile) or not upload.filename:
        return await again(400, MSG("dd_no_file"))
    data = await upload.read()
    name = upload.filename

    def work(key: Path) -> None:
        office.attach(user.id, change_id, name, data, key=key)

    refused = await signed(request, user, passphrase, work, again, action="attach",
                           detail=f"#{change_id} {len(data)} bytes")  # fmt: skip
    if refused is not None:
        return refused
    return RedirectResponse(f"/perubahan/{change_id}?lampiran=1", status_code=303)
