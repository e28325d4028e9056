"""One pass of notifications over the server repository: what waits for whom now, by the gate
(working minutes of the office calendar), and which of those e-mails were not sent yet.

Idempotent: every e-mail is remembered per person in ``<server>/terbit/notify/sent.json`` once
the SMTP server took it, so running the pass again (the post-receive hook after every push, the
``terbit remind`` timer) never sends it twice; one that failed is tried again next time.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from pipeline.change.model import Change
from pipeline.clock import now
from pipeline.config.roles import Person, Roles
from pipeline.config.settings import Settings, SmtpSettings
from pipeline.config.sop import Sop
from pipeline.errors import TerbitError
from pipeline.forge.local.rules.policy import evaluate
from pipeline.forge.local.store.forge import LocalForge, main_settings
from pipeline.gate import GateReport, StepStatus, policy_at
from pipeline.i18n import Catalog, get_lang
from pipeline.notify.people import Choices, notify_dir
from pipeline.report.notice import send_email
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "subject_waiting": (
            "[Terbit] Menunggu Anda: #{id} {title} (langkah {step})",
            "[Terbit] Waiting for you: #{id} {title} (step {step})",
        ),
        "subject_fix": (
            "[Terbit] Perbaikan diminta: #{id} {title}",
            "[Terbit] Changes requested: #{id} {title}",
        ),
        "subject_late": (
            "[Terbit] Pengingat: #{id} {title} melebihi mutu baku langkah {step}",
            "[Terbit] Reminder: #{id} {title} is over the standard time of step {step}",
        ),
        "subject_deferred": (
            "[Terbit] Ulasan tertunda (Sangat Segera): #{id} {title}, langkah {step}",
            "[Terbit] Deferred review (Sangat Segera): #{id} {title}, step {step}",
        ),
        "subject_overdue": (
            "[Terbit] TERLAMBAT: ulasan tertunda #{id} {title}, langkah {step}",
            "[Terbit] OVERDUE: deferred review of #{id} {title}, step {step}",
        ),
        "body_waiting": (
            'Perubahan #{id} "{title}" dari {author} menunggu {role}: langkah {step} '
            "({activity}), sejak {since}. Mutu baku langkah ini {std} menit kerja.",
            'Change #{id} "{title}" by {author} waits for {role}: step {step} ({activity}), '
            "since {since}. The step's standard is {std} working minutes.",
        ),
        "body_fix": (
            '{role} meminta perbaikan pada perubahan #{id} "{title}" ({since}). Perbaiki '
            "draf lalu kirim lagi.",
            '{role} asked for changes to change #{id} "{title}" ({since}). Fix the draft, '
            "then send it again.",
        ),
        "body_late": (
            'Langkah {step} ({activity}) perubahan #{id} "{title}" menunggu {role} sejak '
            "{since}: {elapsed} menit kerja, melebihi mutu baku {std} menit sebanyak {over} "
            "menit.",
            'Step {step} ({activity}) of change #{id} "{title}" has waited for {role} since '
            "{since}: {elapsed} working minutes, {over} minutes over its standard of {std}.",
        ),
        "body_deferred": (
            'Perubahan #{id} "{title}" diterbitkan lewat jalur Sangat Segera. Ulasan langkah '
            "{step} ({activity}) oleh {role} masih wajib dilakukan, paling lambat {due}.",
            'Change #{id} "{title}" was published on the Sangat Segera path. The review of '
            "step {step} ({activity}) by {role} is still required, by {due} at the latest.",
        ),
        "body_overdue": (
            'Ulasan tertunda langkah {step} ({activity}) perubahan #{id} "{title}" oleh '
            "{role} TERLAMBAT: batasnya {due}. Pemberitahuan ini juga dikirim ke {head}.",
            'The deferred review of step {step} ({activity}) of change #{id} "{title}" by '
            "{role} is OVERDUE: it was due by {due}. This is also sent to {head}.",
        ),
        "link": ("Buka perubahan: {url}", "Open the change: {url}"),
        "footer": (
            "E-mail ini dikirim Terbit. Matikan pemberitahuan di {url}",
            "Sent by Terbit. Turn notifications off at {url}",
        ),
    }
)

SENT_FILE = "sent.json"


@dataclass(frozen=True)
class Due:
    """One notification: what, about which change and step, to whom."""

    key: str  # remembered per person once sent
    kind: str  # waiting / fix / late / deferred / overdue
    change_id: str
    title: str
    author: str
    step: int
    activity: str
    role: str  # the role title it waits for
    to: tuple[str, ...]  # person ids
    since: datetime
    elapsed: int = 0
    standard: int = 0
    over: int = 0
    due: datetime | None = None
    head: str = ""  # the head's role title (escalations)


@dataclass
class Outcome:
    """What one pass did."""

    due: list[Due] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list)  # (key, person id)
    off: list[tuple[str, str]] = field(default_factory=list)  # the person turned e-mail off
    problems: list[str] = field(default_factory=list)
    smtp: bool = False


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One pass at a time (the hook and the timer may overlap): nothing is sent twice."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (folder / "lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_sent(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / SENT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_sent(folder: Path, sent: dict[str, str]) -> None:
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".sent-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(sent, out, indent=1, sort_keys=True)
    os.replace(temp, folder / SENT_FILE)


class _Office:
    """Roles, SOP and settings of main, and who serves a role today."""

    def __init__(self, repo: Repo) -> None:
        tip = repo.rev_parse("refs/heads/main")
        self.sop: Sop
        self.roles: Roles
        self.sop, self.roles = policy_at(lambda path: repo.show_file(tip, path) if tip else None)
        self.settings: Settings = main_settings(repo)

    def people(self, role: str, when: datetime) -> list[str]:
        """Active members of ``role`` and whoever acts for it (Plh/Plt) on that day."""
        tz = self.sop.calendar.tz if self.sop.calendar is not None else None
        return [p.id for p in self.roles.holders(role, when, tz)]

    def title(self, role: str) -> str:
        return self.roles.title(role, get_lang())

    def activity(self, number: int) -> str:
        step = self.sop.step(number)
        return step.activity(get_lang()) if step else ""

    def katimker(self) -> str | None:
        """The role that checks drafts (the SOP's first review step): reminded of every delay."""
        return next((s.role for s in self.sop.steps if s.proof == "review"), None)


def what_is_due(repo: Repo, when: datetime | None = None) -> list[Due]:
    """Every notification the changes on the server call for now (sent or not)."""
    when = when or now()
    office = _Office(repo)
    forge = LocalForge(repo, office.settings)
    found: list[Due] = []
    for change in forge.list_changes("open"):
        try:
            report = evaluate(forge, change, when=when)
        except TerbitError:
            continue
        found += _open_due(office, change, report, when)
    head_role = office.sop.expedited.role if office.sop.expedited else None
    for change in forge.list_changes("merged"):
        if office.sop.expedited is None or "sangat segera" not in change.nota_dinas_text.lower():
            continue
        try:
            report = evaluate(forge, change, when=when)
        except TerbitError:
            continue
        found += _deferred_due(office, change, report, when, head_role)
    return found


def _open_due(office: _Office, change: Change, report: GateReport, when: datetime) -> list[Due]:
    first = next((s for s in report.steps if s.state != "done"), None)
    waiting = [first] if first is not None else []
    waiting += [s for s in report.extra if s.state != "done"]
    found = []
    for status in waiting:
        base = _base(office, change, status, status.started_at or change.opened_at)
        last_push = max((p.at for p in change.pushes), default=change.opened_at)
        if status.change_requests and max(status.change_requests) > last_push:
            asked = max(status.change_requests)
            key = f"fix:{change.id}:{status.number}:{asked.isoformat()}"
            found.append(replace(base, key=key, kind="fix", to=(change.author_login,), since=asked))
            continue
        people = tuple(p for p in office.people(status.role, when) if p != change.author_login)
        stamp = f"{change.id}:{status.number}:{base.since.isoformat()}"
        found.append(replace(base, key=f"waiting:{stamp}", kind="waiting", to=people))
        if status.over_minutes > 0:
            katimker = office.katimker()
            extra = office.people(katimker, when) if katimker else []
            to = tuple(dict.fromkeys([*people, *(p for p in extra if p != change.author_login)]))
            elapsed = status.elapsed_minutes or 0
            found.append(replace(base, key=f"late:{stamp}", kind="late", to=to,
                                 elapsed=elapsed, over=status.over_minutes))  # fmt: skip
    return found


def _base(office: _Office, change: Change, status: StepStatus, since: datetime) -> Due:
    """What every notification about this step says; key, kind and addressees come after."""
    return Due(key="", kind="", change_id=change.id, title=change.title,
               author=change.author_login, step=status.number,
               activity=office.activity(status.number), role=office.title(status.role), to=(),
               since=since, standard=status.minutes)  # fmt: skip


def _deferred_due(
    office: _Office, change: Change, report: GateReport, when: datetime, head_role: str | None
) -> list[Due]:
    expedited = report.expedited
    if expedited is None or expedited.done_at is not None:
        return []
    found = []
    for status in report.steps:
        if not status.deferred or status.state == "done":
            continue
        people = tuple(p for p in office.people(status.role, when) if p != change.author_login)
        base = replace(_base(office, change, status, change.merged_at or when), due=expedited.due)
        key = f"{change.id}:{status.number}"
        found.append(replace(base, key=f"deferred:{key}", kind="deferred", to=people))
        if expedited.overdue:
            heads = office.people(head_role, when) if head_role else []
            to = tuple(dict.fromkeys([*people, *heads]))
            head = office.title(head_role) if head_role else ""
            found.append(replace(base, key=f"overdue:{key}", kind="overdue", to=to, head=head))
    return found


def _local(when: datetime | None, office: _Office) -> str:
    if when is None:
        return "-"
    tz = office.sop.calendar.tz if office.sop.calendar is not None else None
    local = when.astimezone(tz) if tz is not None else when
    return local.strftime("%Y-%m-%d %H:%M %Z")


def message(due: Due, person: Person, office: _Office, web_url: str, sender: str) -> EmailMessage:
    """The e-mail of one notification to one person, with the link to the change."""
    fields = dict(id=due.change_id, title=due.title, step=due.step, activity=due.activity,
                  role=due.role, author=(office.roles.get(due.author) or person).name,
                  since=_local(due.since, office), std=due.standard, elapsed=due.elapsed,
                  over=due.over, due=_local(due.due, office), head=due.head)  # fmt: skip
    subject_key = "subject_fix" if due.kind == "fix" else f"subject_{due.kind}"
    url = web_url.rstrip("/")
    mail = EmailMessage()
    mail["Subject"] = MSG(subject_key, **fields)
    mail["From"] = sender
    mail["To"] = person.email
    mail.set_content(
        "\n\n".join(
            [
                MSG(f"body_{due.kind}", **fields),
                MSG("link", url=f"{url}/perubahan/{due.change_id}"),
                MSG("footer", url=f"{url}/pengaturan"),
            ]
        )
        + "\n"
    )
    return mail


def remind(
    server: Path,
    *,
    when: datetime | None = None,
    send: Callable[[SmtpSettings, EmailMessage], None] = send_email,
) -> Outcome:
    """Send every notification that is due and was not sent yet (see the module docstring)."""
    repo = Repo(server)
    office = _Office(repo)
    outcome = Outcome()
    smtp = office.settings.notify.smtp
    outcome.smtp = smtp is not None
    folder = notify_dir(server)
    with _locked(folder):
        outcome.due = what_is_due(repo, when)
        if smtp is None:
            return outcome
        choices = Choices(server)
        sent = _read_sent(folder)
        for due in outcome.due:
            for person_id in due.to:
                mark = f"{due.key}|{person_id}"
                person = office.roles.get(person_id)
                if mark in sent or person is None:
                    continue
                if not choices.wants(person_id):
                    outcome.off.append((due.key, person_id))
                    continue
                try:
                    send(smtp, message(due, person, office, office.settings.notify.web_url,
                                       smtp.sender))  # fmt: skip
                except TerbitError as error:
                    outcome.problems.append(str(error))
                    continue
                sent[mark] = (when or now()).isoformat()
                outcome.sent.append((due.key, person_id))
                _write_sent(folder, sent)  # at once: a crash later never re-sends this one
    return outcome
