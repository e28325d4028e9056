"""A "Sangat Segera" change published on the head's disposition still owes the Katimker's
review: ``terbit remind`` mails the Katimker once, and when the deadline (working hours after
the merge) has passed, reminds them again and escalates to the head. Real server, hooks,
signatures and an aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml

from pipeline.change.nota_dinas import template
from pipeline.cli.demo.office import Office, create_office
from pipeline.clock import now
from pipeline.forge.local.client import actions as client
from pipeline.notify.remind import remind
from pipeline.web import reminders
from tests.support.forge import COUNTER, Kit, make_source
from tests.support.mail import Inbox, smtp_inbox
from tests.support.web import running

pytestmark = pytest.mark.xdist_group("notify-office")


@dataclass
class Setup:
    office: Office
    inbox: Inbox

    def mails(self, person: str) -> list[EmailMessage]:
        return self.inbox.to(self.office.people[person].email)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    root: Path = tmp_path_factory.mktemp("ingat")
    source = make_source(root / "sumber")
    with smtp_inbox() as inbox, pytest.MonkeyPatch.context() as env:
        conf = yaml.safe_load((source / "terbit.yml").read_text(encoding="utf-8"))
        conf["notify"] = {"smtp": inbox.smtp_settings(), "web_url": "http://kantor.example"}
        (source / "terbit.yml").write_text(yaml.safe_dump(conf), encoding="utf-8")
        env.setenv("TERBIT_PUBLISH", "off")  # publishing has its own tests
        yield Setup(create_office(root / "kantor", source, seed_message="Isi"), inbox)


def _urgent(kit: Kit) -> str:
    kit.draft("rina")
    nota = template(nomor=f"ND-{kit.counter}/LPZI/XI/2026", dari="Tim", hal="Peringatan dini",
                    tanggal=date(2026, 11, 28), sifat="Sangat Segera")  # fmt: skip
    reason = 'alasan_segera: "KLB difteri hari ini"\n'
    nota = nota.replace('sifat: "Sangat Segera"\n', f'sifat: "Sangat Segera"\n{reason}')
    change_id, _ = client.submit(kit.forge("rina"), kit.office.who("rina"), nota_text=nota)
    return change_id


def test_a_deferred_review_is_mailed_reminded_and_escalated_to_the_head_once(setup: Setup):
    kit = Kit(setup.office, counter=next(COUNTER) * 100)
    change = _urgent(kit)
    kit.review("andi", change)
    kit.merge(change)  # published at once; steps 3 and 5 are owed within 8 working hours
    first = remind(setup.office.server)
    deferred = [m["Subject"] for m in setup.mails("sari") if "tertunda" in m["Subject"]]
    assert deferred == [f"[Terbit] Ulasan tertunda (Sangat Segera): #{change} Artikel "
                        f"{kit.counter}, langkah 3",
                        f"[Terbit] Ulasan tertunda (Sangat Segera): #{change} Artikel "
                        f"{kit.counter}, langkah 5"]  # fmt: skip
    assert not [m for m in setup.mails("andi") if "TERLAMBAT" in m["Subject"]]
    assert {p for _, p in first.sent} == {"sari"}
    # A week later the deadline has passed: the Katimker again, and the head.
    later = now() + timedelta(days=7)
    overdue = remind(setup.office.server, when=later)
    assert {p for _, p in overdue.sent} == {"sari", "andi"}
    to_head = [m for m in setup.mails("andi") if m["Subject"].startswith("[Terbit] TERLAMBAT")]
    assert len(to_head) == 2  # steps 3 and 5
    assert "TERLAMBAT: batasnya" in to_head[0].get_content()
    assert "http://kantor.example/perubahan/" in to_head[0].get_content()
    # Every reminder is sent once, however often the timer runs.
    assert remind(setup.office.server, when=later).sent == []
    # The CLI is the same pass (for the systemd timer): nothing left to send, exit 0.
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "remind", "--server", str(setup.office.server)],
        capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "TERBIT_NOTIFY": "on", "TERBIT_NOW": later.isoformat()},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Terkirim: 0 e-mail." in done.stdout
    # The review done, nothing is due any more for this change.
    kit.review("sari", change)
    assert [d for d in remind(setup.office.server, when=later).due if d.change_id == change] == []


def test_the_running_web_app_sends_what_is_due_without_a_timer(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = Kit(setup.office, counter=next(COUNTER) * 100)
    change = kit.submit("rina")  # the hook's own pass is off (TERBIT_NOTIFY=off in the tests)
    subject = f"[Terbit] Menunggu Anda: #{change} Artikel {kit.counter} (langkah 3)"
    assert subject not in [m["Subject"] for m in setup.mails("sari")]
    monkeypatch.setattr(reminders, "EVERY_S", 0.2)
    monkeypatch.setenv("TERBIT_NOTIFY", "on")
    with running(setup.office.server, lifespan="on"):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if subject in [m["Subject"] for m in setup.mails("sari")]:
                break
            time.sleep(0.2)
    assert [m["Subject"] for m in setup.mails("sari")].count(subject) == 1
