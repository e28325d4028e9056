"""Standing delegation: who stands in for a role while every holder of it is absent.

Two pieces, each in the file that owns it:

- the rule, in ``sop.yml`` under ``delegations:`` -- "when the Kepala Satker is absent, Hendra
  (or any Katimker) acts as Plh for step 4", set once by a decision (``nomor``);
- the fact, in ``roles.yml`` under ``absent:`` -- "Andi is away 7-11 December (dinas luar)".

Both files are protected, so each reaches the target branch only through a change the head
approved. Unlike a dated Plh/Plt assignment (``acting.py``) the rule names no dates: it applies
exactly on the days every active holder of the role is recorded absent, and only to the steps it
lists; protected files always need the appointed official.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from pipeline.config.validate import Strict
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "window": (
            "'to' ({to}) tidak boleh sebelum 'from' ({start})",
            "'to' ({to}) must not be before 'from' ({start})",
        ),
        "one_delegate": (
            "sebutkan tepat satu dari 'person' (satu orang) atau 'by_role' (setiap anggota "
            "peran itu) sebagai yang mewakili",
            "name exactly one of 'person' (one person) or 'by_role' (every member of that "
            "role) as the stand-in",
        ),
        "same_role": (
            "'by_role' ({role}) sama dengan peran yang diwakili",
            "'by_role' ({role}) is the role being stood in for",
        ),
        "no_step": (
            "langkah {step} tidak ada di 'steps' SOP ini",
            "step {step} is not among this SOP's 'steps'",
        ),
        "not_role_step": (
            "langkah {step} bukan langkah pemeriksaan/persetujuan peran {role}; aturan pelimpahan "
            "hanya untuk langkah 'review'/'approval' yang disetujui peran itu",
            "step {step} is not a review/approval step of the role {role}; a delegation only "
            "covers 'review'/'approval' steps that role approves",
        ),
        "no_role_step": (
            "peran {role} tidak menyetujui langkah mana pun; tidak ada yang dapat diwakili",
            "the role {role} approves no step; there is nothing to stand in for",
        ),
        "unknown_person": (
            "orang '{who}' tidak ada di 'people' roles.yml",
            "person '{who}' is not listed under 'people' in roles.yml",
        ),
        "own_role": (
            "{who} sudah memegang peran {role}; pelimpahan tidak diperlukan",
            "{who} already holds the role {role}; no delegation is needed",
        ),
        "not_absent": (
            "{who} mewakili {role} (aturan pelimpahan {nomor} di sop.yml) hanya bila semua "
            "pemegang peran itu berhalangan; pada {day} tidak ada catatan 'absent' di roles.yml "
            "untuk {holders}",
            "{who} stands in for {role} (delegation {nomor} in sop.yml) only while every holder "
            "of that role is absent; on {day} roles.yml records no 'absent' for {holders}",
        ),
        "not_step": (
            "aturan pelimpahan {nomor} (sop.yml) hanya berlaku untuk langkah {steps}",
            "delegation {nomor} (sop.yml) only covers step(s) {steps}",
        ),
    }
)


class DelegationModel(Strict):
    """One ``delegations:`` entry of ``sop.yml``."""

    role: str = Field(min_length=1)  # the role stood in for
    # Default: every review/approval step of ``role``; an empty list would be a rule for nothing.
    steps: list[int] | None = Field(default=None, min_length=1)
    person: str | None = None  # the stand-in: one person ...
    by_role: str | None = None  # ... or any active member of this role
    kind: Literal["Plh", "Plt"] = "Plh"
    when: Literal["absent"] = "absent"  # every active holder of ``role`` is recorded absent
    nomor: str = Field(min_length=1)  # the decision that set the rule

    @model_validator(mode="after")
    def _delegate(self) -> DelegationModel:
        if (self.person is None) == (self.by_role is None):
            raise ValueError(MSG("one_delegate"))
        if self.by_role == self.role:
            raise ValueError(MSG("same_role", role=self.role))
        return self


class AbsenceModel(Strict):
    """One ``absent:`` entry of ``roles.yml``."""

    person: str = Field(min_length=1)
    start: date = Field(alias="from")
    to: date
    reason: str = ""  # cuti, dinas luar, sakit ... (shown nowhere official; for people)

    @model_validator(mode="after")
    def _order(self) -> AbsenceModel:
        if self.to < self.start:
            raise ValueError(MSG("window", to=self.to, start=self.start))
        return self


@dataclass(frozen=True)
class Absence:
    person: str
    start: date
    to: date
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.to


@dataclass(frozen=True)
class Delegation:
    role: str
    steps: tuple[int, ...]  # resolved: never empty
    kind: str
    nomor: str
    person: str | None = None
    by_role: str | None = None
    line: int | None = None  # where the rule starts in sop.yml

    def names(self, person_id: str, roles: tuple[str, ...]) -> bool:
        """Whether the rule names this person (directly or through ``by_role``)."""
        return person_id == self.person or (self.by_role is not None and self.by_role in roles)

    def not_absent(self, who: str, title: str, day: date, holders: list[str]) -> str:
        return MSG("not_absent", who=who, role=title, nomor=self.nomor,
                   day=day.strftime("%d-%m-%Y"), holders=", ".join(holders) or "-")  # fmt: skip

    def not_step(self) -> str:
        return MSG("not_step", nomor=self.nomor, steps=", ".join(map(str, self.steps)))


def local_day(at: datetime, tz: ZoneInfo) -> date:
    """The office's calendar day of ``at`` (windows are whole days in the office's zone)."""
    return at.astimezone(tz).date() if at.tzinfo else at.date()


def delegate_problem(rule: Delegation, roles_of: Mapping[str, set[str]]) -> str | None:
    """Why a rule's ``person`` cannot stand (None when it can), checked against roles.yml."""
    if rule.person is None:
        return None
    if rule.person not in roles_of:
        return MSG("unknown_person", who=rule.person)
    if rule.role in roles_of[rule.person]:
        return MSG("own_role", who=rule.person, role=rule.role)
    return None


def absence_problem(model: AbsenceModel, people: set[str]) -> str | None:
    if model.person not in people:
        return MSG("unknown_person", who=model.person)
    return None


def step_problem(step: int, role: str, steps: Mapping[int, str | None]) -> str | None:
    """Why ``step`` cannot be delegated for ``role``; ``steps`` maps each step number to the
    role approving it (None for steps no approval proves)."""
    if step not in steps:
        return MSG("no_step", step=step)
    if steps[step] != role:
        return MSG("not_role_step", step=step, role=role)
    return None


def no_role_step(role: str) -> str:
    return MSG("no_role_step", role=role)
