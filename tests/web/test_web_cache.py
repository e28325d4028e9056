"""What the pages reuse between requests: keyed by the refs (main's tip, each change's tips),
so a push by anyone — through the server's real hooks — shows on the very next page load, and
a cached page says exactly what reading everything again says."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pipeline.clock import now
from pipeline.forge.local.store import metachain
from pipeline.vcs import Repo
from pipeline.web.office import Office
from tests.support.forge import COUNTER, Kit, article, main_commit
from tests.support.web import Story, running, sign_in

pytestmark = pytest.mark.xdist_group("web")


def _rows(page: str) -> list[str]:
    return re.findall(r'<a href="/perubahan/([0-9]+)">', page)


def test_a_push_by_someone_else_shows_on_the_next_page_load(mutable: Story) -> None:
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    with running(mutable.office.server) as web:
        sari, rina = sign_in(web, "sari"), sign_in(web, "rina")
        sari.get("/")
        sari.get("/perubahan")  # read once: what follows is served from what was kept
        change = kit.submit("rina")  # from rina's clone, through the hooks
        assert change in _rows(sari.get("/").text)
        assert change in _rows(sari.get("/perubahan").text)
        kit.review("sari", change, "request_changes", "Judul terlalu panjang.")
        assert change not in _rows(sari.get("/").text)
        mine = rina.get("/").text
        assert change in _rows(mine) and "Perbaikan oleh staf" in mine
        assert "Judul terlalu panjang." in sari.get(f"/perubahan/{change}").text
        kit.commit("rina", f"content/articles/tambahan-{kit.counter}.md",
                   article(f"Tambahan {kit.counter}"))  # fmt: skip
        kit.resubmit("rina")  # the answer: the change waits for the Katimker again
        assert change in _rows(sari.get("/").text)
        assert change not in _rows(rina.get("/").text)
        page = sari.get(f"/perubahan/{change}").text
        assert f"tambahan-{kit.counter}.md" in page  # the new head's files


def _everything(office: Office, people: list[str]) -> dict[str, Any]:
    seen: dict[str, Any] = {p: office.waiting_for(p) for p in people}
    seen["changes"] = office.changes()
    seen["broken"] = dict(office.broken)
    for row in seen["changes"]:
        seen[row.id] = office.change(row.id, "sari")
    return seen


def test_cached_pages_equal_reading_everything_again(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERBIT_NOW", "2026-12-09T10:15:00+07:00")  # a week on: overdue steps
    server = story.office.server
    people = list(story.office.people)
    direct = _everything(Office(server, cached=False), people)
    assert len(direct["changes"]) == 4 and direct["sari"]
    assert _everything(Office(server), people) == direct  # read and kept
    assert _everything(Office(server), people) == direct  # from what was kept


def test_a_page_read_again_asks_git_only_for_the_refs(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No process per change once read: each request reads the refs, once."""
    server = story.office.server
    Office(server).waiting_for("sari")
    Office(server).change(story.plain, "sari")
    started = _started(monkeypatch)
    assert Office(server).waiting_for("sari")
    assert Office(server).changes()
    assert Office(server).change(story.plain, "sari").row.id == story.plain
    assert [" ".join(a[1:2]) for a in started] == ["for-each-ref"] * 3, started


def _started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every process started from now on (its arguments)."""
    started: list[list[str]] = []
    real = subprocess.Popen.__init__

    def counted(self: subprocess.Popen, args: Any, *rest: Any, **kwargs: Any) -> None:
        started.append([str(a) for a in args] if isinstance(args, list) else [str(args)])
        real(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", counted)
    return started


def _chain_reads(started: list[list[str]]) -> list[list[str]]:
    """The processes that read a change's records or verify their signatures."""
    return [a for a in started
            if a[1:3] == ["ls-tree", "-z"] or "--topo-order" in a or "-Y" in a]  # fmt: skip


def test_a_publication_reads_no_change_records_again(
    mutable: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Main moving by a published article keeps every change's records, their signature
    verdicts and the policy; what is shown still equals reading everything again."""
    kit = Kit(mutable.office, counter=next(COUNTER) * 100)
    server = mutable.office.server
    waiting = kit.submit("rina")
    kit.review("sari", waiting, "request_changes", "Mohon diperbaiki.")  # a signed record
    published = kit.submit("budi")
    kit.approve_all(published)
    first = Office(server)
    assert first.change(waiting, "sari").events and first.waiting_for("rina")
    policy = first.policy()
    kit.merge(published)  # a publication: main moves by an article only
    started = _started(monkeypatch)
    after = Office(server)
    assert waiting in [w.change_id for w in after.waiting_for("rina")]
    assert {row.id: row.state for row in after.changes()}[published] == "merged"
    assert after.change(waiting, "sari").row.id == waiting
    assert _chain_reads(started) == [], _chain_reads(started)  # nothing read or verified again
    assert after.policy() is policy
    monkeypatch.undo()
    # Both readings at one instant: a minute passing between them is not a difference.
    monkeypatch.setenv("TERBIT_NOW", now().isoformat())
    people = ["sari", "rina", "dewi"]
    assert _everything(Office(server), people) == _everything(Office(server, cached=False), people)


def test_a_roles_change_on_main_reads_the_policy_again(
    mutable: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = mutable.office.server
    kept = Office(server).policy()
    main_commit(server, f"content/articles/kabar-{next(COUNTER)}.md", article("Kabar"))
    assert Office(server).policy() is kept  # an article: the same roles, SOP and settings
    roles = subprocess.run(["git", "show", "main:roles.yml"], cwd=server, capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    main_commit(server, "roles.yml", roles + f"# diubah {next(COUNTER)}\n")
    again = Office(server).policy()
    assert again is not kept and again.roles == kept.roles
    assert Office(server).policy() is again


def test_records_read_together_equal_reading_them_one_by_one(story: Story) -> None:
    """One cat-file --batch per round for every chain says what walking each one says; a
    chain whose objects are missing is left out (its own reader says why)."""
    repo = Repo(story.office.server)
    tips = [sha for name, sha in repo.refs("refs/").items() if name.endswith("/meta")]
    assert len(tips) >= 4
    missing = "0" * 40
    together = metachain.walk_many(repo, [*tips, missing])
    assert together == {tip: metachain.walk(repo, tip) for tip in tips}


def test_landed_lists_only_the_changed_files_and_says_the_same(tmp_path: Path) -> None:
    """What merging changes, with the entries of only its files listed (names taken
    literally: a '*' in a name matches nothing else), equals the whole tree's entries."""

    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=A", "-c", "user.email=a@a", *args],
                              cwd=tmp_path, check=True, capture_output=True,
                              text=True).stdout.strip()  # fmt: skip

    git("init", "-q", "-b", "main")
    for name in ("a*.md", "ab.md", "gone.md", "keep b.md"):
        (tmp_path / name).write_text(name)
    git("add", "-A")
    git("commit", "-qm", "base")
    git("switch", "-qc", "change")
    (tmp_path / "a*.md").write_text("changed")
    (tmp_path / "baru b.md").write_text("new")
    (tmp_path / "run.sh").write_text("#!/bin/sh\n")
    (tmp_path / "run.sh").chmod(0o755)
    (tmp_path / "gone.md").unlink()
    git("add", "-A")
    git("commit", "-qm", "change")
    repo = Repo(tmp_path)
    landed = repo.landed(git("rev-parse", "main"), git("rev-parse", "change"))
    whole = repo.tree_entries(landed.tree)
    assert sorted((s, e.path) for s, e in landed.changes) == [
        ("A", "baru b.md"), ("A", "run.sh"), ("D", "gone.md"), ("M", "a*.md")]  # fmt: skip
    for status, entry in landed.changes:
        assert entry == whole[entry.path] if status != "D" else entry.path not in whole
