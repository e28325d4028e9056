"""Acting officials (Plh/Plt): who acts for which role, from when to when, by which decision.

An assignment lives in ``roles.yml`` under ``acting:``. ``roles.yml`` is a protected file, so an
assignment reaches the target branch only through a change the head of office approved (in
advance, before leaving). The gate counts an acting official's approval for the role only inside
the window; the record then names the person who signed as "Plh. <role title>".
"""

from __future__ import annotations

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
        "unknown_person": (
            "orang '{who}' tidak ada di 'people'",
            "person '{who}' is not listed under 'people'",
        ),
        "own_role": (
            "{who} sudah memegang peran {role}; penugasan Plh/Plt tidak diperlukan",
            "{who} already holds the role {role}; no acting assignment is needed",
        ),
        "outside": (
            "{who} hanya {kind} {role} pada {start} s.d. {to} ({nomor}); ulasan ini {at}",
            "{who} acts as {kind} {role} only from {start} to {to} ({nomor}); this review is "
            "from {at}",
        ),
    }
)


class ActingModel(Strict):
    """One ``acting:`` entry of ``roles.yml``."""

    person: str = Field(min_length=1)
    role: str = Field(min_length=1)
    kind: Literal["Plh", "Plt"] = "Plh"  # Pelaksana Harian / Pelaksana Tugas
    start: date = Field(alias="from")
    to: date
    nomor: str = Field(min_length=1)  # the decision (surat perintah) appointing them

    @model_validator(mode="after")
    def _order(self) -> ActingModel:
        if self.to < self.start:
            raise ValueError(MSG("window", to=self.to, start=self.start))
        return self


@dataclass(frozen=True)
class Acting:
    person: str
    role: str
    kind: str
    start: date
    to: date
    nomor: str

    def covers(self, at: datetime, tz: ZoneInfo) -> bool:
        """True when ``at`` falls on a day of the window (inclusive, in the office's zone)."""
        day = at.astimezone(tz).date() if at.tzinfo else at.date()
        return self.start <= day <= self.to

    def outside(self, who: str, role_title: str, at: datetime, tz: ZoneInfo) -> str:
        local = at.astimezone(tz) if at.tzinfo else at
        return MSG(
            "outside",
            who=who,
            kind=self.kind,
            role=role_title,
            start=self.start.strftime("%d-%m-%Y"),
            to=self.to.strftime("%d-%m-%Y"),
            nomor=self.nomor,
            at=local.strftime("%d-%m-%Y %H:%M"),
        )


def acting_problem(
    model: ActingModel, people: set[str], roles_of: dict[str, set[str]]
) -> str | None:
    """Why an assignment cannot stand (None when it can), checked after the people are read."""
    if model.person not in people:
        return MSG("unknown_person", who=model.person)
    if model.role in roles_of.get(model.person, set()):
        return MSG("own_role", who=model.person, role=model.role)
    return None
