"""The record of one publication, built from the gate's view of the change and what the
publication did.

The gate, re-run with the publish events (deploy, notice, record), gives who did each SOP step
and when; this module adds the evidence and the outcome. Every name on the record comes from the
signed evidence of its step: a block nobody signed stays blank and says why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.change.data_dukung import FOLDER, SupportingFile
from pipeline.change.model import Change
from pipeline.change.nota_dinas import ROMAN
from pipeline.config.calendar import author_rule, wall_clock_rule
from pipeline.config.roles import Roles
from pipeline.config.sop import Sop
from pipeline.evidence.findings import findings
from pipeline.gate.report import GateReport, StepStatus
from pipeline.i18n import Catalog, long_date
from pipeline.record.model import (
    FORMAT,
    UNSEALED,
    Article,
    ChangeRef,
    DataDukung,
    Deploy,
    Evidence,
    Jadwal,
    LiveCheck,
    NotaDinasRef,
    Notice,
    PageCheck,
    Penarikan,
    Person,
    Publication,
    PublishFacts,
    Record,
    ReviewRef,
    Screenshot,
    Segera,
    ShotHash,
    Signer,
    SopRef,
    Step,
    StepState,
    Total,
    WithdrawnArticle,
    record_id,
    seal,
)

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


def _person(roles: Roles, person_id: str | None, role: str, status: StepStatus | None) -> Person:
    person = roles.get(person_id)
    title = roles.title(role)
    if status is not None and status.acting_kind:
        # "Plh. Kepala Satker" (with the decision) when an acting official proved the step.
        return Person(
            id=person_id,
            name=person.name if person else (person_id or ""),
            nip=person.nip if person else "",
            role=role,
            role_title=f"{status.acting_kind}. {title}",
            acting_nomor=status.acting_nomor,
        )
    return Person(
        id=person_id,
        name=person.name if person else (person_id or ""),
        nip=person.nip if person else "",
        role=role,
        role_title=title,
    )


def signer_by_evidence(
    roles: Roles, role: str, person_id: str | None, status: StepStatus | None = None
) -> Signer:
    """Who signed the step's evidence, whatever the role table says; blank if nobody signed
    it. The record never names someone who did not act."""
    person = roles.get(person_id)
    title = roles.title(role)
    name = person.name if person else (person_id or "")
    nip, jabatan = (person.nip, person.jabatan) if person else ("", "")
    pid = person.id if person else person_id
    if status is not None and status.acting_kind:
        return Signer(
            id=pid,
            name=name,
            nip=nip,
            jabatan=jabatan,
            role_title=f"{status.acting_kind}. {title}",
            acting_nomor=status.acting_nomor,
        )
    return Signer(id=pid, name=name, nip=nip, jabatan=jabatan, role_title=title)


def _head_signer(roles: Roles, sop: Sop, report: GateReport) -> Signer:
    """Who signs "Mengetahui": whoever signed the disposition (the head named by sop.yml's
    ``protected.role``, or the Plh/Plt acting for him). Nobody signed it: the name stays blank
    with "belum ada disposisi"."""
    role = sop.protected_role
    acted = next((s for s in report.steps if s.role == role and s.state == "done" and s.by), None)
    if acted is None:
        return Signer(
            id=None,
            name="",
            nip="",
            jabatan="",
            role_title=roles.title(role),
            pending="no_disposition",
        )
    return signer_by_evidence(roles, role, acted.by, acted)


def _uploader_role(sop: Sop) -> str:
    """The role that uploads (the step proven by the deploy), as sop.yml names it."""
    return next((s.role for s in sop.steps if s.proof == "deploy"), "")


def _evidence(
    status: StepStatus, proof: str, change: Change, facts: PublishFacts, rid: str
) -> Evidence:
    if proof == "draft_commit":
        return Evidence(commits=[c.sha for c in change.commits])
    if proof == "change_opened":
        return Evidence(change=change.id, url=change.url)
    if proof in ("review", "approval"):
        return Evidence(review=status.review_id, commit=status.commit)
    if proof == "merge":
        return Evidence(merge_commit=facts.merge_sha)
    if proof == "deploy":
        return Evidence(
            release=facts.release,
            urls=[a.url for a in facts.articles if a.url],
            screenshots=[ShotHash(file=s.file, sha256=s.sha256) for s in facts.screenshots],
        )
    if proof == "notice":
        return Evidence(notice_recorded=facts.notice_recorded, emailed_to=facts.emailed_to)
    if proof == "record":
        return Evidence(record=rid)
    return Evidence()


def _failed_step(sop: Sop) -> int:
    """The SOP step a failed publication stops at: the one proven by the deploy (step 6)."""
    for step in sop.steps:
        if step.proof == "deploy":
            return step.number
    return max((s.number for s in sop.steps), default=0)


def _steps(
    change: Change, report: GateReport, sop: Sop, roles: Roles, facts: PublishFacts,
    admin: str | None, rid: str, reasons: list[str],
) -> list[Step]:  # fmt: skip
    """The SOP table; a step not done adds its reason to ``reasons``."""
    by_number = {s.number: s for s in sop.steps}
    failed_at = _failed_step(sop) if facts.failure else None
    steps = []
    for status in report.steps:
        step = by_number.get(status.number)
        proof = step.proof if step else status.proof
        state: StepState = status.state
        by = status.by
        keterangan = status.timing_note
        if failed_at is not None and status.number >= failed_at and status.state != "done":
            # The failed step and every step after it: not done, and said so plainly.
            if status.number == failed_at:
                state, by = "failed", status.by or admin  # the merge's signer started it
                keterangan = MSG("step_failed", reason=facts.failure)
            else:
                keterangan = MSG("not_done", number=failed_at)
        elif status.skipped and status.state != "done":
            # Not part of the withdrawal path: never asked for, so not a gap in this record.
            state, keterangan = "skipped", status.reason
        elif status.deferred and status.state != "done":
            # Owed after the publication (expedited path): not a gap in this record.
            state, keterangan = "deferred", status.reason
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
            Step(
                number=status.number,
                kegiatan=status.kegiatan,
                pelaksana=_person(roles, by, status.role, status),
                kelengkapan=step.kelengkapan if step else "",
                output=step.output if step else "",
                state=state,
                started_at=status.started_at,
                ended_at=status.ended_at,
                elapsed_minutes=status.elapsed_minutes,
                standard_minutes=status.minutes,
                over_minutes=status.over_minutes,
                keterangan=keterangan,
                perbaikan_staf_minutes=status.author_minutes,
                evidence=_evidence(status, proof, change, facts, rid),
            )
        )
    return steps


def _nota_dinas(report: GateReport) -> NotaDinasRef:
    nota = report.nota_dinas
    if nota is None:
        return NotaDinasRef(nomor="", tanggal=None, hal="", dari="", yth="", sifat="", lampiran=[])
    return NotaDinasRef(
        nomor=nota.nomor,
        tanggal=nota.tanggal,
        hal=nota.hal,
        dari=nota.dari,
        yth=nota.yth,
        sifat=nota.sifat,
        lampiran=list(nota.lampiran),
    )


def data_dukung_ref(document: SupportingFile) -> DataDukung:
    """A supporting document as the record lists it: the facts of its signed forge record."""
    return DataDukung(
        file=f"{FOLDER}/{document.name}",
        name=document.name,
        type=document.media_type,
        bytes=document.size,
        sha256=document.sha256,
        by=document.by,
        at=document.at,
        event=document.event,
        signature_ok=document.signature_ok,
    )


def _change(change: Change, roles: Roles, facts: PublishFacts) -> ChangeRef:
    return ChangeRef(
        id=change.id,
        title=change.title,
        url=change.url,
        author=_person(roles, change.author, "staf", None),
        head=change.head_sha,
        opened_at=change.opened_at,
        merged_at=facts.merged_at,
        merged_by=change.merged_by,
        commits=[c.sha for c in change.commits],
        reviews=[
            ReviewRef(
                id=r.id,
                reviewer=r.reviewer,
                state=r.state,
                commit=r.commit,
                at=r.at,
                signature_ok=r.signature_ok,
            )
            for r in change.reviews
        ],
    )


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
) -> Record:
    rid = record_id(change.id, facts.merge_sha)
    reasons = list(facts.problems)
    if facts.failure and facts.failure not in reasons:
        reasons.insert(0, facts.failure)
    # A page check with findings is never hidden behind "complete" (issue 15 §5).
    reasons += [r for r in findings(facts.page_check or {}) if r not in reasons]
    steps = _steps(change, report, sop, roles, facts, admin, rid, reasons)
    local_now = now.astimezone(ZoneInfo(timezone))
    # The key exists only on an urgent publication, so every other record keeps its bytes.
    urgent = {"segera": _segera(report, sop, roles)} if report.expedited is not None else {}
    retried = {"publication": Publication(attempts=facts.attempts)} if facts.attempts > 1 else {}
    pulled = {"penarikan": _penarikan(report, roles, facts)} if report.withdrawal else {}
    # Only set when the check ran: a record without it keeps exactly its older keys.
    checked: dict[str, Any] = {}
    if facts.page_check is not None:
        checked["pemeriksaan_halaman"] = PageCheck.model_validate(facts.page_check)
    if facts.scheduled_at is not None:
        checked["jadwal"] = Jadwal(
            dijadwalkan=facts.scheduled_at,
            tayang=facts.deployed_at,
            terlambat_menit=facts.late_minutes,
        )
    if change.data_dukung:
        checked["data_dukung"] = [data_dukung_ref(d) for d in change.data_dukung]
    record = Record(
        **checked,
        format=FORMAT,
        id=rid,
        status="failed" if facts.failure else ("incomplete" if reasons else "complete"),
        reasons=reasons,
        pekerjaan=MSG("pekerjaan"),
        judul=change.title,
        sop=SopRef(nama=sop.nama, nomor=sop.nomor),
        nota_dinas=_nota_dinas(report),
        change=_change(change, roles, facts),
        merge_commit=facts.merge_sha,
        deploy=Deploy(
            target=facts.target,
            release=facts.release,
            previous=facts.previous_release,
            at=facts.deployed_at,
        ),
        articles=[
            Article(
                path=a.path, status=a.status, title=a.title, url=a.url, removed_url=a.removed_url
            )
            for a in facts.articles
        ],
        live=[LiveCheck.model_validate(check) for check in facts.live],
        screenshots=[
            Screenshot(
                file=s.file,
                view=s.view,
                url=s.url,
                width=s.width,
                height=s.height,
                bytes=s.bytes,
                sha256=s.sha256,
            )
            for s in facts.screenshots
        ],
        notice=Notice(
            at=facts.notice_at,
            recorded=facts.notice_recorded,
            emailed_to=facts.emailed_to,
            email=facts.email_state,
        ),
        steps=steps,
        total=Total(
            elapsed_minutes=sum(s.elapsed_minutes or 0 for s in steps),
            standard_minutes=sop.total_minutes,
        ),
        waktu_kerja=_timing_rule(sop),
        nomor=document_number(number_pattern, change.id, local_now),
        **urgent,
        **retried,
        **pulled,
        tempat_tanggal=f"{place}, {long_date(local_now, 'id')}",
        created_at=now,
        yang_menyelesaikan=signer_by_evidence(roles, _uploader_role(sop), admin),
        mengetahui=_head_signer(roles, sop, report),
        digest=UNSEALED,
    )
    return seal(record)


def _segera(report: GateReport, sop: Sop, roles: Roles) -> Segera:
    """The expedited path as the gate saw it from the signed reviews."""
    exp = report.expedited
    assert exp is not None and report.nota_dinas is not None
    opener = next(
        (s for s in report.steps if s.gate and s.by == exp.approved_by and s.at == exp.approved_at),
        None,
    )
    role = sop.expedited.role if sop.expedited is not None else sop.protected_role
    return Segera(
        sifat=report.nota_dinas.sifat,
        alasan=exp.reason,
        disetujui=_person(roles, exp.approved_by, role, opener),
        disetujui_at=exp.approved_at,
        langkah_ditunda=list(exp.steps),
        jam_kerja=exp.within_hours,
        tenggat=exp.due,
        selesai=exp.done_at,
        tepat_waktu=exp.in_time,
    )


def _penarikan(report: GateReport, roles: Roles, facts: PublishFacts) -> Penarikan:
    """The withdrawal as the gate saw it from the signed reviews, with what it took off."""
    pulled = report.withdrawal
    assert pulled is not None
    approval = next((x for x in report.extra if x.number == 0 and x.review_id), None)
    author = roles.get(pulled.opened_by)
    opener_role = next(iter(author.roles), "") if author else ""
    return Penarikan(
        artikel=[
            WithdrawnArticle(
                path=a.path,
                judul=a.title,
                url=a.removed_url,
                alasan=a.reason or "",
                ganti=a.replacement,
            )
            for a in facts.articles
            if a.status == "W"
        ],
        diajukan=_person(roles, pulled.opened_by, opener_role, None),
        disetujui=_person(roles, pulled.approved_by, pulled.role or "", approval),
        disetujui_at=pulled.approved_at,
        review=pulled.review_id,
    )


def document_number(pattern: str, change_id: str, day: datetime) -> str:
    """The record's number from ``publish.record_number`` ({change} {year} {month} {roman})."""
    if not pattern:
        return ""
    return pattern.format(
        change=change_id, year=day.year, month=f"{day.month:02d}", roman=ROMAN[day.month - 1]
    )


def _timing_rule(sop: Sop) -> str:
    """How the record's minutes were counted (working calendar; the author's fixes apart)."""
    base = sop.calendar.describe() if sop.calendar is not None else wall_clock_rule()
    return f"{base} {author_rule()}"
