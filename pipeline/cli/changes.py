"""``terbit changes``: every change with its state and what the gate says."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from pipeline.change.model import Change
from pipeline.cli.verdict import verdict
from pipeline.forge.local.client.session import open_local
from pipeline.forge.local.store.forge import LocalForge
from pipeline.gate.messages import when
from pipeline.i18n import Catalog
from pipeline.record.store import outcome_for

MSG = Catalog(
    {
        "help": (
            "Daftar perubahan: nomor, judul, pengaju, status dan hasil gerbang SOP.",
            "List changes: number, title, submitter, state and the SOP gate result.",
        ),
        "all": (
            "Tampilkan juga yang sudah digabung atau ditutup.",
            "Also show merged and closed changes.",
        ),
        "title": ("Perubahan", "Changes"),
        "cols": (
            "No|Judul|Pengaju|Diajukan|Status|Gerbang",
            "No|Title|Submitter|Opened|State|Gate",
        ),
        "open": ("terbuka", "open"),
        "merged": ("digabung", "merged"),
        "closed": ("ditutup", "closed"),
        "passed": ("lulus", "passed"),
        "pub_complete": ("terbit", "published"),
        "pub_incomplete": ("terbit, BELUM LENGKAP: {why}", "published, INCOMPLETE: {why}"),
        "pub_failed": ("publikasi GAGAL: {why}", "publication FAILED: {why}"),
        "pub_none": ("belum ada catatan publikasi", "no publication record yet"),
        "waiting": ("menunggu: {first}", "waiting: {first}"),
        "none": ("Belum ada perubahan.", "No changes yet."),
        "broken": (
            "perubahan #{id} tidak dapat dibaca: {why}",
            "change #{id} cannot be read: {why}",
        ),
    }
)


@click.command(help=MSG("help"))
@click.option("--all", "show_all", is_flag=True, help=MSG("all"))
def command(show_all: bool) -> None:
    forge = open_local()
    changes = forge.list_changes(None if show_all else "open")
    for change_id, why in forge.broken.items():
        click.secho(MSG("broken", id=change_id, why=why), err=True, fg="red")
    if not changes:
        click.echo(MSG("none"))
        return
    table = Table(title=MSG("title"))
    for col in MSG("cols").split("|"):
        table.add_column(col)
    for change in changes:
        if change.state == "closed":
            gate = change.close_reason[:60]
        elif change.state == "merged":
            gate = _publication(forge, change)
        else:
            report = verdict(forge, change)
            first = report.problems[0] if report.problems else ""
            gate = MSG("passed") if report.passed else MSG("waiting", first=first[:60])
        table.add_row(
            f"#{change.id}",
            change.title,
            change.author_login,
            when(change.opened_at),
            MSG(change.state),
            gate,
        )
    Console(width=140).print(table)


def _publication(forge: LocalForge, change: Change) -> str:
    """A merged change's publication as its record on main states it."""
    outcome = outcome_for(forge, change)
    if outcome is None:
        return MSG("pub_none")
    why = "; ".join(outcome["reasons"])[:60]  # type: ignore[arg-type]
    state = outcome["status"] if outcome["status"] in ("complete", "failed") else "incomplete"
    return MSG(f"pub_{state}", why=why)
