"""The change page's data dukung: download for every signed-in person, attach for the submitter.

A download is always an attachment with the media type its bytes were judged to be (never
HTML or SVG, which the forge refuses), so the browser saves it instead of running it; an
upload is signed with the submitter's own key, unlocked by their passphrase for that one
record, and judged by the forge's rules like a push from the command line.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from pipeline.web.pages import _off, _render, signed
from pipeline.web.signin import visit
from pipeline.web.texts import MSG


async def download(request: Request) -> Response:
    office, _, change_id = await visit(request, change=True)
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
    office, user, change_id = await visit(request, change=True)
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
