"""``terbit status [CHANGE]``: the SOP steps of a change, who did them, and time vs standard."""

from __future__ import annotations

import click

from pipeline.change.model import Change
from pipeline.cli.data_dukung import show
from pipeline.cli.verdict import verdict
from pipeline.clock import now
from pipeline.errors import ConfigError
from pipeline.evidence.schedule import held_until
from pipeline.forge.local.client.session import open_local
from pipeline.forge.local.rules.policy import render
from pipeline.forge.local.store.forge import LocalForge
from pipeline.gate.messages import when
from pipeline.i18n import Catalog
from pipeline.record.store import outcome_for

MSG = Catalog(
    {
        "help": (
            "Tampilkan langkah SOP sebuah perubahan: siapa, kapan, lama dibanding mutu baku, "
            "dan apa yang masih menghalangi. Tanpa CHANGE: perubahan cabang ini.",
            "Show a change's SOP steps: who, when, time against the standard, and what still "
            "blocks it. Without CHANGE: the change of this branch.",
        ),
        "which": (
            "cabang ini belum punya perubahan; sebutkan nomornya (lihat `terbit changes`)",
            "this branch has no change yet; give its number (see `terbit changes`)",
        ),
        "state": ("Status: {state}", "State: {state}"),
        "published": ("Publikasi: lengkap ({folder})", "Publication: complete ({folder})"),
        "pub_incomplete": (
            "Publikasi: BELUM LENGKAP ({folder}): {reasons}",
            "Publication: INCOMPLETE ({folder}): {reasons}",
        ),
        "pub_failed": (
            "Publikasi: GAGAL ({folder}): {reasons}",
            "Publication: FAILED ({folder}): {reasons}",
        ),
        "pub_none": (
            "Publikasi: belum ada catatan penyelesaian (sedang berjalan, atau belum dimulai)",
            "Publication: no completion record yet (running, or not started)",
        ),
        "pub_held": (
            "Publikasi: dijadwalkan (publish_at {at} WIB); situs sudah dibangun tanpa artikelnya, "
            "penjadwal menerbitkannya pada waktu itu",
            "Publication: scheduled (publish_at {at} WIB); the site was built without its "
            "article, the scheduler publishes it at that time",
        ),
        "pub_due": (
            "Publikasi: jatuh tempo sejak {at} WIB (publish_at), belum diterbitkan; menunggu "
            "penjadwal (`terbit publish --due`)",
            "Publication: due since {at} WIB (publish_at), not yet published; waiting for the "
            "scheduler (`terbit publish --due`)",
        ),
        "closed": (
            "DITUTUP oleh {who} pada {at} WIB: {reason}",
            "CLOSED by {who} on {at} WIB: {reason}",
        ),
    }
)


@click.command(help=MSG("help"))
@click.argument("change", required=False)
def command(change: str | None) -> None:
    forge = open_local()
    if change is None:
        branch = forge.repo.current_branch()
        change = forge.repo.config(f"branch.{branch}.terbit-change") if branch else None
        if change is None:
            raise ConfigError(MSG("which"))
    found = forge.get_change(change.lstrip("#"))
    report = verdict(forge, found)
    click.echo(render(report))
    if found.data_dukung:
        show(found.data_dukung, found.id)
    if found.state == "closed":
        person = forge.roles_at(forge.base_tip()).get(found.closed_by)
        who = person.name if person else found.closed_by
        at = when(found.closed_at)
        click.secho(MSG("closed", who=who, at=at, reason=found.close_reason), fg="yellow")
    if found.state == "merged" and not _publication(forge, found):
        raise SystemExit(1)
    if not report.passed and found.state == "open":
        raise SystemExit(1)


def _publication(forge: LocalForge, change: Change) -> bool:
    """Print what the record on main says about the publication; whether it is complete."""
    outcome = outcome_for(forge, change)
    if outcome is None:
        held = (
            held_until(forge.repo, change.merge_sha, forge.settings) if change.merge_sha else None
        )
        if held is None:
            click.secho(MSG("pub_none"), fg="yellow")
        else:
            click.secho(MSG("pub_held" if held > now() else "pub_due", at=when(held)), fg="cyan")
        return True
    folder, reasons = outcome["folder"], "; ".join(outcome["reasons"])  # type: ignore[arg-type]
    if outcome["status"] == "complete":
        click.echo(MSG("published", folder=folder))
        return True
    key = "pub_failed" if outcome["status"] == "failed" else "pub_incomplete"
    click.secho(MSG(key, folder=folder, reasons=reasons), fg="red")
    return False
