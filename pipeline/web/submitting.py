"""Submitting from the browser (SOP steps 1-2) and fixing a change after a request for changes.

The editor is one multipart form: every post (check, upload, submit) carries everything typed,
so whatever is refused comes back filled in. Who may do what is decided here on the server,
from roles.yml on main (the writer role of step 1; the change's author for a fix), never from a
form field. Sending signs with the person's own key, unlocked by their passphrase for that one
commit and record, and pushes through the app's clone where the server's hooks check it.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from pipeline.config.roles import Person
from pipeline.errors import AccessError, CredentialError, InputError, StaleError
from pipeline.web.drafting import DraftForm, Remark
from pipeline.web.keys import unlocked
from pipeline.web.notaform import NotaForm
from pipeline.web.office import CHANGE_ID, FixView, Office
from pipeline.web.pages import _address, _editor, _error, _off, _writer
from pipeline.web.photos import prepare
from pipeline.web.signin import visit
from pipeline.web.submit_texts import MSG
from pipeline.web.texts import MSG as PAGE_MSG
from pipeline.web.uploads import SHOWN, find, keep, references
from pipeline.web.uploads import load as staged_photos

MAX_PASSPHRASE = 1024


@dataclasses.dataclass
class Typed:
    """Everything one post of the editor carries."""

    form: DraftForm
    nota: NotaForm
    refs: list[str]
    alt: str
    passphrase: str
    seen: str
    action: str

    @classmethod
    def read(cls, data: FormData) -> Typed:
        refs = references("\n".join(str(p) for p in data.getlist("photos")))
        return cls(
            form=DraftForm.from_form(data),
            nota=NotaForm.from_form(data),
            refs=refs,
            alt=str(data.get("photo_alt", "") or "")[:1000],
            passphrase=str(data.get("passphrase", "") or "")[:MAX_PASSPHRASE],
            seen=str(data.get("seen", "") or "")[:100],
            action=str(data.get("do", "") or ""),
        )


def _again(
    request: Request,
    office: Office,
    user: Person,
    typed: Typed,
    status: int,
    remarks: list[Remark] | None = None,
    *,
    fix: FixView | None = None,
    message: str = "",
) -> Response:
    """The editor again with everything typed (the passphrase excepted)."""
    form = dataclasses.replace(typed.form, slug=fix.form.slug) if fix else typed.form
    return _editor(
        request,
        office,
        user,
        form,
        remarks,
        status,
        nota=typed.nota,
        photos=typed.refs,
        fix=fix,
        message=message,
        photo_alt=typed.alt,
    )


async def _fix_view(
    request: Request, office: Office, user: Person, change_id: str
) -> FixView | Response:
    """The change its author fixes, or the refusal page (not the author, not open, unknown)."""
    if not CHANGE_ID.match(change_id):
        return _error(request, 404, PAGE_MSG("not_found"), office, user)
    try:
        return await _off(request, office.fix_view, change_id, user.id)
    except AccessError as error:
        request.app.state.audit.write(
            "fix_refused",
            person=user.id,
            address=_address(request),
            detail=f"#{change_id}: {error}",
        )
        return _error(request, 403, str(error), office, user)
    except StaleError as error:
        return _error(request, 409, str(error), office, user)
    except InputError as error:
        return _error(request, 404, str(error), office, user)


def _photo_files(office: Office, staged: dict[str, bytes], body: str) -> dict[str, bytes]:
    """Repository path -> bytes of the photos the body refers to (others stay behind)."""
    folder = office.image_folder()
    return {f"{folder}/{name}": data for name, data in staged.items() if name in body}


async def upload(request: Request) -> Response:
    """A photo for the draft: prepared for the site and kept for this person; its reference
    joins the form and the end of the body. The form comes back with all that was typed."""
    office, user, _ = await visit(request)
    change_id = request.path_params.get("change_id")
    fix: FixView | None = None
    if change_id is not None:
        found = await _fix_view(request, office, user, change_id)
        if isinstance(found, Response):
            return found
        fix = found
    elif refused := _writer(request, office, user):
        return refused
    data = await request.form()
    typed = Typed.read(data)
    if fix is not None:
        fix = dataclasses.replace(fix, seen=typed.seen)  # what the person saw, not what is now
    picked = data.get("photo")
    if not isinstance(picked, UploadFile) or not picked.filename:
        return _again(
            request, office, user, typed, 400, [Remark("photo", None, MSG("no_photo"))], fix=fix
        )
    raw = await picked.read()
    allowed, max_kb = office.image_rules()
    try:
        photo = await _off(
            request,
            lambda: prepare(raw, picked.filename or "", typed.alt, allowed=allowed, max_kb=max_kb),
        )
    except InputError as error:
        request.app.state.audit.write(
            "photo_refused", person=user.id, address=_address(request), detail=error.message[:200]
        )
        return _again(
            request, office, user, typed, 400, [Remark("photo", None, error.message)], fix=fix
        )
    ref = keep(request.app.state.server, user.id, photo)
    name = ref.rsplit("/", 1)[-1]
    alt = photo.alt.replace("[", "(").replace("]", ")")
    body = typed.form.body.rstrip("\n")
    typed.form.body = f"{body}\n\n![{alt}]({{static}}/images/{name})\n".lstrip("\n")
    typed.refs.append(ref)
    typed.alt = ""
    request.app.state.audit.write(
        "photo_upload", person=user.id, address=_address(request), detail=name
    )
    return _again(request, office, user, typed, 200, fix=fix, message=MSG("uploaded", name=name))


IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


async def picture(request: Request) -> Response:
    """A photo the preview shows: the person's own upload, else the one on main."""
    office, user, _ = await visit(request)
    name = request.path_params["name"]
    data = find(request.app.state.server, user.id, name)
    if data is None and SHOWN.match(name):
        data = await _off(
            request, office.repo.show_bytes, "refs/heads/main", f"{office.image_folder()}/{name}"
        )
    if data is None:
        return _error(request, 404, PAGE_MSG("not_found"), office, user)
    return Response(
        data,
        media_type=IMAGE_TYPES[name.rsplit(".", 1)[1]],
        headers={"cache-control": "private, max-age=3600"},
    )


async def _checked(
    request: Request, office: Office, user: Person, typed: Typed, fix: FixView | None
) -> tuple[list[Remark], dict[str, bytes], str]:
    """The problems of what was typed (draft, photos, nota dinas), beside their fields; the
    photos to commit and the memo's text."""
    remarks: list[Remark] = []
    try:
        staged = staged_photos(request.app.state.server, user.id, typed.refs)
    except InputError as error:
        staged, remarks = {}, [Remark("photo", None, error.message)]
    photos = _photo_files(office, staged, typed.form.body)
    if fix is not None:
        form = dataclasses.replace(typed.form, slug=fix.form.slug)
        files = {**fix.files, **photos}
        check = functools.partial(office.draft_remarks, fixing=fix.path)
        remarks += await _off(request, check, form, user.id, files)
        return remarks, photos, ""
    remarks += await _off(request, office.draft_remarks, typed.form, user.id, photos)
    nota_text, about_nota = await _off(request, office.nota_remarks, typed.nota, user.id)
    return remarks + about_nota, photos, nota_text


async def _signed(
    request: Request,
    office: Office,
    user: Person,
    typed: Typed,
    fix: FixView | None,
    remarks: list[Remark],
    work: Any,
) -> Response | None:
    """Run ``work(key)`` with the person's key unlocked; None when it went through, else the
    editor with why (everything typed kept)."""
    state = request.app.state
    address = _address(request)
    if not typed.passphrase:
        remarks = [*remarks, Remark("passphrase", None, MSG("need_passphrase"))]
    if remarks:
        return _again(request, office, user, typed, 400, remarks, fix=fix, message=MSG("not_sent"))
    if state.throttle.locked(user.id, "passphrase"):
        state.audit.write("passphrase_locked", person=user.id, address=address)
        return _again(
            request, office, user, typed, 429, fix=fix, message=PAGE_MSG("passphrase_locked")
        )

    def sign() -> Any:
        with unlocked(state.server, user.id, typed.passphrase) as key:
            return work(key)

    what = f"#{fix.change_id}" if fix else typed.form.slug
    try:
        await _off(request, sign)
    except AccessError as error:
        state.audit.write(
            "submit_refused", person=user.id, address=address, detail=f"{what}: {error}"
        )
        return _again(request, office, user, typed, 403, fix=fix, message=str(error))
    except StaleError as error:
        if fix is not None:  # shown afresh: after reading what happened, sending again works
            fresh = await _fix_view(request, office, user, fix.change_id)
            fix = fresh if isinstance(fresh, FixView) else fix
        return _again(request, office, user, typed, 409, fix=fix, message=str(error))
    except CredentialError as error:
        state.throttle.failed(user.id, "passphrase")
        state.audit.write("passphrase_failed", person=user.id, address=address, detail=what)
        return _again(
            request,
            office,
            user,
            typed,
            400,
            [Remark("passphrase", None, str(error))],
            fix=fix,
            message=str(error),
        )
    except InputError as error:  # the checks or the server's hooks refused: nothing was opened
        return _again(request, office, user, typed, 400, fix=fix, message=str(error))
    state.throttle.succeeded(user.id, "passphrase")
    return None


async def send(request: Request) -> Response:
    """Open the change: the branch, the signed commit and the change with its nota dinas."""
    office, user, _ = await visit(request)
    if refused := _writer(request, office, user):
        request.app.state.audit.write(
            "submit_refused", person=user.id, address=_address(request), detail="not a writer"
        )
        return refused
    typed = Typed.read(await request.form())
    remarks, photos, nota_text = await _checked(request, office, user, typed, None)
    opened: list[str] = []

    def work(key: Any) -> None:
        opened.append(office.submit_draft(user.id, typed.form, nota_text, photos, key=key))

    if failed := await _signed(request, office, user, typed, None, remarks, work):
        return failed
    request.app.state.audit.write(
        "submit",
        person=user.id,
        address=_address(request),
        detail=f"#{opened[0]} {typed.form.slug}",
    )
    return RedirectResponse(f"/perubahan/{opened[0]}", status_code=303)


async def fix_form(request: Request) -> Response:
    """The editor filled with the change's draft as it is now, for its author."""
    office, user, change_id = await visit(request, change=True)
    found = await _fix_view(request, office, user, change_id)
    if isinstance(found, Response):
        return found
    return _editor(request, office, user, found.form, None, fix=found)


async def fix_send(request: Request) -> Response:
    """Check the fix (``do=check``) or send it as a new signed commit of the same change."""
    office, user, change_id = await visit(request, change=True)
    found = await _fix_view(request, office, user, change_id)
    if isinstance(found, Response):
        return found
    typed = Typed.read(await request.form())
    fix = dataclasses.replace(found, seen=typed.seen)
    remarks, photos, _ = await _checked(request, office, user, typed, fix)
    if typed.action == "check":
        return _again(request, office, user, typed, 400 if remarks else 200, remarks, fix=fix)
    form = dataclasses.replace(typed.form, slug=fix.form.slug)

    def work(key: Any) -> None:
        office.fix_draft(user.id, change_id, form, photos, key=key, seen=typed.seen)

    if failed := await _signed(request, office, user, typed, fix, remarks, work):
        return failed
    request.app.state.audit.write(
        "fix", person=user.id, address=_address(request), detail=f"#{change_id}"
    )
    return RedirectResponse(f"/perubahan/{change_id}", status_code=303)
