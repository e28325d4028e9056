"""``terbit merge CHANGE``: merge a change that passes the gate; the server checks it again."""

from __future__ import annotations

import click

from pipeline.forge.local.client.actions import identity, merge
from pipeline.forge.local.client.session import open_local
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "help": (
            "Gabungkan perubahan ke main bila SOP terpenuhi. Server memeriksa ulang gerbang "
            "lalu memulai publikasi.",
            "Merge a change into main when the SOP is satisfied. The server checks the gate "
            "again, then starts publishing.",
        ),
        "done": (
            "Perubahan #{id} digabung ke main sebagai {sha}.",
            "Change #{id} merged into main as {sha}.",
        ),
    }
)


@click.command(help=MSG("help"))
@click.argument("change")
def command(change: str) -> None:
    forge = open_local()
    who = identity(forge)
    change_id = change.lstrip("#")
    sha, server = merge(forge, who, change_id)
    click.echo(MSG("done", id=change_id, sha=sha[:10]))
    if server:
        click.echo(server)
