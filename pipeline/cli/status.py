"""``terbit status [CHANGE]``: the SOP steps of a change, who did them, and time vs standard."""

from __future__ import annotations

import click

from pipeline.errors import ConfigError
from pipeline.forge.local.policy import evaluate, render
from pipeline.forge.local.session import open_local
from pipeline.gate.messages import when
from pipeline.i18n import Catalog

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
    report = evaluate(forge, found)
    click.echo(render(report))
    if found.state == "closed":
        person = forge.roles_at(forge.base_tip()).get(found.closed_by)
        who = person.name if person else found.closed_by
        at = when(found.closed_at)
        click.secho(MSG("closed", who=who, at=at, reason=found.close_reason), fg="yellow")
    if not report.passed and found.state == "open":
        raise SystemExit(1)
