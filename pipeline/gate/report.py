"""What the gate hands back: one status per SOP step, plus the problems that block merging."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pipeline.change.nota_dinas import NotaDinas

StepState = Literal["done", "pending", "refused"]


@dataclass(frozen=True)
class ProofEvent:
    """Evidence for a step the change itself does not hold (deploy, notice, record)."""

    at: datetime
    by: str | None = None  # person id
    note: str = ""


@dataclass
class StepStatus:
    number: int  # SOP step number; 0 for the extra "protected files" approval
    kegiatan: str
    role: str  # role id of the Pelaksana
    role_title: str
    proof: str
    state: StepState
    gate: bool  # True when the gate needs this step before a merge
    minutes: int  # standard minutes (Mutu Baku)
    by: str | None = None  # person id
    by_name: str | None = None
    at: datetime | None = None  # when the proving event happened
    started_at: datetime | None = None
    ended_at: datetime | None = None
    elapsed_minutes: int | None = None
    over_minutes: int = 0  # minutes beyond the standard (0 when within)
    running: bool = False  # elapsed is "so far" (pending step, measured against ``now``)
    timing_note: str = ""  # "sesuai mutu baku" / "melebihi mutu baku 25 menit"
    reason: str = ""
    review_id: str | None = None
    commit: str | None = None  # the commit an approval was bound to
    corrections: int = 0  # changes requested by the step's role before it was done
    kegiatan_en: str = ""
    # When the step's role asked for changes; the time until the author's next push is the
    # author's ("perbaikan oleh staf"), not the reviewer's.
    change_requests: list[datetime] = field(default_factory=list)
    author_minutes: int = 0  # working minutes the author spent fixing inside this step
    acting_kind: str = ""  # "Plh"/"Plt" when an acting official proved the step
    acting_nomor: str = ""  # the decision appointing them
    deferred: bool = False  # owed afterwards under sop.yml's expedited path (not blocking)
    skipped: bool = False  # not part of sop.yml's withdrawal path (never done, not owed)


@dataclass
class ExpeditedStatus:
    """A "Sangat Segera" change on the expedited path: why, who opened it, what is owed."""

    reason: str  # the nota dinas's ``alasan_segera``
    approved_by: str | None  # who gave the opening approval (the head, or their Plh)
    approved_at: datetime | None
    steps: list[int]  # the deferred SOP steps
    within_hours: int  # working hours after the merge to do them
    due: datetime | None = None  # set once merged (working hours of the office calendar)
    done_at: datetime | None = None  # when the last deferred step was done
    overdue: bool = False  # not done and past ``due``
    in_time: bool | None = None  # done: by ``due``; None while not done


@dataclass
class WithdrawalStatus:
    """A change on sop.yml's withdrawal path: who opened it and whose approval takes it off."""

    opened_by: str | None
    approved_by: str | None = None
    approved_at: datetime | None = None
    review_id: str | None = None
    role: str | None = None  # the role the approver approved in


@dataclass
class GateReport:
    change_id: str
    title: str
    head_sha: str
    passed: bool
    steps: list[StepStatus]
    problems: list[str] = field(default_factory=list)
    extra: list[StepStatus] = field(default_factory=list)  # protected-files approval
    notes: list[str] = field(default_factory=list)  # ignored reviews, warnings (not blocking)
    nota_dinas: NotaDinas | None = None
    signatures_required: bool = True
    protected_files: list[str] = field(default_factory=list)
    evaluated_at: datetime | None = None
    expedited: ExpeditedStatus | None = None  # set when the urgent path was taken
    withdrawal: WithdrawalStatus | None = None  # set when the change is a withdrawal

    def step(self, number: int) -> StepStatus | None:
        return next((s for s in self.steps if s.number == number), None)

    def waiting_steps(self) -> list[StepStatus]:
        """The step(s) an open change waits at now: the first step neither done nor left out
        (a withdrawal's skipped steps, an urgent change's deferred ones, owed after its merge),
        plus a pending protected-files approval; a withdrawal waits for its approval alone."""
        first = next((s for s in self.steps
                      if s.state != "done" and not s.skipped and not s.deferred), None)  # fmt: skip
        extra = [s for s in self.extra if s.state != "done"]
        if self.withdrawal is not None and extra:
            return extra
        return ([first] if first is not None else []) + extra


@dataclass(frozen=True)
class StepTime:
    """One row of the timing table (status, completion record)."""

    number: int
    kegiatan: str
    role: str
    by: str | None
    by_name: str | None
    started_at: datetime | None
    ended_at: datetime | None
    elapsed_minutes: int | None
    standard_minutes: int
    over_minutes: int
    note: str
    author_minutes: int = 0  # "perbaikan oleh staf": the author's time inside this step
