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
        "wait_help": (
            "Detik menunggu server selesai memeriksa halaman commit terakhir (bawaan 300; "
            "0 = tidak menunggu).",
            "Seconds to wait for the server to finish checking the last commit's pages "
            "(default 300; 0 = do not wait).",
        ),
        "waiting": (
            "Menunggu server selesai memeriksa halaman perubahan ini…",
            "Waiting for the server to finish checking this change's pages…",
        ),
        "done": (
            "Perubahan #{id} digabung ke main sebagai {sha}.",
            "Change #{id} merged into main as {sha}.",
        ),
    }
)


@click.command(help=MSG("help"))
@click.argument("change")
@click.option("--wait", type=click.FloatRange(min=0), default=300.0, help=MSG("wait_help"))
def command(change: str, wait: float) -> None:
    forge = open_local()
    who = identity(forge)
    change_id = change.lstrip("#")
    sha, server = merge(
        forge, who, change_id, wait=wait, waiting=lambda: click.echo(MSG("waiting"), err=True),
        sync_after=False,  # the command ends here; the next one fetches on its start
    )  # fmt: skip
    click.echo(MSG("done", id=change_id, sha=sha[:10]))
    if server:
        click.echo(server)
