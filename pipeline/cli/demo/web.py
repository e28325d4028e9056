"""The demo's office web application: an account and a browser signing key for every demo
person (demo-only passwords, printed), and the app served on 127.0.0.1 beside the site."""

from __future__ import annotations

import threading
from collections.abc import Callable

import uvicorn
from rich.table import Table

from pipeline.cli.demo.office import Office
from pipeline.cli.web import listen
from pipeline.i18n import Catalog
from pipeline.web.accounts import Users
from pipeline.web.app import create_app
from pipeline.web.keys import store_key

MSG = Catalog(
    {
        "table": (
            "Akun demo aplikasi web (kata sandi HANYA untuk demo; juga frasa sandi kunci)",
            "Demo web accounts (passwords for the demo ONLY; also the key passphrase)",
        ),
        "cols": ("ID masuk|Nama|Peran|Kata sandi", "Sign-in id|Name|Role|Password"),
        "web": ("Aplikasi web: {url}", "Web application: {url}"),
        "not_started": (
            "Aplikasi web tidak dapat dimulai: {error}",
            "The web application could not start: {error}",
        ),
    }
)
START_TIMEOUT_S = 30


def demo_password(person_id: str) -> str:
    """A demo-only password (and key passphrase): printed, never for a real office."""
    return f"demo-{person_id}-sandi"


def demo_accounts(office: Office) -> Table:
    """Give every demo person a web account and their own signing key (encrypted with the
    same demo password), so each can approve or merge in the browser; the sign-in table."""
    users = Users(office.server)
    table = Table(title=MSG("table"))
    for col in MSG("cols").split("|"):
        table.add_column(col)
    for person in office.people.values():
        password = demo_password(person.id)
        users.set_password(person.id, password, new=True)
        store_key(office.server, person.id, password,
                  private=office.key_path(person.id).read_bytes(), replace=True)  # fmt: skip
        table.add_row(person.id, person.name, ", ".join(person.roles), password)
    return table


def serve_web(office: Office, port: int) -> tuple[str, Callable[[], None]]:
    """The web application over the demo's server on 127.0.0.1 (``port``, or any free one)."""
    app = create_app(office.server, secure_cookies=False)
    try:
        sock = listen("127.0.0.1", port)
    except Exception:  # taken (another demo): any free port will do
        sock = listen("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(START_TIMEOUT_S * 20):
        if server.started:
            break
        thread.join(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(START_TIMEOUT_S)
        sock.close()

    return f"http://127.0.0.1:{sock.getsockname()[1]}/", stop
