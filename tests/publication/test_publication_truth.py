"""Records and notices state only what happened (issue 11, sections 3 and 4).

One office of its own (real server repository and hooks, real HTTP, SMTP and Chromium on
127.0.0.1); the record's PDF is read back with ``pdftotext``.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from test_publication_flow import Env, merge, open_change
from test_publication_flow import env as _env_fixture

from pipeline.vcs import Repo

# Its own office and ports: it may run beside test_publication_flow on the other worker. Three
# work units, each with the office of its tests (``env`` is per module and worker: a unit run
# on the other worker builds its own), so that the module's 8 minutes spread over both workers:
# the failed publication ``down`` and what reads it; killed publications resumed; the notice
# and the faults of one run (e-mail, browser, disk).
pytestmark = [pytest.mark.slow]
DOWN = pytest.mark.xdist_group("publication-truth")
RESUMED = pytest.mark.xdist_group("publication-truth-resumed")
NOTICE = pytest.mark.xdist_group("publication-truth-notice")

env = _env_fixture  # the office of this module (module-scoped: one per test module)

RAW_NAMES = ("ConnectError", "TargetClosedError", "Traceback", "OSError")


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing answers


def pdf_text(repo: Repo, folder: str) -> str:
    """The record's PDF as text (poppler's pdftotext), spaces normalised."""
    data = repo.show_bytes("refs/heads/main", f"{folder}/lembar-penyelesaian.pdf")
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def record_of(env: Env, folder: str) -> dict:
    return yaml.safe_load(Repo(env.server).show_file("refs/heads/main", f"{folder}/record.yml"))


def run_in(clone: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=clone, capture_output=True, text=True,
        env={**os.environ, "COLUMNS": "200"}, timeout=240, check=False,
    )  # fmt: skip


def mails_to(env: Env, address: str) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(raw, policy=email.policy.default)
        for rcpts, raw in env.inbox.messages
        if address in rcpts
    ]


@pytest.fixture(scope="module")
def down(env: Env) -> Iterator[tuple[str, str, object]]:
    """A merge published while the web server does not answer (the issue's case)."""
    change_id = open_change(env, "uji-situs-mati", "Uji Situs Mati")
    sha = merge(env, change_id)
    settings = env.settings()
    dead = settings.model_copy(
        update={
            "publish": settings.publish.model_copy(
                update={"live_url": f"http://127.0.0.1:{_closed_port()}/current"}
            )
        }
    )
    before = len(env.inbox.messages)
    result = env.publish(sha, settings=dead)
    yield change_id, sha, result, env.inbox.messages[before:]


@DOWN
@pytest.mark.browser
def test_site_not_answering_is_a_failed_publication_and_nobody_is_told_it_is_live(
    env: Env, down: tuple
) -> None:
    change_id, sha, result, mails = down
    assert result.status == "failed"
    text = " ".join(result.problems)
    assert "belum tayang" in text and not any(raw in text for raw in RAW_NAMES)
    record = record_of(env, result.record_folder)
    assert record["status"] == "failed"
    steps = {s["number"]: s for s in record["steps"]}
    assert steps[6]["state"] == "failed" and "gagal" in steps[6]["keterangan"]
    assert steps[7]["state"] != "done" and steps[8]["state"] != "done"
    assert steps[7]["ended_at"] is None and steps[8]["ended_at"] is None
    assert record["notice"]["recorded"] is False  # the author was not told
    # The author got no "sudah tayang"; the admin role got the failure and the retry command.
    author = [m for m in mails if "rina.siregar@bbkkmedan.go.id" in m[0]]
    assert author == []
    admin = mails_to(env, "dewi.tarigan@bbkkmedan.go.id")
    assert admin, "the admin role is told by e-mail"
    body = admin[-1].get_body(("plain",)).get_content()
    assert "GAGAL" in admin[-1]["Subject"]
    assert f"terbit publish {sha} --resume" in body
    assert not any(raw in body for raw in RAW_NAMES)
    from pipeline.forge import open_forge

    notices = open_forge(env.server, env.settings()).notices(change_id)
    assert notices and "GAGAL" in notices[-1].text and "--resume" in notices[-1].text
    assert not any("sudah terpublikasi" in n.text for n in notices)
    # The PDF says the same: failed, with the reason in Indonesian, steps 7 and 8 not done.
    pdf = pdf_text(Repo(env.server), result.record_folder)
    assert "GAGAL" in pdf and "belum tayang" in pdf
    assert not any(raw in pdf for raw in RAW_NAMES)
    assert pdf.count("sesuai mutu baku") == 5  # steps 1-5 only
    assert pdf.count("tidak dikerjakan") == 2, pdf  # steps 7 and 8
    assert steps[6]["pelaksana"]["id"] == "dewi"  # who merged: step 6 was tried for her


@DOWN
@pytest.mark.browser
def test_status_and_changes_show_the_failed_publication(env: Env, down: tuple) -> None:
    change_id, _sha, _result, _mails = down
    clone = env.office.clone_path("rina")
    status = run_in(clone, "status", change_id)
    assert "GAGAL" in status.stdout, status.stdout + status.stderr
    assert "belum tayang" in status.stdout
    assert status.returncode == 1
    listed = run_in(clone, "changes", "--all")
    row = next(line for line in listed.stdout.splitlines() if f"#{change_id}" in line)
    assert "gagal" in row.lower(), listed.stdout


@DOWN
@pytest.mark.browser
def test_resume_after_the_site_answers_again_completes_and_tells_the_author_once(
    env: Env, down: tuple
) -> None:
    _change_id, sha, failed, _mails = down
    resumed = env.cli("publish", sha, "--resume", "--repo", str(env.server))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    record = record_of(env, failed.record_folder)
    assert record["status"] == "complete", record["reasons"]
    assert all(s["state"] == "done" for s in record["steps"])
    told = [
        m for m in mails_to(env, "rina.siregar@bbkkmedan.go.id") if "Uji Situs Mati" in m["Subject"]
    ]
    assert len(told) == 1 and "Sudah tayang" in told[0]["Subject"]
    page = httpx.get(f"{env.live_base}/artikel/uji-situs-mati/", timeout=10)
    assert page.status_code == 200
    assert "lengkap" in pdf_text(Repo(env.server), failed.record_folder)


@DOWN
@pytest.mark.browser
def test_step_6_names_the_signer_of_the_merge_not_the_role_table(env: Env) -> None:
    """A merge signed by Budi (staff, not the first admin) lands on main without the client:
    the record must name Budi as step 6's pelaksana and as the one who completed it."""
    change_id = open_change(env, "uji-penanda", "Uji Penanda Merge")
    office = env.office
    forge = office.forge("budi")
    forge.sync()
    change = forge.get_change(change_id)
    base = forge.base_tip()
    tree = forge.repo.merge_tree(base, change.head_sha)
    who = office.who("budi")
    sha = forge.repo.commit_tree_signed(
        tree, [base, change.head_sha], f"Merge #{change_id}\n\nTerbit-Change: {change_id}\n",
        name=who.name, email=who.email, key=who.key,
    )  # fmt: skip
    server = Repo(env.server)
    server.run("fetch", "--quiet", str(office.clone_path("budi")), sha)
    server.update_ref("refs/heads/main", sha, base)  # as a server-side bypass would
    result = env.publish(sha)
    record = record_of(env, result.record_folder)
    step6 = record["steps"][5]
    assert step6["pelaksana"]["id"] == "budi", step6["pelaksana"]
    assert record["yang_menyelesaikan"]["id"] == "budi"
    assert record["mengetahui"]["id"] == "andi"  # who signed the disposition (step 4)
    pdf = pdf_text(server, result.record_folder)
    assert "Budi Santoso Nasution" in pdf
    assert "Dewi Anggraini Tarigan" not in pdf  # Dewi did nothing for this change


@DOWN
def test_pdftotext_is_installed_for_these_tests() -> None:
    assert shutil.which("pdftotext"), "scripts/setup --test installs poppler-utils"


def _live_release(env: Env) -> str | None:
    link = env.server.parent.parent / "www" / "current"
    return link.resolve().name if link.is_symlink() else None


@RESUMED
@pytest.mark.browser
def test_resuming_an_older_publication_never_switches_the_site_back(env: Env) -> None:
    """A is killed right after switching the live site; B is published from a newer main;
    resuming A must keep B's release live (it holds A's article too)."""
    sha_a = merge(env, open_change(env, "uji-lama", "Uji Rilis Lama"))
    killed = env.cli(
        "publish", sha_a, "--repo", str(env.server), env={"TERBIT_FAULT_STAGE": "deploy"}
    )
    assert killed.returncode == -9, killed.stderr
    release_a = _live_release(env)
    assert release_a and release_a.endswith(sha_a[:12])
    sha_b = merge(env, open_change(env, "uji-baru", "Uji Rilis Baru"))
    published_b = env.publish(sha_b)
    assert published_b.status == "complete", published_b.problems
    release_b = _live_release(env)
    assert release_b != release_a
    resumed = env.cli("publish", sha_a, "--resume", "--repo", str(env.server))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert _live_release(env) == release_b  # never back to A's older tree
    for slug in ("uji-lama", "uji-baru"):
        page = httpx.get(f"{env.live_base}/artikel/{slug}/", timeout=10)
        assert page.status_code == 200, slug
    record = record_of(env, f"records/{env.records(sha_a)[0]}")
    assert record["status"] == "complete", record["reasons"]
    assert record["deploy"]["release"] == release_b


def _author_mails(env: Env, title: str) -> list[email.message.EmailMessage]:
    return [m for m in mails_to(env, "rina.siregar@bbkkmedan.go.id") if title in m["Subject"]]


@NOTICE
@pytest.mark.browser
@pytest.mark.parametrize(
    ("fault", "noted"),
    [("email-sent", "unconfirmed"), ("notice", "sent")],  # inside the window; after "sent"
)
def test_a_kill_after_the_smtp_server_accepted_does_not_send_the_notice_twice(
    env: Env, fault: str, noted: str
) -> None:
    title = f"Uji Surel Sekali {fault}"
    sha = merge(env, open_change(env, f"uji-surel-{fault}", title))
    killed = env.cli("publish", sha, "--repo", str(env.server), env={"TERBIT_FAULT_STAGE": fault})
    assert killed.returncode == -9, killed.stderr
    assert len(_author_mails(env, title)) == 1  # the server accepted it
    resumed = env.cli("publish", sha, "--resume", "--repo", str(env.server))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert len(_author_mails(env, title)) == 1  # not sent again
    record = record_of(env, f"records/{env.records(sha)[0]}")
    assert record["notice"]["emailed_to"] == "rina.siregar@bbkkmedan.go.id"
    assert record["notice"]["email"] == noted


@NOTICE
@pytest.mark.browser
def test_resume_retries_a_failed_email(env: Env) -> None:
    sha = merge(env, open_change(env, "uji-surel-gagal", "Uji Surel Gagal"))
    settings = env.settings()
    smtp_down = settings.model_copy(
        update={
            "notify": settings.notify.model_copy(
                update={"smtp": settings.notify.smtp.model_copy(update={"port": _closed_port()})}
            )
        }
    )
    first = env.publish(sha, settings=smtp_down)
    assert first.status == "incomplete"
    assert any("e-mail" in p for p in first.problems), first.problems
    assert _author_mails(env, "Uji Surel Gagal") == []
    resumed = env.cli("publish", sha, "--resume", "--repo", str(env.server))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert len(_author_mails(env, "Uji Surel Gagal")) == 1
    record = record_of(env, first.record_folder)
    assert record["status"] == "complete" and record["notice"]["email"] == "sent"
    notices = env.settings  # the notice on the change is not doubled either
    from pipeline.forge import open_forge

    change = open_forge(env.server, notices()).change_for_merge(sha)
    texts = [n.text for n in open_forge(env.server, notices()).notices(change.id)]
    assert len([t for t in texts if "Uji Surel Gagal" in t]) == 1


@DOWN
@pytest.mark.browser
def test_retrying_from_the_admins_clone_says_where_to_run_it(env: Env, down: tuple) -> None:
    _change_id, sha, _result, _mails = down
    clone = env.office.clone_path("dewi")
    subprocess.run(["git", "-C", str(clone), "pull", "--quiet", "--ff-only"], check=False)
    before = Repo(clone).rev_parse("HEAD")
    done = run_in(clone, "publish", sha, "--resume")
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"terbit publish {sha} --resume --repo {env.server}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (clone / ".terbit" / "publish").exists()  # nothing published into the clone
    assert Repo(clone).rev_parse("HEAD") == before


@NOTICE
@pytest.mark.browser
def test_a_browser_crash_during_the_screenshot_is_one_clear_recorded_resumable_problem(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chromium is SIGKILLed as soon as it asks the web server for the page."""
    import functools
    import signal
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    pid_file = tmp_path / "chromium.pid"
    wrapper = tmp_path / "chromium"
    wrapper.write_text(f'#!/bin/sh\necho $$ > {pid_file}\nexec {chromium} "$@"\n')
    wrapper.chmod(0o755)

    class Killer(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            if "HeadlessChrome" in self.headers.get("User-Agent", "") and armed.is_set():
                armed.clear()  # one crash; the retry finds a working browser
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
            super().do_GET()

        def log_message(self, *args: object) -> None:
            pass

    armed = threading.Event()
    armed.set()
    www = env.server.parent.parent / "www"
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Killer, directory=www))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        sha = merge(env, open_change(env, "uji-peramban-mati", "Uji Peramban Mati"))
        settings = env.settings()
        crashing = settings.model_copy(
            update={
                "publish": settings.publish.model_copy(
                    update={"live_url": f"http://127.0.0.1:{httpd.server_port}/current"}
                )
            }
        )
        monkeypatch.setenv("TERBIT_BROWSER", "system")
        monkeypatch.setenv("TERBIT_CHROMIUM", str(wrapper))
        crashed = env.publish(sha, settings=crashing)
        assert not armed.is_set()  # Chromium was really started and killed
        assert crashed.status == "incomplete" and crashed.screenshots == []
        shot_problems = [p for p in crashed.problems if "Chromium" in p]
        assert len(shot_problems) == 1 and "berhenti" in shot_problems[0]
        assert not any(raw in " ".join(crashed.problems) for raw in RAW_NAMES)
        record = record_of(env, crashed.record_folder)
        assert record["status"] == "incomplete" and record["steps"][5]["state"] != "done"
        assert "BELUM LENGKAP" in pdf_text(Repo(env.server), crashed.record_folder)
        resumed = env.publish(sha, settings=crashing, resume=True)
        assert resumed.status == "complete", resumed.problems
    finally:
        httpd.shutdown()
        httpd.server_close()
    record = record_of(env, crashed.record_folder)
    assert record["status"] == "complete" and len(record["screenshots"]) == 2


@NOTICE
@pytest.mark.browser
def test_a_full_disk_fails_the_publication_once_recorded_and_resumable(
    env: Env, tmp_path: Path
) -> None:
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True, check=False,
    )  # fmt: skip
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        sha = merge(env, open_change(env, "uji-disk-penuh", "Uji Disk Penuh"))
        settings = env.settings()
        local = settings.deploy.local.model_copy(update={"path": str(mount / "site")})
        full = settings.model_copy(
            update={"deploy": settings.deploy.model_copy(update={"local": local})}
        )
        failed = env.publish(sha, settings=full)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
    assert failed.status == "failed" and failed.release is None
    assert len(failed.problems) == 1 and "disk penuh" in failed.problems[0]
    assert len(failed.problems[0]) < 500
    record = record_of(env, failed.record_folder)
    assert record["status"] == "failed" and record["steps"][5]["state"] == "failed"
    assert "disk penuh" in pdf_text(Repo(env.server), failed.record_folder)
    resumed = env.cli("publish", sha, "--resume", "--repo", str(env.server))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert record_of(env, failed.record_folder)["status"] == "complete"


@RESUMED
@pytest.mark.browser
def test_the_next_push_resumes_a_killed_publication(env: Env) -> None:
    sha = merge(env, open_change(env, "uji-dilanjutkan", "Uji Dilanjutkan Sendiri"))
    killed = env.cli(
        "publish", sha, "--repo", str(env.server), env={"TERBIT_FAULT_STAGE": "verify"}
    )
    assert killed.returncode == -9, killed.stderr
    assert env.records(sha) == []
    os.environ["TERBIT_PUBLISH"] = "sync"  # the hook publishes before the push returns
    try:
        open_change(env, "uji-pemicu", "Uji Pemicu")  # any push: here a new change, not main
    finally:
        os.environ["TERBIT_PUBLISH"] = "off"
    folders = env.records(sha)
    assert len(folders) == 1
    assert record_of(env, f"records/{folders[0]}")["status"] == "complete"
    assert not (env.server / ".terbit" / "publish" / "unfinished" / sha).exists()
    page = httpx.get(f"{env.live_base}/artikel/uji-dilanjutkan/", timeout=10)
    assert page.status_code == 200


@RESUMED
def test_a_publication_that_dies_every_time_stops_being_resumed_after_three_attempts(
    env: Env,
) -> None:
    """A crash that comes back on every attempt (here the process dies once ``prepare`` is
    done) is not re-run by every later push forever: after three attempts the server stops,
    and its publish log says which merge, why, and the command that retries it by hand."""
    sha = merge(env, open_change(env, "uji-gagal-terus", "Uji Gagal Terus"))
    fault = {"TERBIT_FAULT_STAGE": "prepare"}
    killed = env.cli("publish", sha, "--repo", str(env.server), env=fault)
    assert killed.returncode == -9, killed.stderr
    marker = env.server / ".terbit" / "publish" / "unfinished" / sha
    assert marker.exists()
    log = env.server / "terbit" / "publish.log"
    os.environ.update({"TERBIT_PUBLISH": "sync", **fault})
    try:
        for n in range(4):  # each push resumes it, and it dies again (bounded: no hang)
            if not marker.exists():
                break
            open_change(env, f"uji-pemicu-gagal-{n}", f"Uji Pemicu Gagal {n}")
    finally:
        os.environ["TERBIT_PUBLISH"] = "off"
        os.environ.pop("TERBIT_FAULT_STAGE")
    assert not marker.exists()
    state = env.server / ".terbit" / "publish" / f"{sha}.json"
    assert json.loads(state.read_text(encoding="utf-8"))["attempts"] == 3
    text = log.read_text(encoding="utf-8")
    assert f"publikasi merge {sha[:10]} tidak dilanjutkan otomatis lagi: gagal 3 kali" in text
    assert f"terbit publish {sha} --resume --repo" in text
    assert env.records(sha) == []


def _removal_change(env: Env, slug: str) -> str:
    """Staff removes a published article; the change goes through steps 3-5."""
    from datetime import date

    from pipeline.change.nota_dinas import template
    from pipeline.forge.local.client import actions as client

    office = env.office
    forge = office.forge("rina")
    repo = forge.repo
    repo.run("fetch", "--quiet", "origin")
    repo.switch_new_branch(f"hapus-{slug}", "origin/main")
    repo.run("rm", "--quiet", f"content/articles/{slug}.md")
    repo.run("commit", "--quiet", "-m", f"Hapus artikel {slug}")
    nota = template(
        nomor="ND-901/LPZI/XI/2026", dari="Rina Marlina Siregar", tanggal=date(2026, 11, 28)
    )
    change_id, _ = client.submit(forge, office.who("rina"), nota_text=nota)
    for who in ("sari", "andi", "sari"):
        client.review(office.forge(who), office.who(who), change_id, "approve", "Sesuai.")
    return change_id


@DOWN
@pytest.mark.browser
def test_a_removal_is_reported_as_a_removal_with_the_page_verified_gone(env: Env) -> None:
    first = env.publish(merge(env, open_change(env, "uji-dihapus", "Uji Akan Dihapus")))
    assert first.status == "complete", first.problems
    url = f"{env.live_base}/artikel/uji-dihapus/"
    assert httpx.get(url, timeout=10).status_code == 200
    sha = merge(env, _removal_change(env, "uji-dihapus"))
    removed = env.publish(sha)
    assert removed.status == "complete", removed.problems
    assert httpx.get(url, timeout=10).status_code == 404
    record = record_of(env, removed.record_folder)
    assert [(a["status"], a["url"]) for a in record["articles"]] == [("D", None)]
    assert record["articles"][0]["removed_url"] == url
    assert [(x["url"], x["status"]) for x in record["live"]] == [(url, 404)]  # verified gone
    told = mails_to(env, "rina.siregar@bbkkmedan.go.id")[-1]
    assert "Sudah dihapus" in told["Subject"] and "tayang" not in told["Subject"]
    body = told.get_body(("plain",)).get_content()
    assert "Dihapus dari situs: Uji Akan Dihapus" in body and "terpublikasi" not in body
    assert "dihapus" in pdf_text(Repo(env.server), removed.record_folder)


@RESUMED
@pytest.mark.browser
def test_the_servers_start_script_resumes_every_killed_publication(env: Env) -> None:
    """`terbit publish --resume` without MERGE (run when the server starts) finishes the
    killed publication A, not only the latest merge B."""
    sha_a = merge(env, open_change(env, "uji-mulai-a", "Uji Mulai Ulang A"))
    killed = env.cli(
        "publish", sha_a, "--repo", str(env.server), env={"TERBIT_FAULT_STAGE": "build"}
    )
    assert killed.returncode == -9, killed.stderr
    sha_b = merge(env, open_change(env, "uji-mulai-b", "Uji Mulai Ulang B"))
    started = env.cli("publish", "--resume", "--repo", str(env.server))
    assert started.returncode == 0, started.stdout + started.stderr
    for sha, slug in ((sha_a, "uji-mulai-a"), (sha_b, "uji-mulai-b")):
        folders = env.records(sha)
        assert len(folders) == 1, slug
        assert record_of(env, f"records/{folders[0]}")["status"] == "complete"
        assert httpx.get(f"{env.live_base}/artikel/{slug}/", timeout=10).status_code == 200
