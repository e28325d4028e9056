"""What waits on GitHub, and for whom: each open pull request at its SOP step (the gate's own
evaluation, as ``terbit github gate`` gives it) and each merged "Sangat Segera" pull request
whose deferred review is still owed, with its deadline. Reads only; ``remind`` writes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.change.model import Change
from pipeline.clock import now as clock_now
from pipeline.config.roles import Person, Roles
from pipeline.config.sop import Sop
from pipeline.errors import TerbitError
from pipeline.forge.github.checks import judge
from pipeline.forge.github.forge import GitHubForge
from pipeline.gate import GateReport, StepStatus
from pipeline.gate.messages import DISPLAY_TZ

# The mark on GitHub of a merged urgent PR still owing its deferred review (``remind``).
LABEL = "menunggu-pemeriksaan-tertunda"
# A merged urgent PR is looked at this long after its merge, and after that while it carries
# the label: far past any deadline of working hours, holidays and cuti bersama included.
RECENT = timedelta(days=30)


@dataclass(frozen=True)
class Waiting:
    """One thing that waits: a PR at a step (``step``), its author's fixing after a request
    for changes (``fix``), or a merged urgent PR's deferred review (``owed``)."""

    number: int
    title: str
    url: str
    kind: str  # step / fix / owed
    steps: tuple[int, ...]
    activity: str
    role: str  # role id ("" when it waits for the author)
    role_title: str
    people: tuple[str, ...]  # person ids who may act on it
    since: datetime
    due: datetime | None = None  # owed: the deadline of the deferred review
    overdue: bool = False
    elapsed: int | None = None  # working minutes at the step so far
    standard: int = 0
    over: int = 0
    zone: str = "Asia/Jakarta"  # the office's time zone, to show times as it reads them

    def local(self, moment: datetime | None) -> str:
        return local(moment, ZoneInfo(self.zone))

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["steps"] = list(self.steps)
        data["people"] = list(self.people)
        for key in ("since", "due"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return data


def office_tz(sop: Sop) -> ZoneInfo:
    """The office's zone (sop.yml's calendar: WIB, WITA or WIT); WIB without one."""
    return sop.calendar.tz if sop.calendar is not None else DISPLAY_TZ


def local(moment: datetime | None, tz: ZoneInfo) -> str:
    """``01-12-2026 16:00 WIB``: a time as the office reads it."""
    return moment.astimezone(tz).strftime("%d-%m-%Y %H:%M %Z") if moment is not None else "-"


def holders(roles: Roles, sop: Sop, role: str, when: datetime, author: str) -> list[Person]:
    """Who serves ``role`` at ``when`` (Plh/Plt included), never the change's own author."""
    return [p for p in roles.holders(role, when, office_tz(sop)) if p.id != author]


def owed_steps(report: GateReport) -> dict[str, list[StepStatus]]:
    """A merged urgent change's deferred steps still not done, by the role that owes them."""
    found: dict[str, list[StepStatus]] = {}
    if report.expedited is None or report.expedited.done_at is not None:
        return found
    for status in report.steps:
        if status.deferred and status.state != "done":
            found.setdefault(status.role, []).append(status)
    return found


def _open(change: Change, report: GateReport, sop: Sop, roles: Roles, when: datetime
          ) -> list[Waiting]:  # fmt: skip
    found = []
    last_push = max((p.at for p in change.pushes), default=change.opened_at)
    author = change.author or change.author_login
    for status in report.waiting_steps():
        people = tuple(p.id for p in holders(roles, sop, status.role, when, author))
        item = Waiting(number=int(change.id), title=change.title, url=change.url or "",
                       kind="step", steps=(status.number,), activity=status.kegiatan,
                       role=status.role, role_title=status.role_title, people=people,
                       since=status.started_at or change.opened_at,
                       elapsed=status.elapsed_minutes, standard=status.minutes,
                       over=status.over_minutes, zone=office_tz(sop).key)  # fmt: skip
        if status.change_requests and max(status.change_requests) > last_push:
            # The step's role asked for changes: the author's turn, not the reviewer's.
            item = replace(item, kind="fix", role="", role_title="", people=(author,),
                           since=max(status.change_requests), over=0)  # fmt: skip
        found.append(item)
    return found


def _owed(change: Change, report: GateReport, sop: Sop, roles: Roles, when: datetime
          ) -> list[Waiting]:  # fmt: skip
    exp = report.expedited
    if exp is None or exp.due is None:
        return []
    author = change.author or change.author_login
    found = []
    for role, statuses in owed_steps(report).items():
        people = tuple(p.id for p in holders(roles, sop, role, when, author))
        found.append(
            Waiting(number=int(change.id), title=change.title, url=change.url or "",
                    kind="owed", steps=tuple(s.number for s in statuses),
                    activity=", ".join(s.kegiatan for s in statuses), role=role,
                    role_title=statuses[0].role_title, people=people,
                    since=change.merged_at or when, due=exp.due, overdue=exp.overdue,
                    zone=office_tz(sop).key)
        )  # fmt: skip
    return found


def what_waits(forge: GitHubForge, when: datetime | None = None) -> list[Waiting]:
    """Everything that waits now, oldest first. A PR the gate cannot judge (its policy is
    broken) is left out here: its own status check says why."""
    when = when or clock_now()
    found: list[Waiting] = []
    for state, read in (("open", _open), ("owed", _owed)):
        changes = (
            forge.list_changes("open")
            if state == "open"
            else forge.merged_urgent(since=when - RECENT, label=LABEL)
        )
        for change in changes:
            try:
                report, sop, roles = judge(forge, change, now=when)
            except TerbitError:
                continue
            found += read(change, report, sop, roles, when)
    return sorted(found, key=lambda item: item.since)


def for_person(found: list[Waiting], person: str) -> list[Waiting]:
    return [item for item in found if person in item.people]


def for_role(found: list[Waiting], role: str) -> list[Waiting]:
    return [item for item in found if item.role == role]
