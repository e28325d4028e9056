"""The gate's words (Indonesian first) and how it writes times and commit ids."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pipeline.i18n import Catalog

DISPLAY_TZ = ZoneInfo("Asia/Jakarta")


def short_sha(sha: str | None) -> str:
    return (sha or "-")[:7]


def when(value: datetime | date | None) -> str:
    """``28-11-2026 08:40`` in Western Indonesian Time; a plain date as ``28-11-2026``."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        local = value.astimezone(DISPLAY_TZ) if value.tzinfo else value
        return local.strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


MSG = Catalog(
    {
        "withdraw_skipped": (
            "bukan bagian jalur penarikan (sop.yml 'withdrawal')",
            "not part of the withdrawal path (sop.yml 'withdrawal')",
        ),
        "withdraw_activity": (
            "Persetujuan penarikan artikel (jalur penarikan sop.yml)",
            "Approval of the article's withdrawal (sop.yml withdrawal path)",
        ),
        "withdraw_opener": (
            "penarikan hanya boleh diajukan oleh {roles}; {who} bukan anggota aktif peran itu",
            "a withdrawal may only be opened by {roles}; {who} is not an active member of them",
        ),
        "withdraw_missing": (
            "penarikan memerlukan persetujuan satu anggota {roles} yang bukan pengajunya, pada "
            "commit terakhir",
            "a withdrawal needs the approval of one member of {roles} who did not open it, on "
            "the head commit",
        ),
        "nota_path": ("nota dinas", "nota dinas"),
        "nota_invalid": (
            "nota dinas tidak sah: {error}",
            "the nota dinas is not valid: {error}",
        ),
        "nota_ok": ("nota dinas {nomor} tanggal {tanggal}", "nota dinas {nomor} dated {tanggal}"),
        "no_commits": (
            "perubahan tidak berisi commit apa pun",
            "the change contains no commits",
        ),
        "unknown_author": (
            "commit {sha} ditulis dengan e-mail {email} yang tidak terdaftar di roles.yml",
            "commit {sha} was written with the e-mail {email}, which is not in roles.yml",
        ),
        "closed": ("perubahan sudah ditutup", "the change is closed"),
        "dismissed": ("ulasan sudah dibatalkan", "the review was dismissed"),
        "unknown_person": (
            "'{who}' tidak terdaftar di roles.yml cabang tujuan",
            "'{who}' is not listed in the target branch's roles.yml",
        ),
        "inactive": (
            "{who} tidak lagi aktif (active: false di roles.yml)",
            "{who} is no longer active (active: false in roles.yml)",
        ),
        "unsigned": (
            "tanda tangan ulasan tidak sah: {note}",
            "the review's signature is not valid: {note}",
        ),
        "no_signature": ("tidak ditandatangani", "not signed"),
        "not_member": (
            "{who} bukan anggota peran {role}",
            "{who} is not a member of the role {role}",
        ),
        "self_approval": (
            "{who} ikut menulis perubahan ini dan tidak boleh menyetujuinya sendiri",
            "{who} wrote part of this change and may not approve it",
        ),
        "stale_commit": (
            "diberikan pada commit {commit}, padahal commit terakhir kini {head}; "
            "perlu persetujuan ulang",
            "given on commit {commit}, but the head is now {head}; approve again",
        ),
        "before_push": (
            "diberikan sebelum push terakhir ({push}); perlu persetujuan ulang",
            "given before the last push ({push}); approve again",
        ),
        "order": (
            "diberikan sebelum langkah sebelumnya selesai; urutan SOP mengharuskan langkah {step} "
            "menyusul langkah sebelumnya",
            "given before the previous step was done; the SOP order needs step {step} to come "
            "after the previous step",
        ),
        "review_not_counted": (
            "persetujuan {who} ({at}) tidak dihitung: {why}",
            "approval by {who} ({at}) not counted: {why}",
        ),
        "no_members": (
            "tidak ada anggota aktif peran {role} di roles.yml",
            "no active member of the role {role} in roles.yml",
        ),
        "waiting_approval": (
            "menunggu persetujuan {role}",
            "waiting for approval by {role}",
        ),
        "step_missing": (
            "langkah {step} belum disetujui oleh {role}",
            "step {step} is not yet approved by {role}",
        ),
        "acting": (
            "oleh {kind}. {role} berdasarkan {nomor}",
            "by the {kind}. (acting) {role} under {nomor}",
        ),
        "acting_protected": (
            "{who} hanya Plh/Plt; berkas terlindung memerlukan persetujuan pejabat definitif",
            "{who} is only acting; protected files need the approval of the appointed official",
        ),
        "acting_twice": (
            "{who} sudah menyelesaikan langkah sebagai {other} pada perubahan ini dan tidak "
            "boleh juga menyetujui sebagai Plh/Plt {role}",
            "{who} already did a step as {other} on this change and may not also approve as "
            "acting {role}",
        ),
        "corrected": ("setelah {n} kali permintaan perbaikan", "after {n} change request(s)"),
        "blocked": (
            '{who} ({role}) meminta perbaikan pada {at}: "{body}"; menunggu persetujuan ulang '
            "{role}",
            '{who} ({role}) requested changes at {at}: "{body}"; waiting for {role} to '
            "approve again",
        ),
        "protected_activity": (
            "Berkas terlindung: {files}",
            "Protected files: {files}",
        ),
        "protected_missing": (
            "perubahan menyentuh berkas terlindung dan belum disetujui {role} pada commit terakhir",
            "the change touches protected files and lacks approval by {role} on the head commit",
        ),
        "checks_activity": (
            "Pemeriksaan draf (terbit check)",
            "Draft checks (terbit check)",
        ),
        "checks_reason": ("{n} masalah: {first}", "{n} problem(s): {first}"),
        "checks_clean": (
            "diperiksa oleh terbit check: tidak ada masalah",
            "checked by terbit check: no problems",
        ),
        "checks_failed": (
            "berkas perubahan belum lulus pemeriksaan draf ({n} masalah):\n    {lines}",
            "the change's files fail the draft checks ({n} problem(s)):\n    {lines}",
        ),
        "no_gate_role": (
            "{who} bukan anggota peran yang diminta SOP ({roles})",
            "{who} holds none of the roles the SOP asks for ({roles})",
        ),
        "bad_signature_counted": (
            "PERINGATAN: ulasan {who} ({at}) tanda tangannya tidak sah ({note}) tetapi dihitung "
            "karena pemeriksaan tanda tangan dimatikan (forge.signatures: off)",
            "WARNING: the review by {who} ({at}) has an invalid signature ({note}) but counts "
            "because signature checks are off (forge.signatures: off)",
        ),
        "urgent_no_reason": (
            "{path}:{line}: sifat Sangat Segera memerlukan alasan tertulis: isi kolom "
            "'alasan_segera' (jalur segera sop.yml), atau ubah sifatnya",
            "{path}:{line}: the urgency Sangat Segera needs a written reason: fill in "
            "'alasan_segera' (expedited path of sop.yml), or change the urgency",
        ),
        "deferred_before": (
            "ditunda (jalur segera): paling lambat {n} jam kerja setelah penggabungan",
            "deferred (expedited path): due within {n} working hours of the merge",
        ),
        "deferred_due": (
            "ditunda (jalur segera): wajib diperiksa paling lambat {due}",
            "deferred (expedited path): must be reviewed by {due}",
        ),
        "deferred_overdue": (
            "TERLAMBAT: pemeriksaan tertunda (jalur segera) wajib selesai paling lambat {due}",
            "OVERDUE: the deferred review (expedited path) was due by {due}",
        ),
        "deferred_late": (
            "pemeriksaan tertunda (jalur segera) TERLAMBAT: tenggat {due}",
            "the deferred review (expedited path) was LATE: due by {due}",
        ),
        "deferred_on_time": (
            "pemeriksaan tertunda (jalur segera) tepat waktu (tenggat {due})",
            "the deferred review (expedited path) was on time (due by {due})",
        ),
        "after_merge": ("dilakukan setelah perubahan digabung", "happens after the merge"),
        "waiting_event": ("menunggu bukti pelaksanaan", "waiting for evidence"),
        "within": ("sesuai mutu baku", "within the standard"),
        "over": ("melebihi mutu baku {n} menit", "{n} minutes over the standard"),
        "running": ("berjalan {n} menit", "running for {n} minutes"),
    }
)
