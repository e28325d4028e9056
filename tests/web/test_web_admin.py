"""The Admin Website in the browser: merge (only when the gate passes, only the step-6 role,
signed with their own key), follow the publication as it runs (stages, live check,
screenshots, record), retry a publication that was killed, roll back; and the e-mail
notifications of what waits for whom. Everything real: the office's server with its hooks, the
publication building and deploying to a local target served over HTTP, Chromium screenshots,
aiosmtpd on 127.0.0.1. Its own office (it merges: the shared story must not move)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from pipeline.cli.demo.office import Office
from pipeline.clock import now
from pipeline.deploy import open_target
from pipeline.forge.local.store.forge import main_settings
from pipeline.notify.people import Choices
from pipeline.notify.remind import remind
from pipeline.vcs import Repo
from tests.support.forge import COUNTER, Kit
from tests.support.mail import Inbox, smtp_inbox
from tests.support.published import local_office
from tests.support.web import WebApp, running, sign_in, token

pytestmark = [pytest.mark.xdist_group("web-admin"), pytest.mark.slow]

PASSPHRASE = "frasa-sandi-admin-42"
WEB_URL = "http://kantor.example:8080"
FOLLOW_S = 300  # a bound on one publication (build, deploy, live check, Chromium, record)


@dataclass
class Desk:
    office: Office
    app: WebApp
    kit: Kit
    inbox: Inbox

    @property
    def server(self) -> Path:
        return self.office.server


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    root = tmp_path_factory.mktemp("admin-office")
    with smtp_inbox() as inbox, pytest.MonkeyPatch.context() as env:
        env.setenv("TERBIT_NOTIFY", "off")
        notify = {"notify": {"smtp": inbox.smtp_settings(), "web_url": WEB_URL}}
        with local_office(root, PASSPHRASE, notify) as office:
            env.setenv("TERBIT_PUBLISH", "background")  # as on the office's server
            with running(office.server) as app:
                yield Desk(office, app, Kit(office, counter=next(COUNTER) * 100), inbox)


def _head(page: str) -> str:
    found = re.search(r'name="head" value="([0-9a-f]+)"', page)
    return found.group(1) if found else ""


def _merge(http: httpx.Client, change: str, passphrase: str = PASSPHRASE) -> httpx.Response:
    page = http.get(f"/perubahan/{change}").text
    data = {"csrftoken": token(page), "head": _head(page), "passphrase": passphrase}
    return http.post(f"/perubahan/{change}/gabung", data=data)


def _follow(http: httpx.Client, change: str, until: str) -> str:
    """The publication section, fetched as the page's script does, until it shows ``until``."""
    deadline = time.monotonic() + FOLLOW_S
    seen = ""
    while time.monotonic() < deadline:
        answer = http.get(f"/perubahan/{change}/publikasi")
        seen = answer.text
        if answer.status_code == 200 and until in seen:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"the publication never showed {until!r}; last:\n{seen}")


NOTIFICATIONS = ("[Terbit] Menunggu Anda", "[Terbit] Pengingat", "[Terbit] Perbaikan")


def _notes(desk: Desk, person: str) -> list[EmailMessage]:
    """The notifications ``person`` got (the inbox also holds the step-7 notices)."""
    return [m for m in desk.inbox.to(desk.office.people[person].email)
            if m["Subject"].startswith(NOTIFICATIONS)]  # fmt: skip


def _audit(desk: Desk) -> str:
    return (desk.server / "terbit" / "web" / "audit.log").read_text(encoding="utf-8")


def test_only_the_admin_merges_in_the_browser_and_follows_the_publication(desk: Desk) -> None:
    change = desk.kit.submit("rina")
    desk.kit.approve_all(change)
    sari = sign_in(desk.app, "sari")
    assert "Gabungkan dan terbitkan" not in sari.get(f"/perubahan/{change}").text
    assert _merge(sari, change).status_code == 403  # the server refuses, whatever the form says
    dewi = sign_in(desk.app, "dewi")
    page = dewi.get(f"/perubahan/{change}").text
    assert "Gabungkan dan terbitkan" in page
    wrong = _merge(dewi, change, passphrase="bukan-frasa-ini")
    assert wrong.status_code == 400
    assert desk.kit.change(change).state == "open"
    done = _merge(dewi, change)
    assert done.status_code == 303, done.text
    merged = desk.kit.change(change)
    assert merged.state == "merged"
    repo = Repo(desk.server)
    assert repo.commit_info(merged.merge_sha).author_email == desk.office.people["dewi"].email
    assert "Perubahan digabung ke main" in dewi.get(done.headers["location"]).text
    # The section follows the publication to its end: every stage, the live check, the shots.
    section = _follow(dewi, change, "Status: lengkap")
    for stage in ("Build situs", "Unggah (rilis baru)", "Periksa tayang", "Lembar penyelesaian"):
        assert f"{stage} — <strong>selesai" in section
    assert "HTTP 200" in section
    shots = re.findall(r'src="(/catatan/[^"]+\.webp)"', section)  # as the record keeps them
    assert shots
    image = dewi.get(shots[0])
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
    folder = shots[0].split("/")[2]
    assert dewi.get(f"/catatan/{folder}/record.yml").status_code == 404  # listed shots only
    assert dewi.get(f"/catatan/{folder}/..%2Fsecret.png").status_code == 404
    # The whole change page carries the section (and the script that keeps it fresh).
    full = sari.get(f"/perubahan/{change}").text
    assert 'id="publikasi"' in full and "/static/ikuti.js" in full
    assert "Ulangi publikasi" not in full  # complete, and sari is not the admin anyway
    assert '"event": "merge", "person": "dewi"' in _audit(desk)
    assert '"event": "merge_refused", "person": "sari"' in _audit(desk)


def test_a_killed_publication_is_retried_and_the_site_rolled_back_by_the_admin(
    desk: Desk,
) -> None:
    change = desk.kit.submit("budi")
    desk.kit.approve_all(change)
    dewi = sign_in(desk.app, "dewi")
    target = open_target(desk.server, main_settings(Repo(desk.server)))
    before = target.current()
    assert before is not None  # the first test's publication is live
    os.environ["TERBIT_FAULT_STAGE"] = "screenshots"  # the publisher dies after the live check
    try:
        assert _merge(dewi, change).status_code == 303
        stopped = _follow(dewi, change, "Ulangi publikasi")
    finally:
        os.environ.pop("TERBIT_FAULT_STAGE", None)
    assert "Periksa tayang — <strong>selesai" in stopped
    assert "Status: TERHENTI sebelum selesai" in stopped
    assert "Tangkapan layar — <strong>menunggu" in stopped
    sari = sign_in(desk.app, "sari")
    page = sari.get(f"/perubahan/{change}").text
    refused = sari.post(f"/perubahan/{change}/publikasi/ulang", data={"csrftoken": token(page)})
    assert refused.status_code == 403
    page = dewi.get(f"/perubahan/{change}").text
    again = dewi.post(f"/perubahan/{change}/publikasi/ulang", data={"csrftoken": token(page)})
    assert again.status_code == 303, again.text
    # The record says "complete" a moment before the publishing process ends; the page offers
    # the rollback only once no publication runs (it may ask the target over SSH).
    done = _follow(dewi, change, f"Kembalikan ke rilis {before.id}")
    assert "Status: lengkap" in done
    new = target.current()
    assert new is not None and new.id != before.id
    page = dewi.get(f"/perubahan/{change}").text
    form = {"csrftoken": token(page), "release": before.id}
    theirs = {**form, "csrftoken": token(sari.get("/").text)}
    assert sari.post(f"/perubahan/{change}/publikasi/kembalikan", data=theirs).status_code == 403
    assert target.current().id == new.id  # type: ignore[union-attr]
    back = dewi.post(f"/perubahan/{change}/publikasi/kembalikan", data=form)
    assert back.status_code == 200
    assert f"Rilis {before.id} tayang lagi" in back.text
    assert target.current().id == before.id  # type: ignore[union-attr]
    log = _audit(desk)
    for event in (
        '"publish_retry", "person": "dewi"',
        '"rollback", "person": "dewi"',
        '"retry_refused", "person": "sari"',
        '"rollback_refused", "person": "sari"',
    ):
        assert event in log  # fmt: skip


def test_people_are_mailed_what_waits_for_them_once_and_reminded_when_overdue(
    desk: Desk,
) -> None:
    os.environ["TERBIT_NOTIFY"] = "sync"  # the post-receive hook mails before the push returns
    try:
        change = desk.kit.submit("budi")
    finally:
        os.environ["TERBIT_NOTIFY"] = "off"
    mails = _notes(desk, "sari")
    assert [m["Subject"] for m in mails] == [
        f"[Terbit] Menunggu Anda: #{change} Artikel {desk.kit.counter} (langkah 3)"
    ]
    assert f"{WEB_URL}/perubahan/{change}" in mails[0].get_content()
    assert not _notes(desk, "budi")  # the author is not asked
    # Run again (the timer, another push): nothing is sent twice.
    assert remind(desk.server).sent == []
    assert len(_notes(desk, "sari")) == 1
    # The header's count, and the person's own setting in the app.
    http = sign_in(desk.app, "sari")
    assert http.get("/menunggu/jumlah").text == "1"
    andi = sign_in(desk.app, "andi")
    page = andi.get("/pengaturan").text
    assert 'name="notify" value="on" checked' in page
    off = andi.post("/pengaturan", data={"csrftoken": token(page)})  # unchecked: off
    assert off.status_code == 200 and "Pengaturan disimpan." in off.text
    assert Choices(desk.server).wants("andi") is False
    desk.kit.review("sari", change, "approve")  # now it waits for the head (step 4)
    outcome = remind(desk.server)
    assert outcome.sent == [] and [p for _, p in outcome.off] == ["andi"]
    page = andi.get("/pengaturan").text
    andi.post("/pengaturan", data={"csrftoken": token(page), "notify": "on"})
    # Three days later step 4 (10 standard minutes) is far over: the head and the Katimker.
    later = remind(desk.server, when=now() + timedelta(days=3))
    subjects = sorted(m["Subject"] for m in _notes(desk, "andi"))
    assert any(s.startswith(f"[Terbit] Menunggu Anda: #{change}") for s in subjects)
    assert any(s.startswith(f"[Terbit] Pengingat: #{change}") for s in subjects)
    reminder = next(
        m for m in _notes(desk, "sari") if m["Subject"].startswith("[Terbit] Pengingat")
    )
    assert "melebihi mutu baku 10 menit" in reminder.get_content()
    assert sorted({p for _, p in later.sent}) == ["andi", "sari"]
    assert remind(desk.server, when=now() + timedelta(days=3)).sent == []


@pytest.mark.browser
def test_the_publication_section_in_chromium(desk: Desk) -> None:
    """The change page with its publication section (stages, screenshots, the admin's forms)
    passes axe at both widths with the strict CSP, and its count of waiting items shows."""
    from pipeline.evidence.browser import chromium
    from tests.web.test_web_browser import _check, _visit

    merged = [c.id for c in desk.office.server_forge().list_changes("merged")]
    assert merged
    with chromium() as browser:
        for change in merged:
            _check(browser, desk.app, "dewi", f"/perubahan/{change}")
        # The head has one change waiting (the notification test's): the header says so.
        context, page, _, problems = _visit(browser, desk.app, "andi", "/perubahan", "phone")
        try:
            badge = page.wait_for_selector("#jumlah-menunggu:not([hidden])", timeout=30_000)
            assert badge is not None and badge.inner_text() == "1 menunggu saya"
            assert problems == []
        finally:
            context.close()
