"""An unexpected fault in a server hook: the pusher reads a sentence and where the log is,
never a Python class name; the push is refused (pre-receive) or kept (post-receive)."""

from __future__ import annotations

import pytest

from pipeline.hooks import merged, post_receive, pre_receive, push_check
from pipeline.hooks.server import LOG_FILE
from pipeline.vcs import Repo


class Boom(Exception):
    pass


def _explode(*args: object, **kwargs: object) -> None:
    raise Boom("internal detail")


@pytest.mark.parametrize("hook", ["pre_receive", "post_receive"])
def test_a_hook_fault_reads_as_a_sentence_with_the_log(make_repo, monkeypatch, capsys, hook):
    repo = Repo(make_repo("office.git", bare=True))
    # Fault injection: whatever the hook does first fails in a way nobody foresaw.
    monkeypatch.setattr(push_check, "Receiver", _explode)
    monkeypatch.setattr(merged, "_record_and_publish", _explode)
    monkeypatch.setenv("TERBIT_LANG", "id")
    module = pre_receive if hook == "pre_receive" else post_receive
    code = getattr(module, hook)(repo.git_dir, ["0" * 40 + " " + "1" * 40 + " refs/heads/main"])
    err = capsys.readouterr().err
    assert code == (1 if hook == "pre_receive" else 0)
    assert "Boom" not in err and "internal detail" not in err
    assert "kesalahan tak terduga" in err and str(repo.git_dir / LOG_FILE) in err
    assert "Boom" in (repo.git_dir / LOG_FILE).read_text(encoding="utf-8")
