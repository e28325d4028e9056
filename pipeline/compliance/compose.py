"""Put a report together: records of the period, their verification, figures, charts, files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.clock import now as clock_now
from pipeline.compliance import charts
from pipeline.compliance.collect import collect
from pipeline.compliance.figures import compute
from pipeline.compliance.period import Period
from pipeline.compliance.render import Report, Signer, to_csv, to_html, to_pdf, to_xlsx
from pipeline.config import yamlsrc
from pipeline.config.calendar import author_rule, wall_clock_rule
from pipeline.config.roles import Roles
from pipeline.config.settings import Settings
from pipeline.config.sop import Sop
from pipeline.errors import Problem, TerbitError
from pipeline.gate import evaluate
from pipeline.i18n import long_date
from pipeline.record import rollback
from pipeline.record.official import contact_line
from pipeline.record.signature import can_sign, sign_pdf
from pipeline.record.verify import check_loaded
from pipeline.vcs import Repo

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@dataclass
class Made:
    report: Report
    files: dict[str, bytes] = field(default_factory=dict)  # file name -> content
    problems: list[Problem] = field(default_factory=list)  # unreadable or failing records
    closed_note: str | None = None  # why closed changes are not listed, when they are not


def _followups(
    records: list[dict[str, Any]], forge: Any, sop: Sop, roles: Roles
) -> dict[str, datetime | None]:
    """When each urgent publication's deferred review was done, as the forge holds it now
    (its record was written at publication, before the review); none without a forge."""
    out: dict[str, datetime | None] = {}
    if forge is None:
        return out
    for record in records:
        change_id = str((record.get("change") or {}).get("id") or "")
        if not isinstance(record.get("segera"), dict) or not change_id:
            continue
        try:
            # The forge's own rule for signatures: GitHub authenticates its reviewers and has
            # no signature to check, so requiring one would void every GitHub review.
            report = evaluate(forge.get_change(change_id), sop=sop, roles=roles,
                              signatures_required=forge.signatures_required())  # fmt: skip
        except TerbitError:
            continue  # the change is gone from this forge: the record's own word stands
        out[change_id] = report.expedited.done_at if report.expedited is not None else None
    return out


def number(settings: Settings, period: Period) -> str:
    end = period.end
    return settings.report.number.format(
        period=period.slug, year=end.year, month=f"{end.month:02d}", roman=ROMAN[end.month - 1]
    )


def make_report(
    repo: Repo,
    *,
    settings: Settings,
    sop: Sop,
    roles: Roles,
    period: Period,
    forge: Any = None,
    formats: tuple[str, ...] = ("pdf", "html", "csv", "xlsx"),
) -> Made:
    """The report over the records of ``period``; ``forge`` (optional) lists closed changes."""
    tz = ZoneInfo(settings.site.timezone)
    if sop.calendar is not None:
        tz = sop.calendar.tz
    found = collect(repo, settings.publish.records_path, tz, period.contains)
    closed = []
    closed_note = None
    if forge is not None:
        try:
            closed = [
                c
                for c in forge.list_changes("closed")
                if c.closed_at is not None and period.contains(c.closed_at.astimezone(tz).date())
            ]
        except TerbitError as error:
            closed_note = str(error)
    # Rollbacks are records of their own (``terbit rollback``), verified like the others.
    kept = rollback.load(repo, settings.publish.records_path)
    rolled = rollback.within(kept, tz, period.contains)
    figures = compute(found.records, everything=found.everything, closed=closed, end=period.end,
                      followups=_followups(found.records, forge, sop, roles),
                      now=clock_now(), rollbacks=[data for _path, data in rolled])  # fmt: skip
    # The records counted are checked as `terbit verify` does, from the very bytes counted.
    docs = [
        (folder, path, yamlsrc.Doc(data=data, path=path)) for folder, path, data in found.loaded
    ]
    checked = check_loaded(repo, docs, found.read, signing=settings.publish.signing)
    checked.problems += rollback.verify(repo, rolled)
    failed = sorted({p.path.split("/")[-2] for p in checked.problems if p.path and "/" in p.path})
    publish = settings.publish
    heads = roles.members("kepala_satker")
    head = heads[0] if heads else None
    rule = sop.calendar.describe() if sop.calendar is not None else wall_clock_rule()
    report = Report(
        figures=figures,
        nomor=number(settings, period),
        period_label=period.label,
        sop_name=f"{sop.nama} ({sop.nomor})" if sop.nomor else sop.nama,
        place_date=f"{settings.publish.place}, {long_date(clock_now().astimezone(tz))}",
        rule=f"{rule} {author_rule()}",
        kop=tuple(settings.publish.kop),
        signer=Signer(
            name=head.name if head else "",
            nip=head.nip if head else "",
            title=roles.title("kepala_satker"),
        ),
        verify_failed=failed,
        charts={"steps": charts.steps_chart(figures), "trend": charts.trend_chart(figures)},
        contact=contact_line(publish.address, publish.telephone, publish.website),
        signed=can_sign(publish.signing, repo.work_tree or repo.git_dir),
    )
    base = f"laporan-kepatuhan-{period.slug}"
    files: dict[str, bytes] = {
        f"{base}-langkah.svg": report.charts["steps"].encode("utf-8"),
        f"{base}-tren.svg": report.charts["trend"].encode("utf-8"),
    }
    if "html" in formats:
        files[f"{base}.html"] = to_html(report).encode("utf-8")
    if "csv" in formats:
        files[f"{base}.csv"] = to_csv(report).encode("utf-8")
    if "xlsx" in formats:
        files[f"{base}.xlsx"] = to_xlsx(report)
    if "pdf" in formats:
        files[f"{base}.pdf"] = sign_pdf(to_pdf(report), publish.signing, what=report.nomor,
                                        location=publish.place,
                                        repo_root=repo.work_tree or repo.git_dir)  # fmt: skip
    return Made(report, files, found.problems + checked.problems, closed_note)
