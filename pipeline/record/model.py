"""Step 8: the completion record as data (YAML), built from the gate's view of the change.

The gate, re-run with the publish events (deploy, notice, record), gives who did each SOP step
and when; this module adds the evidence and the outcome and fixes the layout of ``record.yml``.
A ``digest`` over the canonical content makes any later edit of the file detectable.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from pipeline.change.model import Change
from pipeline.config.calendar import author_rule, wall_clock_rule
from pipeline.config.roles import Roles
from pipeline.config.sop import Sop
from pipeline.evidence.articles import ArticleFact
from pipeline.gate.report import GateReport, StepStatus
from pipeline.i18n import Catalog, long_date

FORMAT = "terbit-record/1"
MSG = Catalog(
    {
        "pekerjaan": (
            "Publikasi Informasi ke Situs Website",
            "Publishing Information to the Website",
        ),
        "step_pending": (
            "langkah {number} ({kegiatan}) belum selesai: {reason}",
            "step {number} ({kegiatan}) is not done: {reason}",
        ),
        "step_failed": ("gagal: {reason}", "failed: {reason}"),
        "not_done": (
            "tidak dikerjakan: publikasi gagal pada langkah {number}",
            "not done: the publication failed at step {number}",
        ),
    }
)


@dataclass(frozen=True)
class ShotFact:
    file: str  # relative to the record folder
    view: str
    url: str
    width: int
    height: int
    bytes: int
    sha256: str


@dataclass
class PublishFacts:
    """What the publication did, gathered stage by stage (kept in the state file)."""

    merge_sha: str
    merged_at: datetime
    target: str
    release: str | None  # None when the deploy itself failed
    deployed_at: datetime | None
    previous_release: str | None
    articles: list[ArticleFact]
    live: list[dict[str, Any]] = field(default_factory=list)
    screenshots: list[ShotFact] = field(default_factory=list)
    notice_at: datetime | None = None
    notice_recorded: bool = False
    emailed_to: str | None = None
    email_state: str | None = None  # "sent", or "unconfirmed" (killed while handing it over)
    problems: list[str] = field(default_factory=list)
    # Why the publication failed (the page is not live, the deploy broke), in the office's
    # language; a failure is a state of its own, never folded into "incomplete".
    failure: str | None = None


def record_id(change_id: str, merge_sha: str) -> str:
    """File-system safe and unique per merge: the same merge always maps to the same record."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", change_id).strip("-.") or "change"
    return f"{safe}-{merge_sha[:12]}"


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _person(roles: Roles, person_id: str | None, role: str) -> dict[str, Any]:
    person = roles.get(person_id)
    return {
        "id": person_id,
        "name": person.name if person else (person_id or ""),
        "nip": person.nip if person else "",
        "role": role,
        "role_title": roles.title(role),
    }


def signer_by_evidence(roles: Roles, role: str, person_id: str | None) -> dict[str, Any]:
    """Who signed the step's evidence (the merge), whatever the role table says; blank if
    nobody signed it. The record never names someone who did not act."""
    return _signer(roles, roles.get(person_id), role, fallback_id=person_id)


def _signer(roles: Roles, person: Any, role: str, fallback_id: str | None = None) -> dict[str, Any]:
    if person is None:
        return {
            "id": fallback_id,
            "name": fallback_id or "",
            "nip": "",
            "jabatan": "",
            "role_title": roles.title(role),
        }
    return {
        "id": person.id,
        "name": person.name,
        "nip": person.nip,
        "jabatan": person.jabatan,
        "role_title": roles.title(role),
    }


def _acting_title(person: dict[str, Any], status: StepStatus) -> dict[str, Any]:
    """ "Plh. Kepala Satker" (with the decision) when an acting official proved the step."""
    if status.acting_kind:
        person["role_title"] = f"{status.acting_kind}. {person['role_title']}"
        person["acting_nomor"] = status.acting_nomor
    return person


def _head_signer(roles: Roles, sop: Sop, report: GateReport) -> dict[str, Any]:
    """Who signs "Mengetahui": whoever signed the disposition (the head named by sop.yml's
    ``protected.role``, or the Plh/Plt acting for him). Nobody signed it: the name stays blank
    with "belum ada disposisi" -- the record never names someone who did not act."""
    role = sop.protected_role
    acted = next((s for s in report.steps if s.role == role and s.state == "done" and s.by), None)
    if acted is None:
        blank = signer_by_evidence(roles, role, None)
        blank["pending"] = "no_disposition"
        return blank
    return _acting_title(signer_by_evidence(roles, role, acted.by), acted)


def _uploader_role(sop: Sop) -> str:
    """The role that uploads (the step proven by the deploy), as sop.yml names it."""
    return next((s.role for s in sop.steps if s.proof == "deploy"), "")


def _evidence(
    status: StepStatus, proof: str, change: Change, facts: PublishFacts, rid: str
) -> dict[str, Any]:
    if proof == "draft_commit":
        return {"commits": [c.sha for c in change.commits]}
    if proof == "change_opened":
        return {"change": change.id, "url": change.url}
    if proof in ("review", "approval"):
        return {"review": status.review_id, "commit": status.commit}
    if proof == "merge":
        return {"merge_commit": facts.merge_sha}
    if proof == "deploy":
        return {
            "release": facts.release,
            "urls": [a.url for a in facts.articles if a.url],
            "screenshots": [{"file": s.file, "sha256": s.sha256} for s in facts.screenshots],
        }
    if proof == "notice":
        return {"notice_recorded": facts.notice_recorded, "emailed_to": facts.emailed_to}
    if proof == "record":
        return {"record": rid}
    return {}


def build_record(
    *,
    change: Change,
    report: GateReport,
    sop: Sop,
    roles: Roles,
    facts: PublishFacts,
    admin: str | None,
    place: str,
    timezone: str,
    now: datetime,
    number_pattern: str = "",
) -> dict[str, Any]:
    rid = record_id(change.id, facts.merge_sha)
    by_number = {s.number: s for s in sop.steps}
    steps = []
    reasons = list(facts.problems)
    failed_at = _failed_step(sop) if facts.failure else None
    if facts.failure and facts.failure not in reasons:
        reasons.insert(0, facts.failure)
    for status in report.steps:
        step = by_number.get(status.number)
        proof = step.proof if step else status.proof
        keterangan = status.timing_note
        if failed_at is not None and status.number >= failed_at and status.state != "done":
            # The failed step and every step after it: not done, and said so plainly.
            if status.number == failed_at:
                status.state = "failed"
                status.by = status.by or admin  # the merge's signer started this step
                keterangan = MSG("step_failed", reason=facts.failure)
            else:
                keterangan = MSG("not_done", number=failed_at)
        elif status.state != "done":
            reasons.append(
                MSG(
                    "step_pending",
                    number=status.number,
                    kegiatan=status.kegiatan,
                    reason=status.reason or status.state,
                )
            )
        steps.append(
            {
                "number": status.number,
                "kegiatan": status.kegiatan,
                "pelaksana": _acting_title(_person(roles, status.by, status.role), status),
                "kelengkapan": step.kelengkapan if step else "",
                "output": step.output if step else "",
                "state": status.state,
                "started_at": iso(status.started_at),
                "ended_at": iso(status.ended_at),
                "elapsed_minutes": status.elapsed_minutes,
                "standard_minutes": status.minutes,
                "over_minutes": status.over_minutes,
                "keterangan": keterangan,
                # Issue 14: the author's fixing time inside a review step, shown on its own.
                "perbaikan_staf_minutes": status.author_minutes,
                "evidence": _evidence(status, proof, change, facts, rid),
            }
        )
    nota = report.nota_dinas
    local_now = now.astimezone(ZoneInfo(timezone))
    record: dict[str, Any] = {
        "format": FORMAT,
        "id": rid,
        "status": "failed" if facts.failure else ("incomplete" if reasons else "complete"),
        "reasons": reasons,
        "pekerjaan": MSG("pekerjaan"),
        "judul": change.title,
        "sop": {"nama": sop.nama, "nomor": sop.nomor},
        "nota_dinas": {
            "nomor": nota.nomor if nota else "",
            "tanggal": nota.tanggal.isoformat() if nota else None,
            "hal": nota.hal if nota else "",
            "dari": nota.dari if nota else "",
            "yth": nota.yth if nota else "",
            "sifat": nota.sifat if nota else "",
            "lampiran": list(nota.lampiran) if nota else [],
        },
        "change": {
            "id": change.id,
            "title": change.title,
            "url": change.url,
            "author": _person(roles, change.author, "staf"),
            "head": change.head_sha,
            "opened_at": iso(change.opened_at),
            "merged_at": iso(facts.merged_at),
            "merged_by": change.merged_by,
            "commits": [c.sha for c in change.commits],
            "reviews": [
                {
                    "id": r.id,
                    "reviewer": r.reviewer,
                    "state": r.state,
                    "commit": r.commit,
                    "at": iso(r.at),
                    "signature_ok": r.signature_ok,
                }
                for r in change.reviews
            ],
        },
        "merge_commit": facts.merge_sha,
        "deploy": {
            "target": facts.target,
            "release": facts.release,
            "previous": facts.previous_release,
            "at": iso(facts.deployed_at),
        },
        "articles": [
            {
                "path": a.path,
                "status": a.status,
                "title": a.title,
                "url": a.url,
                "removed_url": a.removed_url,
            }
            for a in facts.articles
        ],
        "live": facts.live,
        "screenshots": [s.__dict__ for s in facts.screenshots],
        "notice": {
            "at": iso(facts.notice_at),
            "recorded": facts.notice_recorded,
            "emailed_to": facts.emailed_to,
            "email": facts.email_state,
        },
        "steps": steps,
        "total": {
            "elapsed_minutes": sum(s["elapsed_minutes"] or 0 for s in steps),
            "standard_minutes": sop.total_minutes,
        },
        "waktu_kerja": _timing_rule(sop),
        "nomor": document_number(number_pattern, change.id, now.astimezone(ZoneInfo(timezone))),
        "tempat_tanggal": f"{place}, {long_date(local_now, 'id')}",
        "created_at": iso(now),
        "yang_menyelesaikan": signer_by_evidence(roles, _uploader_role(sop), admin),
        "mengetahui": _head_signer(roles, sop, report),
    }
    record["digest"] = digest(record)
    return record


def _failed_step(sop: Sop) -> int:
    """The SOP step a failed publication stops at: the one proven by the deploy (step 6)."""
    for step in sop.steps:
        if step.proof == "deploy":
            return step.number
    return max((s.number for s in sop.steps), default=0)


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def document_number(pattern: str, change_id: str, day: datetime) -> str:
    """The record's number from ``publish.record_number`` ({change} {year} {month} {roman})."""
    if not pattern:
        return ""
    return pattern.format(change=change_id, year=day.year, month=f"{day.month:02d}",
                          roman=ROMAN[day.month - 1])  # fmt: skip


def _timing_rule(sop: Sop) -> str:
    """How the record's minutes were counted (working calendar; the author's fixes apart)."""
    base = sop.calendar.describe() if sop.calendar is not None else wall_clock_rule()
    return f"{base} {author_rule()}"


def digest(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "digest"}
    canonical = yaml.safe_dump(body, sort_keys=True, allow_unicode=True)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def dump(record: dict[str, Any]) -> str:
    header = "# Lembar Penyelesaian Pekerjaan (data). Dibuat oleh Terbit; jangan diubah.\n"
    return header + yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100)
