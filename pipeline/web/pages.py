"""The pages: sign in/out, language, what waits for me, changes, one change, records, the
compliance report and the audit log. Every page checks on the server who is signed in and,
from roles.yml on main, that they still serve (and hold the role a page asks for)."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from pipeline.config.roles import Person
from pipeline.errors import AccessError, CredentialError, InputError, StaleError, TerbitError
from pipeline.i18n import get_lang, long_date
from pipeline.web.admin_texts import MSG as ADMIN_MSG
from pipeline.web.drafting import DraftForm, Remark
from pipeline.web.keys import unlocked
from pipeline.web.notaform import SIFAT_CHOICES, NotaForm
from pipeline.web.office import (
    PREVIEW_HEADERS,
    FixView,
    NoPreview,
    Office,
    unavailable_page,
)
from pipeline.web.office import report_css as office_report_css
from pipeline.web.photos import MAX_UPLOAD
from pipeline.web.publishing import publication
from pipeline.web.signin import off as _off
from pipeline.web.signin import request_lang as _lang
from pipeline.web.signin import visit
from pipeline.web.submit_texts import MSG as SUBMIT_MSG
from pipeline.web.texts import MSG
from pipeline.web.uploads import load as staged_photos

T = TypeVar("T")
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
AUDIT_ROLES = ("admin_website", "kepala_satker")
TZ_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
CHANGES_PAGE = 100  # rows of the change list a page renders


def _office(request: Request) -> Office:
    return Office(request.app.state.server)


def _address(request: Request) -> str:
    return request.client.host if request.client else "-"


def _render(
    request: Request,
    name: str,
    office: Office | None,
    user: Person | None,
    status: int = 200,
    **context: Any,
) -> Response:
    lang = _lang(request)
    tz = office.policy().tz if office is not None else None

    def when(value: datetime | None) -> str:
        if value is None:
            return "—"
        local = value.astimezone(tz) if tz is not None else value
        zone = TZ_NAMES.get(str(tz), local.strftime("%Z")) if tz is not None else "UTC"
        return f"{long_date(local)} {local:%H:%M} {zone}"

    token = request.scope["csrftoken"]() if "csrftoken" in request.scope else ""
    return templates.TemplateResponse(
        request,
        name,
        {
            "t": MSG,
            "ta": ADMIN_MSG,
            "lang": lang,
            "user": user,
            "csrftoken": token,
            "when": when,
            "path": request.url.path,
            "is_auditor": bool(user and office and set(AUDIT_ROLES) & office.roles_of(user.id)),
            "is_writer": bool(user and office and office.writer_role() in office.roles_of(user.id)),
            **context,
        },
        status_code=status,
    )


def _error(request: Request, status: int, message: str, office: Office | None = None,
           user: Person | None = None) -> Response:  # fmt: skip
    return _render(request, "error.html", office, user, status, message=message)


# -- signing in and out ------------------------------------------------------------------


async def login_form(request: Request) -> Response:
    return _render(request, "login.html", None, None, message=None)


async def login(request: Request) -> Response:
    state = request.app.state
    form = await request.form()
    person_id = str(form.get("person", "")).strip().lower()[:64]
    password = str(form.get("password", ""))[:1024]
    address = _address(request)
    if not state.throttle.address_allowed(address):
        state.audit.write("login_throttled", person=person_id or None, address=address)
        return _render(request, "login.html", None, None, 429, message=MSG("slow_down"))
    if state.throttle.locked(person_id):
        state.audit.write("login_locked", person=person_id, address=address)
        return _render(request, "login.html", None, None, 429, message=MSG("locked"))
    office = _office(request)

    def check() -> bool:
        return state.users.check(person_id, password) and office.person(person_id) is not None

    if not await _off(request, check):
        state.throttle.failed(person_id)
        state.audit.write("login_failed", person=person_id, address=address)
        if state.throttle.locked(person_id):
            state.audit.write("account_locked", person=person_id, address=address)
        return _render(request, "login.html", None, None, 401, message=MSG("bad_login"))
    state.throttle.succeeded(person_id)
    lang = request.session.get("lang")
    request.session.clear()  # nothing of the anonymous session carries over but the language
    if lang:
        request.session["lang"] = lang
    request.session["person"] = person_id
    request.session["set_at"] = state.users.set_at(person_id)
    state.audit.write("login", person=person_id, address=address)
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    person_id = request.session.get("person")
    if isinstance(person_id, str):
        request.app.state.audit.write("logout", person=person_id, address=_address(request))
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return RedirectResponse("/masuk", status_code=303)


async def language(request: Request) -> Response:
    form = await request.form()
    chosen = str(form.get("lang", ""))
    if chosen in ("id", "en"):
        request.session["lang"] = chosen
    back = str(form.get("next", "/"))
    # Only a path of this application: never an address elsewhere (open redirect).
    if not re.match(r"^/[A-Za-z0-9/_.?=&%-]*$", back) or back.startswith("//"):
        back = "/"
    return RedirectResponse(back, status_code=303)


# -- reading pages -----------------------------------------------------------------------


def _page(request: Request) -> int:
    """The page of a list asked for (``?halaman=``; the first when none or not a number)."""
    asked = request.query_params.get("halaman", "1")
    return max(1, int(asked)) if asked.isdigit() and len(asked) < 7 else 1


async def home(request: Request) -> Response:
    office, user, _ = await visit(request)
    rows, page, pages = await _off(request, office.waiting_page, user.id, _page(request))
    return _render(request, "home.html", office, user, rows=rows, broken=office.broken,
                   page=page, pages=pages, link="/?")  # fmt: skip


def _filtered(office: Office, query: dict[str, str]) -> list[Any]:
    tz = office.policy().tz
    rows = office.changes()
    if query["state"]:
        rows = [r for r in rows if r.state == query["state"]]
    if query["step"]:
        rows = [r for r in rows if str(r.step) == query["step"]]
    if query["author"]:
        rows = [r for r in rows if r.author == query["author"]]
    if query["month"]:
        rows = [r for r in rows if r.opened_at.astimezone(tz).strftime("%Y-%m") == query["month"]]
    return rows


async def change_list(request: Request) -> Response:
    office, user, _ = await visit(request)
    params = request.query_params
    query = {
        "state": params.get("state", "")
        if params.get("state") in ("open", "merged", "closed")
        else "",
        "step": params.get("step", "") if params.get("step", "").isdigit() else "",
        "author": params.get("author", "")[:64],
        "month": params.get("month", "") if MONTH.match(params.get("month", "")) else "",
    }
    rows = await _off(request, _filtered, office, query)
    pages = max(1, -(-len(rows) // CHANGES_PAGE))
    page = min(_page(request), pages)
    policy = office.policy()
    kept = urllib.parse.urlencode({k: v for k, v in query.items() if v})
    return _render(
        request, "changes.html", office, user, query=query, broken=office.broken,
        rows=rows[(page - 1) * CHANGES_PAGE : page * CHANGES_PAGE], page=page, pages=pages,
        link=f"/perubahan?{kept}&" if kept else "/perubahan?",
        steps=[(s.number, s.activity(get_lang())) for s in policy.sop.steps],
        people=[(p.id, p.name) for p in policy.roles.people if p.active],
    )  # fmt: skip


async def change_page(request: Request) -> Response:
    office, user, change_id = await visit(request, change=True)
    view = await _off(request, office.change, change_id, user.id)
    done = request.query_params.get("dicatat") == "1"
    pub = None
    if view.row.state == "merged":
        pub = await _off(request, publication, office, change_id)
    is_admin = office.merge_role() in office.roles_of(user.id)
    return _render(request, "change.html", office, user, view=view, done=done, typed="",
                   pub=pub, is_admin=is_admin, change_id=change_id,
                   merged=request.query_params.get("digabung") == "1")  # fmt: skip


async def change_site(request: Request) -> Response:
    """The change's first changed page built with the site's theme (the frames of the change
    page): built on the first visit, then served from the build."""
    office, user, change_id = await visit(request, change=True)
    try:
        key, pages = await _off(request, office.site_preview, change_id)
    except NoPreview as error:  # said inside the frame, which shows nothing else
        page = unavailable_page(str(error), MSG("site_preview"), _lang(request))
        return Response(page, media_type="text/html; charset=utf-8", headers=PREVIEW_HEADERS)
    except InputError as error:
        return _error(request, 404, str(error), office, user)
    return RedirectResponse(f"/perubahan/{change_id}/situs/{key}/{pages[0]}", status_code=303)


async def change_site_file(request: Request) -> Response:
    office = (await visit(request)).office
    found = office.preview_file(request.path_params["key"], request.path_params["path"])
    if found is None:
        raise HTTPException(404)
    return FileResponse(found, headers=PREVIEW_HEADERS)


REVIEW_STATES = ("approve", "request_changes", "comment")
MAX_COMMENT = 5000


async def review(request: Request) -> Response:
    """A signed review from the browser: only for the role whose step it is (checked by the
    office facade on the server), signed with the person's own key unlocked by their
    passphrase for this one signature."""
    office, user, change_id = await visit(request, change=True)
    form = await request.form()
    state = str(form.get("state", ""))
    body = str(form.get("body", "")).replace("\r\n", "\n").strip()
    passphrase = str(form.get("passphrase", ""))
    seen = str(form.get("head", ""))

    async def again(status: int, message: str) -> Response:
        view = await _off(request, office.change, change_id, user.id)
        return _render(request, "change.html", office, user, status, view=view, done=False,
                       message=message, typed=body)  # fmt: skip

    if state not in REVIEW_STATES:
        return await again(400, MSG("bad_state"))
    if state != "approve" and not body:
        return await again(400, MSG("need_body"))
    if len(body) > MAX_COMMENT:
        return await again(400, MSG("too_long", n=MAX_COMMENT))

    def work(key: Path) -> None:
        office.review(user.id, change_id, state, body, key=key, seen_head=seen)

    refused = await signed(request, user, passphrase, work, again, action="review",
                           detail=f"#{change_id} {state}")  # fmt: skip
    if refused is not None:
        return refused
    return RedirectResponse(f"/perubahan/{change_id}?dicatat=1", status_code=303)


async def signed(
    request: Request,
    user: Person,
    passphrase: str,
    work: Callable[[Path], None],
    again: Callable[[int, str], Awaitable[Response]],
    *,
    action: str,
    detail: str,
) -> Response | None:
    """Run ``work`` with the person's own key, unlocked by their passphrase for this one
    signature: throttled and audited; the page to show when refused, None when done."""
    state_app = request.app.state
    address = _address(request)
    if state_app.throttle.locked(user.id, "passphrase"):
        state_app.audit.write("passphrase_locked", person=user.id, address=address)
        return await again(429, MSG("passphrase_locked"))

    def sign() -> None:
        with unlocked(state_app.server, user.id, passphrase) as key:
            work(key)

    try:
        await _off(request, sign)
    except AccessError as error:
        state_app.audit.write(f"{action}_refused", person=user.id, address=address,
                              detail=f"{detail}: {error}")  # fmt: skip
        return await again(403, str(error))
    except StaleError as error:
        return await again(409, str(error))
    except CredentialError as error:
        state_app.throttle.failed(user.id, "passphrase")
        state_app.audit.write("passphrase_failed", person=user.id, address=address,
                              detail=detail)  # fmt: skip
        return await again(400, str(error))
    except InputError as error:
        return await again(400, str(error))
    state_app.throttle.succeeded(user.id, "passphrase")
    state_app.audit.write(action, person=user.id, address=address, detail=detail)
    return None


# -- writing a draft ----------------------------------------------------------------------


def _writer(request: Request, office: Office, user: Person) -> Response | None:
    """None when ``user`` writes drafts (roles.yml on main); the refusal page otherwise."""
    role = office.writer_role()
    if role in office.roles_of(user.id):
        return None
    return _error(request, 403, MSG("forbidden", roles=office.role_title(role)), office, user)


def _editor(
    request: Request,
    office: Office,
    user: Person,
    form: DraftForm,
    remarks: list[Remark] | None,
    status: int = 200,
    *,
    nota: NotaForm | None = None,
    photos: list[str] | None = None,
    fix: FixView | None = None,
    message: str = "",
    photo_alt: str = "",
) -> Response:
    """The editor: the draft, the nota dinas (or, when fixing, the one sent), the photos."""
    by_field: dict[str, list[str]] = {}
    for remark in remarks or []:
        key = remark.field or "draft"
        text = (
            MSG("at_line", n=remark.line, message=remark.message) if remark.line else remark.message
        )
        by_field.setdefault(key, []).append(text)
    return _render(
        request,
        "write.html",
        office,
        user,
        status,
        form=form,
        remarks=by_field,
        checked=remarks is not None,
        categories=office.categories(),
        nota=nota or NotaForm(),
        photos=[(r, r.rsplit("/", 1)[-1]) for r in photos or []],
        fix=fix,
        message=message,
        sifat_choices=SIFAT_CHOICES,
        ts=SUBMIT_MSG,
        upload_mb=MAX_UPLOAD // 2**20,
        photo_alt=photo_alt,
        base=f"/perubahan/{fix.change_id}" if fix else "/tulis",
        heading=SUBMIT_MSG("fix_title", id=fix.change_id) if fix else MSG("write"),
    )


async def write_form(request: Request) -> Response:
    office, user, _ = await visit(request)
    if refused := _writer(request, office, user):
        return refused
    today = datetime.now(office.policy().tz).strftime("%Y-%m-%d %H:%M")
    form = DraftForm(date=today, category=office.categories()[0])
    nota = await _off(request, office.nota_defaults, user.id)
    return _editor(request, office, user, form, None, nota=nota)


async def write_check(request: Request) -> Response:
    """The draft checks on what was typed; the form comes back filled, the messages beside
    the field or body line they concern."""
    office, user, _ = await visit(request)
    if refused := _writer(request, office, user):
        return refused
    data = await request.form()
    form = DraftForm.from_form(data)
    refs = [str(p) for p in data.getlist("photos")]
    remarks: list[Remark] = []
    try:
        staged = staged_photos(request.app.state.server, user.id, refs)
    except InputError as error:
        staged, remarks = {}, [Remark("photo", None, error.message)]
    files = {f"{office.image_folder()}/{name}": blob for name, blob in staged.items()}
    remarks += await _off(request, office.draft_remarks, form, user.id, files)
    return _editor(request, office, user, form, remarks, 400 if remarks else 200,
                   nota=NotaForm.from_form(data), photos=refs)  # fmt: skip


async def write_preview(request: Request) -> Response:
    """The body rendered as the site will show it (an HTML fragment for the editor's script)."""
    office, user, _ = await visit(request, fragment=MSG("need_login"))
    role = office.writer_role()
    if role not in office.roles_of(user.id):
        return PlainTextResponse(MSG("forbidden", roles=office.role_title(role)), status_code=403)
    form = DraftForm.from_form(await request.form())
    # The body's photos (``{static}/images/…`` on the site) are shown from the uploads.
    body = form.body.replace("{static}/images/", "/tulis/gambar/")
    html = await _off(request, office.preview, body)
    return Response(html, media_type="text/html; charset=utf-8")


async def theme_css(request: Request) -> Response:
    """The public site's own stylesheet (from main), for the live preview's frame."""
    office = _office(request)
    css = await _off(request, office.theme_css)
    return PlainTextResponse(css, media_type="text/css")


async def record_list(request: Request) -> Response:
    office, user, _ = await visit(request)
    rows = await _off(request, office.records)
    return _render(request, "records.html", office, user, rows=rows)


async def record_pdf(request: Request) -> Response:
    office = (await visit(request)).office
    folder = request.path_params["folder"]
    data = await _off(request, office.record_pdf, folder)
    if data is None:
        raise HTTPException(404)
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{folder}.pdf"'},
    )


async def report(request: Request) -> Response:
    office, user, _ = await visit(request)
    month = request.query_params.get("bulan", "")
    if not MONTH.match(month):
        month = datetime.now(office.policy().tz).strftime("%Y-%m")
    # The report's own renderer escaped every value it wrote (see Office.compliance_body).
    body = Markup(await _off(request, office.compliance_body, month))
    return _render(request, "report.html", office, user, month=month, body=body)


async def report_css(request: Request) -> Response:
    return PlainTextResponse(office_report_css(), media_type="text/css")


async def audit(request: Request) -> Response:
    office, user, _ = await visit(request)
    if not set(AUDIT_ROLES) & office.roles_of(user.id):
        titles = ", ".join(office.role_title(r) for r in AUDIT_ROLES)
        return _error(request, 403, MSG("forbidden", roles=titles), office, user)
    rows = request.app.state.audit.tail()
    return _render(request, "audit.html", office, user, rows=rows)


# -- errors -------------------------------------------------------------------------------


async def not_found(request: Request, exc: Exception) -> Response:
    return _error(request, 404, MSG("not_found"))


async def internal_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, TerbitError):
        status = 404 if isinstance(exc, InputError) else 503
        return _error(request, status, str(exc))
    return _error(request, 500, MSG("internal"))
