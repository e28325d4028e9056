"""``sop.yml``: the SOP's steps as data, so another office edits a file instead of the code.

Each step names its activity (Kegiatan), who does it (Pelaksana, a role id from ``roles.yml``),
inputs (Kelengkapan), standard minutes (Mutu Baku: Waktu), output, and the event that proves it
(``proof``). The gate reads only this file and ``roles.yml`` from the target branch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

from pydantic import Field, field_validator, model_validator

from pipeline.config import yamlsrc
from pipeline.config.delegation import (
    Delegation,
    DelegationModel,
    delegate_problem,
    no_role_step,
    step_problem,
)
from pipeline.config.validate import Strict, fail, validate
from pipeline.errors import Problem
from pipeline.i18n import Catalog

if TYPE_CHECKING:
    from pipeline.config.calendar import WorkCalendar

SOP_FILE = "sop.yml"

ProofKind = Literal[
    "draft_commit",  # first commit of the draft
    "change_opened",  # the change was submitted with its nota dinas
    "review",  # a check by a role: changes requested count as activity; an approval ends it
    "approval",  # an approval (e.g. the disposition) by a role
    "merge",
    "deploy",
    "notice",
    "record",
]
PROOF_KINDS: tuple[str, ...] = get_args(ProofKind)
# Steps the gate decides (they need an approval before the change may be merged).
GATE_PROOFS = frozenset({"review", "approval"})

# The four roles of the seed SOP; roles.yml may define others.
DEFAULT_ROLES = ("staf", "admin_website", "katimker_lpzi", "kepala_satker")

MSG = Catalog(
    {
        "dup_number": (
            "nomor langkah {number} dipakai dua kali (juga di baris {other})",
            "step number {number} is used twice (also on line {other})",
        ),
        "unknown_role": (
            "peran '{role}' tidak dikenal; peran yang ada: {known}",
            "unknown role '{role}'; known roles: {known}",
        ),
        "no_steps": (
            "'steps' harus berisi minimal satu langkah",
            "'steps' needs at least one step",
        ),
        "approver_needs_gate": (
            "'approver_role' hanya berlaku untuk bukti 'review' atau 'approval'",
            "'approver_role' only applies to proof 'review' or 'approval'",
        ),
        "bound_needs_gate": (
            "'bound_to_head' hanya berlaku untuk bukti 'review' atau 'approval'",
            "'bound_to_head' only applies to proof 'review' or 'approval'",
        ),
        "bad_glob": (
            "pola berkas '{glob}' tidak valid: gunakan jalur relatif tanpa '..'",
            "file pattern '{glob}' is invalid: use a relative path without '..'",
        ),
        "defer_step": (
            "langkah {step} tidak dapat ditunda: hanya langkah 'review'/'approval' yang tidak "
            "disetujui {role} sendiri (persetujuan {role} membuka jalur segera)",
            "step {step} cannot be deferred: only 'review'/'approval' steps that {role} does not "
            "approve themself (the approval of {role} opens the expedited path)",
        ),
        "no_step": (
            "langkah {step} tidak ada di 'steps' SOP ini",
            "step {step} is not among this SOP's 'steps'",
        ),
        "no_opener": (
            "peran {role} tidak menyetujui langkah mana pun yang tidak ditunda; jalur segera "
            "memerlukan persetujuannya",
            "the role {role} approves no step that is not deferred; the expedited path needs its "
            "approval",
        ),
        "no_gate_step": (
            "SOP tidak punya langkah 'review' atau 'approval'; gerbang tidak memeriksa apa pun",
            "the SOP has no 'review' or 'approval' step; the gate would check nothing",
        ),
    }
)


class StepModel(Strict):
    number: int = Field(gt=0)
    kegiatan: str = Field(min_length=1)
    kegiatan_en: str = ""
    role: str = Field(min_length=1)
    kelengkapan: str = ""
    minutes: int = Field(gt=0)
    output: str = ""
    proof: ProofKind
    # For review/approval steps: the role whose approval proves the step (default: ``role``).
    approver_role: str | None = None
    # Only an approval on the change's current head counts (a later push voids it).
    bound_to_head: bool = False

    @model_validator(mode="after")
    def _gate_fields(self) -> StepModel:
        if self.proof not in GATE_PROOFS:
            if self.approver_role is not None:
                raise ValueError(MSG("approver_needs_gate"))
            if self.bound_to_head:
                raise ValueError(MSG("bound_needs_gate"))
        return self


class ProtectedModel(Strict):
    role: str = "kepala_satker"
    paths: list[str] = Field(default_factory=list)

    @field_validator("paths")
    @classmethod
    def _globs(cls, globs: list[str]) -> list[str]:
        for glob in globs:
            if not glob or glob.startswith("/") or ".." in glob.split("/"):
                raise ValueError(MSG("bad_glob", glob=glob))
        return globs


class ExpeditedModel(Strict):
    """``expedited:`` -- the urgent path for a nota dinas "Sangat Segera" (issue 15)."""

    # Whose approval (with the nota dinas's written reason) opens the path; default: the head.
    role: str | None = None
    defer: list[int] = Field(min_length=1)  # the steps done afterwards (e.g. the Katimker's)
    within_hours: int = Field(gt=0)  # working hours after the merge to do them retrospectively


class WithdrawalModel(Strict):
    """``withdrawal:`` -- the short path that takes a published article off the site."""

    open: list[str] = Field(min_length=1)  # roles that may open a withdrawal
    approve: list[str] = Field(min_length=1)  # roles whose one approval (not the opener's) suffices


class SopModel(Strict):
    nama: str = ""
    nomor: str = ""
    ordered: bool = True
    protected: ProtectedModel = Field(default_factory=ProtectedModel)
    steps: list[StepModel]
    # Standing Plh rules: who stands in for a role while all its holders are absent.
    delegations: list[DelegationModel] = Field(default_factory=list)
    expedited: ExpeditedModel | None = None
    withdrawal: WithdrawalModel | None = None


@dataclass(frozen=True)
class Withdrawal:
    """The withdrawal path: a change whose only file is the withdrawals list, opened by a member
    of ``open``, merges on one approval of the head commit by a member of ``approve`` who did
    not write it; the review steps of the SOP are not part of this path."""

    open: tuple[str, ...]
    approve: tuple[str, ...]


@dataclass(frozen=True)
class Expedited:
    """The urgent path: ``role``'s approval plus a written reason publishes without ``defer``,
    which are then owed within ``within_hours`` working hours of the merge."""

    role: str
    defer: tuple[int, ...]
    within_hours: int
    sifat: str = "sangat segera"  # the nota dinas's sifat that asks for it


@dataclass(frozen=True)
class Step:
    number: int
    kegiatan: str
    kegiatan_en: str
    role: str
    kelengkapan: str
    minutes: int
    output: str
    proof: str
    bound_to_head: bool = False
    approver_role: str | None = None  # set for review/approval steps
    line: int | None = None  # where the step starts in sop.yml

    @property
    def is_gate(self) -> bool:
        """True when the gate must see an approval for this step before merging."""
        return self.proof in GATE_PROOFS

    def activity(self, lang: str = "id") -> str:
        return self.kegiatan_en if lang == "en" and self.kegiatan_en else self.kegiatan


@dataclass(frozen=True)
class Sop:
    steps: list[Step]
    ordered: bool = True
    protected_paths: list[str] = field(default_factory=list)
    protected_role: str = "kepala_satker"
    nama: str = ""
    nomor: str = ""
    path: str = SOP_FILE
    # The office's working calendar (terbit.yml on the same branch); None: wall-clock minutes.
    calendar: WorkCalendar | None = None
    delegations: tuple[Delegation, ...] = ()  # standing Plh rules (delegation.py)
    expedited: Expedited | None = None  # the urgent path for "Sangat Segera" (issue 15)
    withdrawal: Withdrawal | None = None  # the short path taking an article off (issue 15)

    @property
    def total_minutes(self) -> int:
        return sum(step.minutes for step in self.steps)

    @property
    def gate_steps(self) -> list[Step]:
        return [step for step in self.steps if step.is_gate]

    def step(self, number: int) -> Step | None:
        return next((s for s in self.steps if s.number == number), None)

    def roles_used(self) -> set[str]:
        used = {self.protected_role}
        for step in self.steps:
            used.add(step.role)
            if step.approver_role:
                used.add(step.approver_role)
        return used

    def is_protected(self, path: str) -> bool:
        return any(glob_match(glob, path) for glob in self.protected_paths)


def _glob_regex(glob: str) -> re.Pattern[str]:
    """``**`` spans folders, ``*`` and ``?`` stay inside one path segment."""
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(glob: str, path: str) -> bool:
    """Match a repository-relative path; a pattern ending in ``/`` or ``/**`` covers the whole
    folder and the folder's own name."""
    path = path.lstrip("/")
    if glob.endswith("/"):
        glob += "**"
    if glob.endswith("/**") and _glob_regex(glob[:-3]).match(path):
        return True  # "pipeline/**" also guards a file or link named "pipeline" itself
    return _glob_regex(glob).match(path) is not None


def load_sop(
    text: str,
    path: str = SOP_FILE,
    *,
    known_roles: Iterable[str] | None = None,
    people: Mapping[str, Iterable[str]] | None = None,
) -> Sop:
    """Parse and validate ``sop.yml``; raise ConfigError with ``path:line`` on any problem.

    ``known_roles`` are the role ids of ``roles.yml`` (the four seed roles when not given);
    ``people`` maps each person id of ``roles.yml`` to their roles, to check the people a
    delegation names (not checked when not given).
    """
    doc = yamlsrc.load(text, path)
    model = validate(SopModel, doc)
    known = sorted(known_roles if known_roles is not None else DEFAULT_ROLES)
    problems: list[Problem] = []
    if not model.steps:
        problems.append(Problem(path, doc.line_of(("steps",)), MSG("no_steps")))
    seen: dict[int, int] = {}
    for index, step in enumerate(model.steps):
        line = doc.line_of(("steps", index, "number")) or 0
        if step.number in seen:
            problems.append(
                Problem(path, line, MSG("dup_number", number=step.number, other=seen[step.number]))
            )
        seen.setdefault(step.number, line)
        for key in ("role", "approver_role"):
            role = getattr(step, key)
            if role is not None and role not in known:
                problems.append(
                    Problem(
                        path,
                        doc.line_of(("steps", index, key)),
                        MSG("unknown_role", role=role, known=", ".join(known)),
                    )
                )
    if model.protected.role not in known:
        problems.append(
            Problem(
                path,
                doc.line_of(("protected", "role")),
                MSG("unknown_role", role=model.protected.role, known=", ".join(known)),
            )
        )
    if model.steps and not any(step.proof in GATE_PROOFS for step in model.steps):
        problems.append(Problem(path, doc.line_of(("steps",)), MSG("no_gate_step")))
    delegations, found = _delegations(model, doc, path, known, people)
    problems += found
    expedited, found = _expedited(model, doc, path, known)
    problems += found
    withdrawal = None
    if model.withdrawal is not None:
        for key in ("open", "approve"):
            for index, role in enumerate(getattr(model.withdrawal, key)):
                if role not in known:
                    at = doc.line_of(("withdrawal", key, index))
                    problems.append(
                        Problem(path, at, MSG("unknown_role", role=role, known=", ".join(known)))
                    )
        withdrawal = Withdrawal(tuple(model.withdrawal.open), tuple(model.withdrawal.approve))
    fail(problems)
    steps = [
        Step(
            number=s.number,
            kegiatan=s.kegiatan,
            kegiatan_en=s.kegiatan_en,
            role=s.role,
            kelengkapan=s.kelengkapan,
            minutes=s.minutes,
            output=s.output,
            proof=s.proof,
            bound_to_head=s.bound_to_head,
            approver_role=(s.approver_role or s.role) if s.proof in GATE_PROOFS else None,
            line=doc.line_of(("steps", i)),
        )
        for i, s in enumerate(model.steps)
    ]
    return Sop(
        steps=sorted(steps, key=lambda s: s.number),
        ordered=model.ordered,
        protected_paths=list(model.protected.paths),
        protected_role=model.protected.role,
        nama=model.nama,
        nomor=model.nomor,
        path=path,
        delegations=delegations,
        expedited=expedited,
        withdrawal=withdrawal,
    )


def _expedited(
    model: SopModel, doc: yamlsrc.Doc, path: str, known: list[str]
) -> tuple[Expedited | None, list[Problem]]:
    """The urgent path, each deferred step checked against the SOP's own steps."""
    entry = model.expedited
    if entry is None:
        return None, []
    role = entry.role or model.protected.role
    problems: list[Problem] = []
    if entry.role is not None and entry.role not in known:
        line = doc.line_of(("expedited", "role"))
        problems.append(Problem(path, line, MSG("unknown_role", role=role, known=", ".join(known))))
        return None, problems
    approver = {
        s.number: (s.approver_role or s.role) for s in model.steps if s.proof in GATE_PROOFS
    }
    numbers = {s.number for s in model.steps}
    for index, number in enumerate(entry.defer):
        line = doc.line_of(("expedited", "defer", index))
        if number not in numbers:
            problems.append(Problem(path, line, MSG("no_step", step=number)))
        elif approver.get(number) in (None, role):
            problems.append(Problem(path, line, MSG("defer_step", step=number, role=role)))
    if not any(r == role and n not in entry.defer for n, r in approver.items()):
        problems.append(Problem(path, doc.line_of(("expedited",)), MSG("no_opener", role=role)))
    rule = Expedited(role=role, defer=tuple(entry.defer), within_hours=entry.within_hours)
    return rule, problems


def _delegations(
    model: SopModel,
    doc: yamlsrc.Doc,
    path: str,
    known: list[str],
    people: Mapping[str, Iterable[str]] | None,
) -> tuple[tuple[Delegation, ...], list[Problem]]:
    """The standing delegation rules, each checked against the steps and roles.yml."""
    approver = {
        s.number: (s.approver_role or s.role) if s.proof in GATE_PROOFS else None
        for s in model.steps
    }
    roles_of = {pid: set(held) for pid, held in (people or {}).items()}
    rules: list[Delegation] = []
    problems: list[Problem] = []
    for index, entry in enumerate(model.delegations):

        def at(*key: str | int, index: int = index) -> int | None:
            return doc.line_of(("delegations", index, *key))

        for key in ("role", "by_role"):
            role = getattr(entry, key)
            if role is not None and role not in known:
                problems.append(
                    Problem(path, at(key), MSG("unknown_role", role=role, known=", ".join(known)))
                )
        own = [n for n, r in approver.items() if r == entry.role]
        if entry.steps is None and entry.role in known and not own:
            problems.append(Problem(path, at("role"), no_role_step(entry.role)))
        for i, number in enumerate(entry.steps or []):
            if why := step_problem(number, entry.role, approver):
                problems.append(Problem(path, at("steps", i), why))
        rule = Delegation(
            role=entry.role,
            steps=tuple(entry.steps if entry.steps is not None else own),
            kind=entry.kind,
            nomor=entry.nomor,
            person=entry.person,
            by_role=entry.by_role,
            line=at(),
        )
        if people is not None and (why := delegate_problem(rule, roles_of)):
            problems.append(Problem(path, at("person"), why))
        rules.append(rule)
    return tuple(rules), problems
