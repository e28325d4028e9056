"""Publishing with the server's warm build process, and with one Chromium for the screenshots
and the page check: the embedded server with its real hooks, a real HTTP server over the local
target and a real Chromium, on an office of this module's own.

Moved out of test_publication_flow.py (unchanged) so that its minute and a half runs beside
that module's three minutes, on the other worker.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import httpx
import pytest
from test_publication_flow import Env, merge, open_change
from test_publication_flow import env as _env_fixture

from pipeline.vcs import Repo

pytestmark = [pytest.mark.xdist_group("publication-warm"), pytest.mark.slow]

env = _env_fixture  # the office of this module (module-scoped: one per test module)


@pytest.mark.browser
def test_a_publication_builds_in_the_warm_process_and_survives_its_kill(env: Env) -> None:
    """With the server's warm build process up, a publication builds in it (no fallback in
    the log); killed with -9 in the middle of the next publication's build, that publication
    is built by a fresh process, says so, and completes; the live site stays whole."""
    import signal

    from pipeline.publication import stages
    from pipeline.render import warm

    folder = stages.warm_folder(Repo(env.server))
    service = warm.Service(folder)
    service.check()
    end = time.monotonic() + 30
    while not warm.ready(folder):
        assert time.monotonic() < end, "the warm build process did not start"
        time.sleep(0.05)
    try:
        said: list[str] = []
        sha = merge(env, open_change(env, "uji-hangat", "Uji Build Hangat"))
        result = env.publish(sha, say=said.append)
        assert result.status == "complete", result.problems
        assert not [line for line in said if "Build hangat tidak dipakai" in line], said
        assert httpx.get(f"{env.live_base}/artikel/uji-hangat/", timeout=10).status_code == 200

        assert service.proc is not None
        zygote = service.proc.pid
        real_build = stages.build_site

        def killed_mid_build(*args: object, **kw: object) -> object:
            """The warm process and its build killed as soon as the build reports its start.
            Not at its first written page: a small build reports its pages only just before
            ``done``, which could then arrive before the kill."""

            class Killer:
                def stop(self) -> None: ...
                def fork(self, job: str, items: int, ok: bool) -> None: ...
                def update(self, read: int, written: int, reused: int) -> None: ...

                def start(self, total: int) -> None:
                    assert service.proc is not None
                    if service.proc.poll() is not None:
                        return  # the cold build that follows
                    kids = Path(f"/proc/{zygote}/task/{zygote}/children").read_text()
                    os.kill(zygote, signal.SIGKILL)
                    for pid in kids.split():
                        os.kill(int(pid), signal.SIGKILL)
                    # The live site is the last release, whole, while nothing is built.
                    page = httpx.get(f"{env.live_base}/artikel/uji-hangat/", timeout=10)
                    assert page.status_code == 200

            return real_build(*args, progress=Killer(), **kw)  # type: ignore[arg-type]

        said.clear()
        sha = merge(env, open_change(env, "uji-hangat-dua", "Uji Build Hangat Dua"))
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(stages, "build_site", killed_mid_build)
            result = env.publish(sha, say=said.append)
        assert result.status == "complete", result.problems
        assert service.proc.poll() is not None, "the warm process was not killed"
        assert [line for line in said if "berhenti di tengah build" in line], said
        for slug in ("uji-hangat", "uji-hangat-dua"):
            page = httpx.get(f"{env.live_base}/artikel/{slug}/", timeout=10)
            assert page.status_code == 200
        assert len(env.records(sha)) == 1
        # Its owner starts a new one, which builds the next publication.
        service.check()
        end = time.monotonic() + 30
        while not warm.ready(folder):
            assert time.monotonic() < end, "no new warm build process"
            time.sleep(0.05)
        said.clear()
        sha = merge(env, open_change(env, "uji-hangat-tiga", "Uji Build Hangat Tiga"))
        result = env.publish(sha, say=said.append)
        assert result.status == "complete", result.problems
        assert not [line for line in said if "Build hangat tidak dipakai" in line], said
    finally:
        service.stop()


@pytest.mark.browser
def test_one_chromium_takes_the_screenshots_and_checks_the_pages(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screenshots and the page check share the publication's one browser (its start is
    seconds); what they find is what a browser of its own finds."""
    from pipeline.evidence.browser import chromium
    from pipeline.evidence.visitor import check_pages

    system = shutil.which("chromium") or "/usr/bin/chromium"
    starts = tmp_path / "starts"
    wrapper = tmp_path / "chromium"
    wrapper.write_text(f'#!/bin/sh\necho $$ >> {starts}\nexec {system} "$@"\n')
    wrapper.chmod(0o755)
    sha = merge(env, open_change(env, "uji-satu-peramban", "Uji Satu Peramban"))
    monkeypatch.setenv("TERBIT_BROWSER", "system")
    monkeypatch.setenv("TERBIT_CHROMIUM", str(wrapper))
    result = env.publish(sha)
    assert result.status == "complete", result.problems
    assert len(starts.read_text().split()) == 1
    assert len(result.screenshots) == 2 and all(Path(s).stat().st_size for s in result.screenshots)
    state = json.loads(Path(result.state_file).read_text(encoding="utf-8"))
    shared = state["stages"]["visitor"]
    url = f"{env.live_base}/artikel/uji-satu-peramban/"
    assert shared["pages"] == [url, f"{env.live_base}/"]
    live = env.server.parent.parent / "www" / "current"
    with chromium() as browser:
        alone = check_pages(browser, shared["pages"], live, env.live_base).data()
    assert {k: v for k, v in shared.items() if k in alone} == alone
