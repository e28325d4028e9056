"""The Admin Website's pages: merge from the browser, follow the publication, retry it, roll
back; and everyone's notification setting. Authorisation is checked on the server from
roles.yml on main (the SOP's merging step's role), every action is in the audit log."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from pipeline.config.roles import Person
from pipeline.errors import AccessError, CredentialError, InputError, StaleError, TerbitError
from pipeline.notify.people import Choices
from pipeline.web import publishing
from pipeline.web.admin_texts import MSG
from pipeline.web.keys import unlocked
from pipeline.web.office import Office
from pipeline.web.pages import _address, _off, _render
from pipeline.web.signin import visit
from pipeline.web.texts import MSG as TEXTS


def _merger(office: Office, user: Person) -> str | None:
    """None when ``user`` holds the SOP's merging role today; the refusal otherwise."""
    role = office.merge_role()
    if role and role in office.roles_of(user.id):
        return None
    return MSG("admin_only", role=office.role_title(role) if role else "—")


async def _again(request: Request, office: Office, user: Person, change_id: str, status: int,
                 message: str, typed: str = "") -> Response:  # fmt: skip
    view = await _off(request, office.change, change_id, user.id)
    pub = await _off(request, _publication_or_none, office, view.row.state, change_id)
    return _render(request, "change.html", office, user, status, view=view, done=False,
                   message=message, typed=typed, pub=pub)  # fmt: skip


def _publication_or_none(
    office: Office, state: str, change_id: str
) -> publishing.PublicationView | None:
    return publishing.publication(office, change_id) if state == "merged" else None


async def merge(request: Request) -> Response:
    """Merge from the browser: the same checks as ``terbit merge`` (and the server's hook),
    signed with the admin's own key unlocked by their passphrase for this one signature."""
    office, user, change_id = await visit(request, change=True)
    form = await request.form()
    passphrase = str(form.get("passphrase", ""))
    seen = str(form.get("head", ""))
    app = request.app.state
    address = _address(request)
    if app.throttle.locked(user.id, "passphrase"):
        app.audit.write("passphrase_locked", person=user.id, address=address)
        return await _again(request, office, user, change_id, 429, TEXTS("passphrase_locked"))

    def sign() -> str:
        with unlocked(app.server, user.id, passphrase) as key:
            return office.merge(user.id, change_id, key=key, seen_head=seen)

    try:
        sha = await _off(request, sign)
    except AccessError as error:
        app.audit.write("merge_refused", person=user.id, address=address,
                        detail=f"#{change_id}: {error}")  # fmt: skip
        return await _again(request, office, user, change_id, 403, str(error))
    except StaleError as error:
        return await _again(request, office, user, change_id, 409, str(error))
    except CredentialError as error:
        app.throttle.failed(user.id, "passphrase")
        app.audit.write("passphrase_failed", person=user.id, address=address,
                        detail=f"#{change_id}")  # fmt: skip
        return await _again(request, office, user, change_id, 400, str(error))
    except InputError as error:
        app.audit.write("merge_refused", person=user.id, address=address,
                        detail=f"#{change_id}: {error}")  # fmt: skip
        return await _again(request, office, user, change_id, 400, str(error))
    app.throttle.succeeded(user.id, "passphrase")
    app.audit.write("merge", person=user.id, address=address, detail=f"#{change_id} {sha[:10]}")
    return RedirectResponse(f"/perubahan/{change_id}?digabung=1", status_code=303)


async def publication(request: Request) -> Response:
    """The publication section alone (the page's script fetches it until it has finished)."""
    office, user, change_id = await visit(request, change=True, fragment="")
    try:
        pub = await _off(request, publishing.publication, office, change_id)
    except InputError:
        raise HTTPException(404) from None
    is_admin = _merger(office, user) is None
    return _render(request, "_publication.html", office, user, pub=pub, change_id=change_id,
                   is_admin=is_admin)  # fmt: skip


async def _admin_only(request: Request, refusal: str) -> Response | tuple[Office, Person, str]:
    """The office, the person and the change id; or the answer when they may not act (not
    signed in, or not the merging role: refused, audited as ``refusal``)."""
    office, user, change_id = await visit(request, change=True)
    refused = _merger(office, user)
    if refused:
        request.app.state.audit.write(refusal, person=user.id, address=_address(request),
                                      detail=f"#{change_id}")  # fmt: skip
        return await _again(request, office, user, change_id, 403, refused)
    return office, user, change_id


async def retry(request: Request) -> Response:
    allowed = await _admin_only(request, "retry_refused")
    if isinstance(allowed, Response):
        return allowed
    office, user, change_id = allowed
    app = request.app.state
    address = _address(request)
    try:
        started = await _off(request, publishing.retry, office, change_id)
    except StaleError as error:
        return await _again(request, office, user, change_id, 409, str(error))
    except InputError as error:
        return await _again(request, office, user, change_id, 400, str(error))
    app.children.append(started)  # reaped when the app stops (no zombie meanwhile)
    app.children[:] = [c for c in app.children if c.poll() is None]
    app.audit.write("publish_retry", person=user.id, address=address, detail=f"#{change_id}")
    return RedirectResponse(f"/perubahan/{change_id}?diulang=1#publikasi", status_code=303)


async def rollback(request: Request) -> Response:
    allowed = await _admin_only(request, "rollback_refused")
    if isinstance(allowed, Response):
        return allowed
    office, user, change_id = allowed
    form = await request.form()
    release = str(form.get("release", ""))[:100]
    app = request.app.state
    address = _address(request)
    try:
        now_live, was = await _off(request, publishing.rollback, office, release)
    except InputError as error:
        return await _again(request, office, user, change_id, 400, str(error))
    app.audit.write("rollback", person=user.id, address=address,
                    detail=f"#{change_id} {was} -> {now_live}")  # fmt: skip
    return await _again(request, office, user, change_id, 200,
                        MSG("rolled_back", id=now_live, was=was))  # fmt: skip


async def screenshot(request: Request) -> Response:
    """A screenshot listed by a completion record on main, as committed (WebP, or PNG for
    older records): served only with the type its own bytes show."""
    office = (await visit(request)).office
    data = await _off(request, publishing.screenshot, office, request.path_params["folder"],
                      request.path_params["name"])  # fmt: skip
    kind = _image_type(data) if data is not None else None
    if data is None or kind is None:
        raise HTTPException(404)
    return Response(data, media_type=kind,
                    headers={"cache-control": "private, max-age=3600"})  # fmt: skip


def _image_type(data: bytes) -> str | None:
    """The screenshot's type from its first bytes (a record holds PNG or WebP, nothing else)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


async def waiting_count(request: Request) -> Response:
    """How many things wait for the signed-in person (the header's count, fetched by script)."""
    office, user, _ = await visit(request, fragment="0")
    try:
        count = await _off(request, office.waiting_count, user.id)
    except TerbitError:  # the count is a convenience: the list itself says what is wrong
        count = 0
    return PlainTextResponse(str(count), headers={"cache-control": "no-store"})


async def settings_form(request: Request) -> Response:
    office, user, _ = await visit(request)
    return _settings(request, office, user, saved=False)


def _settings(request: Request, office: Office, user: Person, *, saved: bool) -> Response:
    return _render(request, "settings.html", office, user, saved=saved,
                   on=Choices(request.app.state.server).wants(user.id),
                   smtp=office.policy().settings.notify.smtp is not None)  # fmt: skip


async def settings_save(request: Request) -> Response:
    office, user, _ = await visit(request)
    form = await request.form()
    on = form.get("notify") == "on"
    Choices(request.app.state.server).set(user.id, on)
    request.app.state.audit.write("notify_setting", person=user.id, address=_address(request),
                                  detail="on" if on else "off")  # fmt: skip
    return _settings(request, office, user, saved=True)
