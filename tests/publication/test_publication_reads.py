"""What a publication asks the forge, and what a fresh process does while its build runs: the
change it publishes is read once by ``prepare`` and used from there (on GitHub each read is an
API request, on the embedded forge a walk of the change's signed events), read again by the
notice (it acts for whoever merged) and when a resumed publication starts after ``prepare``;
the record's PDF and the publication's Chromium are made ready during the build.
Real server repository with its hooks, real Pelican build and local target; the live check
fails fast on a closed port (no browser) except in the test that takes the screenshots."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest
from test_publication_flow import Env, _free_port, merge, open_change
from test_publication_flow import env as _env_fixture

from pipeline.evidence.spare import Spares
from pipeline.forge import open_forge
from pipeline.publication import run
from pipeline.publication.run import publish
from pipeline.record import render

pytestmark = [pytest.mark.xdist_group("publication-reads"), pytest.mark.slow]

env = _env_fixture  # the office of this module


def _dead(env: Env) -> Any:
    """The office's settings with a live site that never answers, checked once."""
    port = _free_port()  # closed again once chosen: nothing answers there
    settings = env.settings()
    checked = settings.publish.model_copy(
        update={"live_url": f"http://127.0.0.1:{port}/current", "verify_attempts": 1}
    )
    return settings.model_copy(update={"publish": checked})


def test_the_change_is_read_once_by_prepare_and_again_only_on_resume(env: Env) -> None:
    change_id = open_change(env, "uji-dibaca-sekali", "Uji Dibaca Sekali")
    sha = merge(env, change_id)
    settings = _dead(env)
    forge = open_forge(env.server, settings)
    reads: list[str] = []
    real = forge.get_change

    def counted(wanted: str) -> Any:
        assert wanted == change_id
        reads.append(sys._getframe(1).f_code.co_name)  # who asked
        return real(wanted)

    forge.get_change = counted  # type: ignore[method-assign]
    result = publish(env.server, sha, settings=settings, forge=forge)
    # Built and deployed, then the live check fails (nothing answers): recorded as a failure.
    assert result.status == "failed", result.problems
    assert result.change_id == change_id
    # ``prepare`` (finding the merge's change), then the notice of the failure on it (which
    # reads who merged: the notice is theirs); not again between the two.
    assert reads == ["change_for_merge", "add_notice"]
    # Resumed: ``prepare`` is done (its state kept), so the change is read from the forge.
    reads.clear()
    again = publish(env.server, sha, settings=settings, forge=forge, resume=True)
    assert again.status == "failed" and again.change_id == change_id, again.problems
    assert reads == ["_run", "add_notice"]


def test_a_fresh_process_loads_the_records_pdf_while_its_build_runs(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint and the record's fonts (1–1.4 s in a fresh process) load on a thread started
    before the build, which runs in a process of its own, not after the screenshots."""
    monkeypatch.setattr(render, "_warmed", threading.Event())  # as in a fresh process
    monkeypatch.setattr(render, "_warming", [])
    at_build: list[list[threading.Thread]] = []
    real = run.build

    def build(*args: Any, **kwargs: Any) -> Any:
        at_build.append(list(render._warming))
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "build", build)
    sha = merge(env, open_change(env, "uji-pdf-sambil", "Uji PDF Sambil Build"))
    settings = _dead(env)
    result = publish(env.server, sha, settings=settings, forge=open_forge(env.server, settings))
    assert result.status == "failed" and result.record_commit, result.problems  # with its PDF
    (started,) = at_build  # the build ran once, the warm-up already started
    assert len(started) == 1 and started[0].ident is not None
    assert render._warming == started and not started[0].is_alive()
    assert render._warmed.is_set()  # loaded by that thread, waited for by the record's PDF


@pytest.mark.browser
def test_a_fresh_process_starts_chromium_and_its_clean_contexts_while_its_build_runs(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the publication service, the publication's Chromium and the contexts of both
    views and of the page check are made while the build runs (in a process of its own), and
    the stages take those contexts, clean, rather than making their own after the deploy."""
    events: list[str] = []
    real_build, real_make, real_take = run.build, Spares.make, Spares.take
    checked = threading.Event()

    def build(*args: Any, **kwargs: Any) -> Any:
        events.append(f"build on {threading.current_thread().name.split('_')[0]}")
        done = real_build(*args, **kwargs)
        # The small site builds in about as long as Chromium takes to start: the build waits
        # for the contexts, so the order is the same on any machine (made in turn, it never
        # ends: the contexts would come after it).
        assert checked.wait(30), f"no contexts made while the build ran: {events}"
        events.append("built")
        return done

    def make(self: Spares, browser: Any, name: str, *args: Any, **kwargs: Any) -> None:
        real_make(self, browser, name, *args, **kwargs)
        events.append(f"made {name}")
        if name == "check":
            checked.set()

    def take(self: Spares, browser: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        events.append(f"{'took' if name in self._kept else 'no spare for'} {name}")
        return real_take(self, browser, name, *args, **kwargs)

    monkeypatch.setattr(run, "build", build)
    monkeypatch.setattr(Spares, "make", make)
    monkeypatch.setattr(Spares, "take", take)
    sha = merge(env, open_change(env, "uji-chromium-sambil", "Uji Chromium Sambil Build"))
    settings = env.settings()
    result = publish(env.server, sha, settings=settings, forge=open_forge(env.server, settings))
    assert result.status == "complete", result.problems
    assert len(result.screenshots) == 2
    made = {"made desktop", "made mobile", "made check"}
    assert events[0] == "build on build" and made <= set(events[: events.index("built")]), events
    assert {"took desktop", "took mobile", "took check"} <= set(events), events
    assert not [e for e in events if e.startswith("no spare")], events
