"""The office web application (Starlette, served by uvicorn through ``terbit web``).

Middleware, outermost first: security headers, a bound on request bodies, signed session
cookies (Secure unless served on loopback, HttpOnly, SameSite=Strict), CSRF on every POST.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.errors import TerbitError
from pipeline.web import data_dukung, pages
from pipeline.web.accounts import Audit, Throttle, Users, session_secret
from pipeline.web.office import Office
from pipeline.web.security import bounded, csrf, headers

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


def create_app(server: Path, *, secure_cookies: bool = True) -> Starlette:
    """The application over the server repository ``server`` (checked at once)."""
    server = server.resolve()
    Office(server).policy()  # fail at start, with a clear message, not on the first page
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
            Route("/perubahan/{change_id}/data-dukung", data_dukung.attach, methods=["POST"]),
            Route("/perubahan/{change_id}/data-dukung/{name}", data_dukung.download),
            Route("/tulis", pages.write_form, methods=["GET"]),
            Route("/tulis", pages.write_check, methods=["POST"]),
            Route("/tulis/pratinjau", pages.write_preview, methods=["POST"]),
            Route("/catatan", pages.record_list),
            Route("/catatan/{folder}/lembar-penyelesaian.pdf", pages.record_pdf),
            Route("/laporan", pages.report),
            Route("/laporan.css", pages.report_css),
            Route("/audit", pages.audit),
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
            Middleware(data_dukung.multipart_token),
            Middleware(csrf, secret=secret, secure=secure_cookies, always=ANONYMOUS_POSTS),
            Middleware(data_dukung.restore_type),
        ],
        exception_handlers={
            404: pages.not_found,
            TerbitError: pages.internal_error,
            500: pages.internal_error,
        },
    )
    app.state.server = server
    app.state.users = Users(server)
    app.state.audit = Audit(server)
    app.state.throttle = Throttle.new()
    return app
