"""The office web application (Starlette, served by uvicorn through ``terbit web``).

Middleware, outermost first: security headers, a bound on request bodies, signed session
cookies (Secure unless served on loopback, HttpOnly, SameSite=Strict), CSRF on every POST.
"""

from __future__ import annotations

import contextlib
import ipaddress
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.errors import TerbitError
from pipeline.web import admin, data_dukung, pagecheck, pages, reminders, submitting
from pipeline.web.accounts import Audit, Throttle, Users, session_secret
from pipeline.web.office import Office
from pipeline.web.security import bounded, csrf, headers
from pipeline.web.signin import SignedOut, signed_out

HERE = Path(__file__).parent
SESSION_HOURS = 8
# POSTs that may come before any cookie exists: asgi-csrf checks these too.
ANONYMOUS_POSTS = {"/masuk", "/bahasa"}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _warm(server: Path) -> None:
    # Only a head start: the page reading the same says what is wrong. Anything else, too, is
    # left to that page (a process that stops meanwhile, e.g. on a busy port, ends its thread
    # pool under it: a traceback on the way out that tells the user nothing).
    with contextlib.suppress(Exception):
        Office(server).changes()


def create_app(server: Path, *, secure_cookies: bool = True) -> Starlette:
    """The application over the server repository ``server`` (checked at once)."""
    server = server.resolve()
    Office(server).policy()  # fail at start, with a clear message, not on the first page
    # Read every change once in the background: a page asked meanwhile waits for that read
    # (the cache's lock) instead of starting its own, and is served from it.
    threading.Thread(target=_warm, args=(server,), name="terbit-warm", daemon=True).start()
    secret = session_secret(server)
    app = Starlette(
        routes=[
            Route("/", pages.home),
            Route("/masuk", pages.login_form, methods=["GET"]),
            Route("/masuk", pages.login, methods=["POST"]),
            Route("/keluar", pages.logout, methods=["POST"]),
            Route("/bahasa", pages.language, methods=["POST"]),
            Route("/perubahan", pages.change_list),
            Route("/perubahan/{change_id}", pages.change_page),
            Route("/perubahan/{change_id}/ulasan", pages.review, methods=["POST"]),
            Route("/perubahan/{change_id}/situs", pages.change_site),
            Route("/perubahan/{change_id}/situs/{key}/{path:path}", pages.change_site_file),
            Route("/perubahan/{change_id}/gabung", admin.merge, methods=["POST"]),
            Route("/perubahan/{change_id}/publikasi", admin.publication, methods=["GET"]),
            Route("/perubahan/{change_id}/publikasi/ulang", admin.retry, methods=["POST"]),
            Route("/perubahan/{change_id}/periksa-halaman", pagecheck.recheck, methods=["POST"]),
            Route("/perubahan/{change_id}/publikasi/kembalikan", admin.rollback, methods=["POST"]),
            Route("/perubahan/{change_id}/data-dukung", data_dukung.attach, methods=["POST"]),
            Route("/perubahan/{change_id}/data-dukung/{name}", data_dukung.download),
            Route("/tulis", pages.write_form, methods=["GET"]),
            Route("/tulis", pages.write_check, methods=["POST"]),
            Route("/tulis/pratinjau", pages.write_preview, methods=["POST"]),
            Route("/tulis/tema.css", pages.theme_css),
            Route("/perubahan/{change_id}/perbaiki", submitting.fix_form, methods=["GET"]),
            Route("/perubahan/{change_id}/perbaiki", submitting.fix_send, methods=["POST"]),
            Route("/perubahan/{change_id}/foto", submitting.upload, methods=["POST"]),
            Route("/tulis/kirim", submitting.send, methods=["POST"]),
            Route("/tulis/foto", submitting.upload, methods=["POST"]),
            Route("/tulis/gambar/{name}", submitting.picture),
            Route("/catatan", pages.record_list),
            Route("/catatan/{folder}/lembar-penyelesaian.pdf", pages.record_pdf),
            Route("/catatan/{folder}/{name}", admin.screenshot, methods=["GET"]),
            Route("/laporan", pages.report),
            Route("/laporan.css", pages.report_css),
            Route("/audit", pages.audit),
            Route("/menunggu/jumlah", admin.waiting_count),
            Route("/pengaturan", admin.settings_form, methods=["GET"]),
            Route("/pengaturan", admin.settings_save, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[
            Middleware(headers),
            Middleware(bounded),
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie="terbit_session",
                max_age=SESSION_HOURS * 3600,
                same_site="strict",
                https_only=secure_cookies,
            ),
            Middleware(csrf, secret=secret, secure=secure_cookies, always=ANONYMOUS_POSTS),
        ],
        lifespan=reminders.lifespan,
        exception_handlers={
            404: pages.not_found,
            SignedOut: signed_out,
            TerbitError: pages.internal_error,
            500: pages.internal_error,
        },
    )
    app.state.server = server
    app.state.users = Users(server)
    app.state.audit = Audit(server)
    app.state.throttle = Throttle.new()
    app.state.children = []  # publications the app started again (retry), reaped as they end
    return app
