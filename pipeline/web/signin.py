"""Who is asking: every page's first lines, in one place.

A handler calls ``await visit(request)`` (``change=True`` when its path names a change) and
gets the office of this request, the signed-in person and the checked change id; nobody
validly signed in raises ``SignedOut`` (a page goes to the sign-in form, a fragment fetched by
script gets a 401), a malformed change id a 404. Who may do what beyond being signed in stays
with the office facade, on the server, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from pipeline.config.roles import Person
from pipeline.i18n import get_lang, set_lang
from pipeline.web.office import CHANGE_ID, Office

T = TypeVar("T")


def request_lang(request: Request) -> str:
    chosen = request.session.get("lang")
    lang = chosen if chosen in ("id", "en") else get_lang()
    set_lang(lang)
    return lang


async def off(request: Request, work: Callable[..., T], *args: Any) -> T:
    """Run blocking work (git, the gate) in a worker thread, in the request's language."""
    lang = request_lang(request)

    def run() -> T:
        set_lang(lang)
        return work(*args)

    return await run_in_threadpool(run)


def signed_in_person(request: Request, office: Office) -> Person | None:
    """The signed-in person, if the session is still valid: an active person of roles.yml on
    main whose password was not reset since signing in."""
    person_id = request.session.get("person")
    if not isinstance(person_id, str):
        return None
    person = office.person(person_id)
    if person is None or request.session.get("set_at") != request.app.state.users.set_at(person_id):
        lang = request.session.get("lang")
        request.session.clear()
        if lang:
            request.session["lang"] = lang
        return None
    return person


class SignedOut(Exception):
    """Nobody validly signed in; ``fragment``: the body of a 401 (a part of a page fetched by
    script) instead of the way to the sign-in form."""

    def __init__(self, fragment: str | None = None) -> None:
        super().__init__("signed out")
        self.fragment = fragment


async def signed_out(request: Request, exc: Exception) -> Response:
    fragment = exc.fragment if isinstance(exc, SignedOut) else None
    if fragment is not None:
        return PlainTextResponse(fragment, status_code=401)
    return RedirectResponse("/masuk", status_code=303)


class Visit(NamedTuple):
    """One signed-in request: its office, its person and (for a change's path) the change."""

    office: Office
    user: Person
    change_id: str


async def visit(request: Request, *, change: bool = False, fragment: str | None = None) -> Visit:
    """The office, the signed-in person and, with ``change``, the path's well-formed change
    id (else 404); ``SignedOut(fragment)`` when nobody is validly signed in."""
    office = Office(request.app.state.server)
    user = await off(request, signed_in_person, request, office)
    if user is None:
        raise SignedOut(fragment)
    change_id = ""
    if change:
        change_id = str(request.path_params["change_id"])
        if not CHANGE_ID.match(change_id):
            raise HTTPException(404)
    return Visit(office, user, change_id)
