"""The office web application on a real uvicorn server (127.0.0.1, free port) for the tests,
a signed-in httpx client, and the office story the web tests read (hostile inputs included)."""

from __future__ import annotations

import io
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from PIL import Image

from pipeline.cli.demo.office import Office
from pipeline.cli.web import listen
from pipeline.web.app import create_app
from pipeline.web.office import Office as WebOffice

PASSWORD = "kata-sandi-uji-123"
TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')
START_TIMEOUT_S = 30  # a bound, not an assertion: start-up normally takes a fraction of it

HOSTILE_TITLE = '<script>alert("judul")</script> Vaksin'
HOSTILE_COMMENT = '<img src=x onerror=alert("komentar")> Mohon cek'
PDF = b"%PDF-1.4\n% lembar uji\n%%EOF\n"
GPS_IFD = 0x8825


def camera_jpeg(width: int = 4000, height: int = 3000, quality: int = 95) -> bytes:
    """A noisy photo, as a phone makes it, with a GPS position in its EXIF."""
    picture = Image.effect_noise((width, height), 60).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "KameraUji"
    exif[GPS_IFD] = {1: "N", 2: (3.0, 35.0, 0.0), 3: "E", 4: (98.0, 40.0, 0.0)}
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


@dataclass
class WebApp:
    url: str
    server: Path


@contextmanager
def running(
    server: Path, *, secure_cookies: bool = False, lifespan: str = "off"
) -> Iterator[WebApp]:
    """``terbit web``'s app over ``server``, served by uvicorn in a thread until the end
    (``lifespan="on"``: with its background work, as ``terbit web`` runs it)."""
    app = create_app(server, secure_cookies=secure_cookies)
    sock = listen("127.0.0.1", 0)
    config = uvicorn.Config(app, log_level="warning", lifespan=lifespan)  # type: ignore[arg-type]
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(START_TIMEOUT_S * 20):
        if web.started:
            started.set()
            break
        thread.join(0.05)
    assert started.is_set(), "uvicorn did not start"
    try:
        yield WebApp(f"http://127.0.0.1:{sock.getsockname()[1]}", server)
    finally:
        web.should_exit = True
        thread.join(START_TIMEOUT_S)
        sock.close()


@dataclass
class Story:
    """The changes the pages show, by what waits for whom."""

    office: Office
    plain: str  # rina's change at step 3 (waits for sari)
    hostile: str  # budi's change with a hostile title and comment, at step 3
    fixing: str  # rina's change after sari asked for changes (waits for rina)
    ready: str  # budi's change approved by all reviewers (waits for dewi, step 6)


def token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def client(web: WebApp) -> httpx.Client:
    return httpx.Client(base_url=web.url, follow_redirects=False, timeout=60)


def sign_in(web: WebApp, person: str, password: str = PASSWORD) -> httpx.Client:
    """A client signed in as ``person`` (through the real form, CSRF token included)."""
    http = client(web)
    form = http.get("/masuk")
    done = http.post(
        "/masuk", data={"person": person, "password": password, "csrftoken": token(form.text)}
    )
    assert done.status_code == 303, done.text
    return http


def started_processes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every process this test process starts from now on (its arguments): the seam that
    counts git reads and signature verifications."""
    started: list[list[str]] = []
    real = subprocess.Popen.__init__

    def counted(self: subprocess.Popen, args: Any, *rest: Any, **kwargs: Any) -> None:
        started.append([str(a) for a in args] if isinstance(args, list) else [str(args)])
        real(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", counted)
    return started


def every_view(office: WebOffice, people: list[str]) -> dict[str, Any]:
    """Everything the pages show of an office: what waits for each of ``people``, the change
    list, the unreadable changes and every change's page (as Sari sees it)."""
    seen: dict[str, Any] = {p: office.waiting_for(p) for p in people}
    seen["changes"] = office.changes()
    seen["broken"] = dict(office.broken)
    for row in seen["changes"]:
        seen[row.id] = office.change(row.id, "sari")
    return seen
