"""The push check answered by the check server (``hooks.checker``) that the publication service
keeps: the same verdicts and messages as the hook's own check; the hook checks on its own, with
a log line, when that server is down, stale or answers garbage; pushed objects outside this
repository's quarantine are never read. Real office, real hooks, real server process."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli.demo.office import Office
from pipeline.forge.local.client.actions import remote_lines
from pipeline.forge.local.rules.push import MAIN, Update
from pipeline.forge.local.store import pushlock
from pipeline.hooks import checker, merged, publisher, push_check
from pipeline.hooks.server import LOG_FILE
from pipeline.render import warm
from pipeline.vcs import Repo
from tests.support.forge import Kit

pytestmark = pytest.mark.xdist_group("forge-check-service")


@pytest.fixture(autouse=True)
def _indonesian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERBIT_LANG", "id")


def _folder(office: Office) -> Path:
    return warm.folder_of(Repo(office.server).git_dir)


@contextlib.contextmanager
def check_server(office: Office) -> Iterator[subprocess.Popen[bytes]]:
    """The check server as its own process (the publication service forks the same)."""
    folder = _folder(office)
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-I", "-c", "from pipeline.hooks.checker import main; main()"],
        cwd=folder,
    )
    try:
        end = time.monotonic() + 60
        while not warm.ready(folder, checker.SOCKET):
            assert proc.poll() is None and time.monotonic() < end, "no check server"
            time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def fake_server(folder: Path, name: str, answer: bytes) -> Iterator[None]:
    """Something on ``name`` that reads one request and answers ``answer`` (at most 5 s)."""
    listener = warm_listen(folder, name)
    done = threading.Event()

    def serve() -> None:
        listener.settimeout(5)
        with contextlib.suppress(OSError):
            while not done.is_set():
                conn, _ = listener.accept()
                with conn:
                    conn.makefile("rb").readline()
                    conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        listener.close()
        (folder / name).unlink(missing_ok=True)
        thread.join(6)


def warm_listen(folder: Path, name: str) -> socket.socket:
    handle, where = warm.address(folder, name)
    try:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(where)
        listener.listen(4)
        return listener
    finally:
        import os

        os.close(handle)


def _log(office: Office) -> str:
    path = Repo(office.server).git_dir / LOG_FILE
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _checked_here(office: Office) -> int:
    return _log(office).count("pemeriksaan server tidak dipakai")


def _refused_pushes(kit: Kit, change_id: str) -> dict[str, str]:
    """Pushes each refused by a different rule, made once so they can be pushed again."""
    forge = kit.forge("dewi")
    forge.sync()
    base = forge.base_tip()
    tree = forge.repo.tree_of(base)
    direct = forge.repo.run("commit-tree", tree, "-p", base, "-m", "Langsung ke main")
    return {
        "gate": kit.merge_commit(change_id),  # two of three approvals
        "unsigned": kit.merge_commit(change_id, signed=False),
        "tree": kit.merge_commit(change_id, tree=tree),
        "direct": direct,
    }


def _push_all(kit: Kit, shas: dict[str, str]) -> dict[str, str]:
    said = {}
    for kind, sha in shas.items():
        ok, output = kit.push("dewi", f"{sha}:refs/heads/main")
        assert not ok, (kind, output)
        said[kind] = remote_lines(output)
    ok, output = kit.push("dewi", "HEAD:refs/heads/lain")
    assert not ok
    said["namespace"] = remote_lines(output)
    return said


def test_the_check_server_says_what_the_hook_itself_says(kit: Kit) -> None:
    office = kit.office
    change_id = kit.submit()
    kit.review("sari", change_id)
    kit.review("andi", change_id)
    shas = _refused_pushes(kit, change_id)
    before = _checked_here(office)
    with check_server(office):
        served = _push_all(kit, shas)
        assert _checked_here(office) == before  # every one answered by the server
    here = _push_all(kit, shas)
    assert _checked_here(office) == before + len(here)  # down: the hook checked, and said so
    assert served == here
    assert "langkah 5 belum disetujui" in served["gate"]
    assert "tidak ditandatangani" in served["unsigned"]
    assert "isi commit merge berbeda" in served["tree"]
    assert "dorongan langsung ke main ditolak" in served["direct"]
    assert "ref 'refs/heads/lain' tidak diizinkan" in served["namespace"]
    for said in served.values():
        assert said.startswith("terbit: dorongan ditolak:")
        assert "Traceback" not in said


def _recorded_here(office: Office) -> int:
    return _log(office).count("hook mencatat sendiri")


def _merged_and_unlocked(kit: Kit, change_id: str, sha: str) -> None:
    server = Repo(kit.office.server)
    assert server.rev_parse(MAIN) == sha
    assert kit.change(change_id).state == "merged"  # post-receive's record
    assert not (server.git_dir / pushlock.LOCK_FILE).exists()  # and the push lock given back


def test_a_merge_checked_and_recorded_by_the_server_lands(kit: Kit) -> None:
    office = kit.office
    change_id = kit.submit()
    kit.approve_all(change_id)
    before = _checked_here(office), _recorded_here(office)
    with check_server(office):
        sha = kit.merge(change_id)
    assert (_checked_here(office), _recorded_here(office)) == before
    _merged_and_unlocked(kit, change_id, sha)
    # The server down: the hooks check and record on their own, and say so in the log.
    change_id = kit.submit()
    kit.approve_all(change_id)
    sha = kit.merge(change_id)
    assert (_checked_here(office), _recorded_here(office)) > before
    _merged_and_unlocked(kit, change_id, sha)


def test_a_merge_lands_and_is_recorded_when_the_server_answers_garbage(kit: Kit) -> None:
    office = kit.office
    change_id = kit.submit()
    kit.approve_all(change_id)
    before = _log(office)
    with fake_server(_folder(office), checker.SOCKET, b'{"event": "line"}\n'):
        sha = kit.merge(change_id)
    _merged_and_unlocked(kit, change_id, sha)
    added = _log(office)[len(before) :]
    assert "hook memeriksa sendiri" in added and "hook mencatat sendiri" in added, added


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (b"garbage\n", "garbage"),
        (b'{"event": "verdict", "code": 0}\n', "garbage"),  # no text: not a verdict
        (b'{"event": "stale"}\n', "stale"),
        (b"", "garbage"),
    ],
)
def test_a_server_answering_garbage_leaves_the_check_to_the_hook(
    kit: Kit, answer: bytes, why: str
) -> None:
    office = kit.office
    before = _log(office)
    with fake_server(_folder(office), checker.SOCKET, answer):
        ok, output = kit.push("dewi", "HEAD:refs/heads/lain")
    assert not ok  # never accepted on the fake's word
    assert "ref 'refs/heads/lain' tidak diizinkan" in output
    added = _log(office)[len(before) :]
    assert f"({push_check.MSG(why)})" in added, added


def test_objects_outside_the_quarantine_are_not_read(kit: Kit, tmp_path: Path) -> None:
    office = kit.office
    git_dir = Repo(office.server).git_dir
    lines = ["0" * 40 + " " + Repo(office.server).rev_parse(MAIN) + " refs/heads/lain"]
    with check_server(office):
        code, text = checker.request(git_dir, lines, {})
        assert code == 1 and "tidak diizinkan" in text
        for env in (
            {"GIT_OBJECT_DIRECTORY": str(tmp_path)},
            {"GIT_QUARANTINE_PATH": str(git_dir / "objects" / "pack")},
            {"GIT_ALTERNATE_OBJECT_DIRECTORIES": f"{git_dir / 'objects'}:{tmp_path}"},
        ):
            with pytest.raises(checker.Unused):
                checker.request(git_dir, lines, env)


def test_a_publication_service_answering_garbage_leaves_publishing_to_a_new_process(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = kit.office
    repo = Repo(office.server)
    tip = repo.rev_parse(MAIN)
    assert tip
    before = _log(office)
    with fake_server(_folder(office), publisher.SOCKET, b"not json\n"):
        with pytest.raises(publisher.Unused):
            publisher.request(_folder(office), tip, tip, sync=True, relay=print)
        took = merged._by_service(repo, Update(tip, tip, MAIN), sync=True)
    assert took is False  # the caller starts the publishing process
    added = _log(office)[len(before) :]
    assert merged.MSG("stopped") in added, added
