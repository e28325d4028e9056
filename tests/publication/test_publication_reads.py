"""What a publication asks the forge: the change it publishes is read once by ``prepare`` and
used from there (on GitHub each read is an API request, on the embedded forge a walk of the
change's signed events), read again by the notice (it acts for whoever merged) and when a resumed
publication starts after ``prepare``.
Real server repository with its hooks, real Pelican build and local target; the live check
fails fast on a closed port, so no browser is needed."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from test_publication_flow import Env, _free_port, merge, open_change
from test_publication_flow import env as _env_fixture

from pipeline.forge import open_forge
from pipeline.publication.run import publish

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
