"""The review-time page check on the embedded forge (issue 15 §5), end to end: real hooks, the
real Pelican build of the sample site, real Chromium.

After a change's head moves the server builds its pages, checks them as a visitor would (axe,
internal links and images) against main's same pages, and appends a record signed with its
own key. The gate's "Pemeriksaan halaman" line counts only that record, of the current head:
new findings refuse the merge on the client and in the server's hook; a fixed push passes; a
record anyone else wrote is ignored; a head that moved since is pending.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli.demo.office import Office, create_office
from pipeline.clock import now
from pipeline.errors import InputError
from pipeline.forge.local.store import metachain
from pipeline.forge.local.store.events import Event, meta_ref
from pipeline.forge.local.store.forge import LocalForge, main_settings
from pipeline.forge.local.store.signing import sign
from pipeline.publication.priority import BACKGROUND_NICE
from pipeline.publication.server_key import private_key_for
from pipeline.vcs import Repo
from pipeline.web.accounts import Users
from tests.support.forge import COUNTER, Kit
from tests.support.nice import logging_nice, wait_for
from tests.support.web import PASSWORD, running, sign_in, token

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("forge-pages")]

REPO_ROOT = Path(__file__).resolve().parents[2]
BROKEN = "content/articles/tautan-uji-{n}.md"
# Passes `terbit check` (the server refuses drafts that fail it): a link without text (axe
# "link-name") and a link to a tag page the build never makes (a broken internal link). An
# image without alt never gets this far: the draft check refuses it first.
BAD_BODY = "Baca [](/tag/berita/) dan [daftar lengkap](/tag/tidak-ada-sama-sekali/)."
GOOD_BODY = "Baca [berita lain](/) di beranda."
ENV = {"TERBIT_PAGE_CHECK": "sync", "TERBIT_PUBLISH": "off", "TERBIT_NOTIFY": "off",
       "TERBIT_LANG": "id"}  # fmt: skip


def draft(n: int, body: str) -> str:
    return (
        f"---\ntitle: Tautan Uji {n}\ndate: 2026-11-20\ncategory: Berita\n"
        f"summary: Ringkasan {n}.\nauthor: rina\n---\n{body}\n"
    )


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    root = tmp_path_factory.mktemp("halaman")
    with pytest.MonkeyPatch.context() as env:
        # The check runs inside the push, so each test sees its record when the push returns.
        for name, value in ENV.items():
            env.setenv(name, value)
        yield create_office(root / "kantor", REPO_ROOT, seed_message="Isi awal", page_check=True)


@pytest.fixture
def kit(office: Office) -> Kit:
    return Kit(office, counter=next(COUNTER) * 100)


def server(office: Office) -> LocalForge:
    repo = Repo(office.server)
    return LocalForge(repo, main_settings(repo))


def check_pages(office: Office, change_id: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "check-pages", "--change", change_id,
         "--repo", str(office.server)],
        capture_output=True, text=True, check=False, env={**os.environ, "TERBIT_LANG": "id"},
    )  # fmt: skip


def forge_record(office: Office, change_id: str, head: str, key: Path | None) -> None:
    """A clean "check" record written straight into the server's repository (as someone with
    access to its files but not its key would), signed with ``key`` or not at all."""
    forge = server(office)
    tip = forge.ref(meta_ref(change_id))
    data = {"head": head, "main": forge.base_tip(), "pages": ["/"], "new": [], "known": [],
            "problems": [], "tools": {}}  # fmt: skip
    event = Event("check", change_id, "terbit", now(), tip, data)
    signature = sign(event.to_bytes(), key) if key else None
    sha = metachain.append(forge.repo, event, signature=signature, name="x", email="x@x")
    forge.repo.update_ref(meta_ref(change_id), sha, tip)


def test_new_findings_refuse_the_merge_and_the_fixed_push_passes(kit: Kit, office: Office):
    n = kit.counter
    path = BROKEN.format(n=n)
    change_id = kit.submit("rina", files={path: draft(n, BAD_BODY)})
    change = kit.change(change_id)
    check = change.page_checks[-1]
    assert check.signed and check.head == change.head_sha
    rules = {(f.rule, f.target) for f in check.new}
    page = f"/artikel/tautan-uji-{n}/"
    assert ("broken-link", "/tag/tidak-ada-sama-sekali/") in rules
    assert any(rule == "link-name" for rule, _ in rules)
    assert all(f.page == page for f in check.new), check.new
    assert {"chromium", "pelican", "playwright", "axe-playwright-python"} <= set(check.tools)

    kit.approve_all(change_id)
    refused = kit.merge_refused(change_id)
    assert "Pemeriksaan halaman" in refused
    assert f"{page}: broken-link (/tag/tidak-ada-sama-sekali/)" in refused
    ok, output = kit.bypass_merge(change_id)  # the server's hook judges it the same way
    assert not ok and "pemeriksaan halaman menemukan" in output

    kit.commit("rina", path, draft(n, GOOD_BODY))
    kit.resubmit("rina")
    change = kit.change(change_id)
    latest = change.page_checks[-1]
    assert latest.head == change.head_sha and latest.signed and latest.new == []
    kit.approve_all(change_id)  # the final check is bound to the new head
    kit.merge(change_id)
    assert kit.change(change_id).state == "merged"


def test_only_the_server_signed_check_of_the_head_counts(
    kit: Kit, office: Office, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("TERBIT_PAGE_CHECK", "off")  # this push's hook leaves the check out
    change_id = kit.submit("rina")
    kit.approve_all(change_id)
    head = kit.change(change_id).head_sha
    assert "belum diperiksa" in kit.merge_refused(change_id)

    # A record by anyone but the server key does not count: unsigned, or signed by a person.
    forge_record(office, change_id, head, None)
    forge_record(office, change_id, head, office.key_path("dewi"))
    refused = kit.merge_refused(change_id)
    assert "belum diperiksa" in refused and "2 catatan pemeriksaan" in refused
    # Nor may a person push one: the server's hook refuses the record type.
    forged = kit.raw_event("dewi", change_id, "check", {"head": head})
    ok, output = kit.push("dewi", f"{forged}:{meta_ref(change_id)}")
    assert not ok, output

    done = check_pages(office, change_id)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tidak ada temuan baru" in done.stdout
    assert "sudah diperiksa" in check_pages(office, change_id).stdout  # once per head

    # The head moves after the check: the line is pending again until the new head is checked.
    kit.commit("rina", f"content/articles/tambahan-{kit.counter}.md", draft(kit.counter, "Isi."))
    kit.resubmit("rina")
    kit.approve_all(change_id)
    refused = kit.merge_refused(change_id)
    assert "belum diperiksa" in refused and "commit lama" in refused
    assert check_pages(office, change_id).returncode == 0
    kit.merge(change_id)


def test_the_change_page_shows_the_line_with_its_findings_escaped(
    kit: Kit, office: Office, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("TERBIT_PAGE_CHECK", "off")
    change_id = kit.submit("rina")
    forge = server(office)
    head = forge.get_change(change_id).head_sha
    hostile = '<img src=x onerror="alert(1)">'
    # A server-signed record whose target is hostile markup (the page names what axe found).
    key = private_key_for(forge.repo.git_dir, main_settings(forge.repo).forge.server_key)
    assert key is not None
    finding = {"page": "/artikel/x/", "rule": "image-alt", "target": hostile}
    forge.add_page_check(change_id, {"head": head, "main": forge.base_tip(), "pages": ["/"],
                                     "new": [finding], "known": [], "problems": [],
                                     "tools": {}}, key)  # fmt: skip
    users = Users(office.server)
    for person in ("sari", "dewi"):
        users.set_password(person, PASSWORD, new=True)
    with running(office.server) as web:
        sari = sign_in(web, "sari")
        page = sari.get(f"/perubahan/{change_id}").text
        row = page[page.index("Pemeriksaan halaman") :].split("</tr>", 1)[0]
        assert "ditolak" in row, row
        assert "/artikel/x/: image-alt (&lt;img src=x onerror=&#34;alert(1)&#34;&gt;)" in row
        assert hostile not in page
        assert "memeriksa halaman" in page and "1 temuan baru" in page  # the record's event
        assert "Periksa ulang" not in page  # the button is the admin's
        refused = sari.post(f"/perubahan/{change_id}/periksa-halaman",
                            data={"csrftoken": token(page)})  # fmt: skip
        assert refused.status_code == 403 and "Admin Website" in refused.text

        # The admin's "Periksa ulang": the server checks the head again, in the background.
        admin = sign_in(web, "dewi")
        page = admin.get(f"/perubahan/{change_id}").text
        assert "Periksa ulang" in page
        done = admin.post(f"/perubahan/{change_id}/periksa-halaman",
                          data={"csrftoken": token(page)})  # fmt: skip
        assert done.status_code == 303
        deadline = time.monotonic() + 180
        while len(server(office).get_change(change_id).page_checks) < 2:
            assert time.monotonic() < deadline, "the check did not finish"
            time.sleep(0.1)
    latest = server(office).get_change(change_id).page_checks[-1]
    assert latest.signed and latest.head == head and latest.new == []
    assert "page_check" in (office.server / "terbit" / "web" / "audit.log").read_text()


def test_the_page_check_a_push_leaves_running_runs_at_a_lower_priority(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Started apart from the push, the check yields the processor to a publication a merge
    may start meanwhile (here the logging ``nice`` starts nothing: how it is started counts)."""
    log = logging_nice(tmp_path, monkeypatch, run=False)
    monkeypatch.setenv("TERBIT_PAGE_CHECK", "background")
    change_id = kit.submit("rina")
    lines = wait_for(log, "pipeline.hooks.page_check")
    assert len(lines) == 1 and lines[0].startswith(f"-n {BACKGROUND_NICE} "), lines
    assert lines[0].endswith(f" -m pipeline.hooks.page_check --run {change_id}"), lines


def test_the_admins_check_again_runs_at_a_lower_priority_too(
    kit: Kit, office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """ "Periksa ulang" starts the same check apart from the request: it too yields the
    processor to a publication (here the logging ``nice`` starts nothing: how it is started
    counts)."""
    monkeypatch.setenv("TERBIT_PAGE_CHECK", "off")
    change_id = kit.submit("rina")
    log = logging_nice(tmp_path, monkeypatch, run=False)
    users = Users(office.server)
    try:
        users.set_password("dewi", PASSWORD, new=True)
    except InputError:  # the module's office: an earlier test made the account
        users.set_password("dewi", PASSWORD, new=False)
    with running(office.server) as web:
        admin = sign_in(web, "dewi")
        page = admin.get(f"/perubahan/{change_id}").text
        done = admin.post(f"/perubahan/{change_id}/periksa-halaman",
                          data={"csrftoken": token(page)})  # fmt: skip
        assert done.status_code == 303
        lines = wait_for(log, "check-pages")
    assert len(lines) == 1 and lines[0].startswith(f"-n {BACKGROUND_NICE} "), lines
    assert lines[0].endswith(f"-m pipeline check-pages --change {change_id} --again "
                             f"--repo {office.server}"), lines  # fmt: skip
