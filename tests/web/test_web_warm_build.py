"""``terbit web`` keeps the server's warm build process up (its lifespan): a merge through the
application is built by that process, and the site it publishes is the one a cold full build
of the same tree makes. Everything real: the office's server with its hooks, the web app on
uvicorn (lifespan on, as ``terbit web`` runs it), the warm worker (an isolated interpreter on
its Unix socket), Pelican, the local deploy target served over HTTP, Chromium screenshots."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli.demo.office import Office
from pipeline.config.settings import committed_settings
from pipeline.publication.stages import held_drafts, warm_folder
from pipeline.publication.state import state_root
from pipeline.render import warm
from pipeline.render.history import read_history
from pipeline.render.runner import build_site
from pipeline.vcs import Repo
from tests.support.forge import COUNTER, Kit
from tests.support.published import local_office
from tests.support.tree import tree
from tests.support.web import running, sign_in, token

pytestmark = [pytest.mark.xdist_group("web-warm_build"), pytest.mark.slow]

PASSPHRASE = "frasa-sandi-hangat-42"
START_S = 60  # bound on the warm worker's start (imports on a loaded machine)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    """An office of its own (it merges), deploying to a folder served on 127.0.0.1."""
    with local_office(tmp_path, PASSPHRASE) as made:
        yield made


def _cold_full_build(repo: Repo, commit: str, where: Path) -> dict[str, str]:
    """The site of ``commit`` built the way a publication builds it, in a fresh process, whole,
    without any cache or warm worker."""
    source = where / "source"
    repo.export_tree(commit, source)
    settings = committed_settings(lambda path: repo.show_file(commit, path))
    built = build_site(
        source,
        output=where / "site",
        publish=True,
        full=True,
        cache_base=where / "cache",
        skip_bad=True,
        history=read_history(repo, commit, settings.content.path, where / "history"),
        hold=held_drafts(repo, commit, settings),
    )
    assert not built.warm
    return tree(where / "site")


def test_a_merge_through_the_web_app_is_built_by_its_warm_process(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERBIT_WARM", "on")  # the suite switches it off for every other app
    monkeypatch.setenv("TERBIT_PUBLISH", "sync")  # the merge's push returns once published
    kit = Kit(office, counter=next(COUNTER) * 100)
    change = kit.submit("rina")
    kit.approve_all(change)
    folder = warm_folder(Repo(office.server))
    with running(office.server, lifespan="on") as app:
        end = time.monotonic() + START_S
        while not warm.ready(folder):  # started by the app's lifespan, nobody else
            assert time.monotonic() < end, f"no warm worker within {START_S} s"
            time.sleep(0.1)
        dewi = sign_in(app, "dewi")
        page = dewi.get(f"/perubahan/{change}").text
        head = page.split('name="head" value="', 1)[1].split('"', 1)[0]
        data = {"csrftoken": token(page), "head": head, "passphrase": PASSPHRASE}
        done = dewi.post(f"/perubahan/{change}/gabung", data=data)
        assert done.status_code == 303, done.text
    merge = kit.change(change).merge_sha
    assert merge is not None
    repo = Repo(office.server)
    state = json.loads((state_root(repo) / f"{merge}.json").read_text(encoding="utf-8"))
    build = state["stages"]["build"]
    assert build["warm"] is True, state  # the warm process built it, no fallback
    assert "record" in state["stages"], state
    assert tree(Path(build["site"])) == _cold_full_build(repo, build["commit"], tmp_path / "ref")
