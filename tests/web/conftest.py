"""Real offices for the web tests: server repository with hooks, signed changes made by the
office's people through the forge's client, accounts for everyone, and the app on uvicorn.

``story`` is one office per test process (about 20 s: keys, repositories, pushes through the
real hooks; built once per run and copied, tests/support/offices.py), shared by every module
and only ever **read**: its pages must show exactly the story. A test that changes an office
(pushes, reviews, accounts, keys, a damaged ref) takes its own from a factory: ``mutable`` (one
more office, shared by the changing tests, each of which makes the changes it looks at) or
``new_archive``. Each web module is its own xdist group ("web-<module>"): its tests, which may
build on each other, stay on one worker, and the modules spread over the workers.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from benchmarks.recordgen import Spec, make_records
from pipeline.cli.demo.office import Office, create_office
from pipeline.clock import now
from pipeline.web.accounts import Users
from tests.support.forge import COUNTER, Kit, article, git, make_source
from tests.support.offices import copied_office
from tests.support.web import HOSTILE_COMMENT, HOSTILE_TITLE, PASSWORD, PDF, Story, WebApp, running

ROOT = Path(__file__).resolve().parents[2]


def _build_story(root: Path, *, themed: bool = False) -> Story:
    source = make_source(root / "sumber")
    if themed:  # the site's own settings and theme, for the built previews
        for name in ("pelicanconf.py", "publishconf.py"):
            shutil.copy(ROOT / name, source / name)
        shutil.copytree(ROOT / "theme", source / "theme")
    office = create_office(root / "kantor", source, seed_message="Isi awal")
    kit = Kit(office, counter=next(COUNTER) * 100)
    plain = kit.submit("rina")
    hostile = kit.submit(
        "budi", files={"content/articles/aaa-judul.md": article(HOSTILE_TITLE, "budi")}
    )
    kit.review("sari", hostile, "comment", HOSTILE_COMMENT)
    fixing = kit.submit("rina")
    kit.review("sari", fixing, "request_changes", "Ringkasan belum sesuai nota dinas.")
    ready = kit.submit("budi")
    kit.approve_all(ready)
    users = Users(office.server)
    for person in office.people:
        users.set_password(person, PASSWORD, new=True)
    return Story(office, plain, hostile, fixing, ready)


@pytest.fixture(scope="session")
def new_story(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., Story]]:
    """Factory: a new office with the story's four changes (about 20 s each); ``themed``:
    with the site's settings and theme on main."""

    def build(folder: Path, themed: bool) -> tuple[Office, dict[str, str]]:
        story = _build_story(folder.parent, themed=themed)
        names = {"plain": story.plain, "hostile": story.hostile, "fixing": story.fixing,
                 "ready": story.ready}  # fmt: skip
        return story.office, names

    def made(name: str, themed: bool = False) -> Story:
        # Made now, whatever time a module's app looks at (``web`` sets TERBIT_NOW a week on),
        # and never published, whatever the asking module publishes. Built once per run and
        # copied (tests/support/offices.py): each asker gets an office of its own.
        with pytest.MonkeyPatch.context() as env:
            env.delenv("TERBIT_NOW", raising=False)
            env.setenv("TERBIT_PUBLISH", "off")
            kind = "story-themed" if themed else "story"
            dest = tmp_path_factory.mktemp(name) / "kantor"
            office, names = copied_office(
                tmp_path_factory, kind, functools.partial(build, themed=themed), dest
            )
            return Story(office, **names)

    yield made


@pytest.fixture(scope="module", autouse=True)
def _no_publishing() -> Iterator[None]:
    """No publication from the hooks in a web module unless it asks for one (publishing has
    its own tests). Per module, not per session: a session-wide setting outlived the web
    tests and switched publishing off for the demo tests run after them on that worker."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TERBIT_PUBLISH", "off")
        yield


@pytest.fixture(scope="session")
def story(new_story: Callable[..., Story]) -> Story:
    """The shared office: read, never changed."""
    return new_story("web-office")


@pytest.fixture(scope="session")
def mutable(new_story: Callable[..., Story]) -> Story:
    """The office of the tests that change an office (each changes only what it looks at),
    with the site's theme (its changes' previews are built)."""
    return new_story("web-mutable", themed=True)


@pytest.fixture(scope="module")
def web(story: Story) -> Iterator[WebApp]:
    """The app, looked at a week after the changes were made (so the waiting is overdue)."""
    saved = os.environ.get("TERBIT_NOW")
    os.environ["TERBIT_NOW"] = (now() + timedelta(days=7)).isoformat()
    try:
        with running(story.office.server) as app:
            yield app
    finally:
        if saved is None:
            os.environ.pop("TERBIT_NOW", None)
        else:
            os.environ["TERBIT_NOW"] = saved


def _build_archive(root: Path) -> Path:
    """A server repository whose main holds completion records (two in November 2026, one in
    December), one of them with its PDF."""
    specs = [Spec(day=date(2026, 11, 3), minutes={3: 50}),
             Spec(day=date(2026, 11, 24), minutes={3: 90}),
             Spec(day=date(2026, 12, 1), minutes={3: 100})]  # fmt: skip
    make_records(root / "work", specs, office=ROOT)
    records = sorted(p.name for p in (root / "work" / "records").iterdir())
    (root / "work" / "records" / records[0] / "lembar-penyelesaian.pdf").write_bytes(PDF)
    git(root / "work", "add", "--all")
    git(root / "work", "commit", "--quiet", "-m", "PDF")
    subprocess.run(["git", "clone", "--quiet", "--bare", str(root / "work"),
                    str(root / "server.git")], check=True)  # fmt: skip
    Users(root / "server.git").set_password("sari", PASSWORD, new=True)
    return root / "server.git"


@pytest.fixture(scope="session")
def new_archive(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Factory: a new records-only server repository (a few seconds)."""
    return lambda name: _build_archive(tmp_path_factory.mktemp(name))


@pytest.fixture(scope="session")
def archive(new_archive: Callable[[str], Path]) -> Iterator[WebApp]:
    """The shared records archive, served: read, never changed."""
    with running(new_archive("web-records")) as app:
        yield app
