"""``terbit close CHANGE -m ALASAN``: withdraw your own change, or reject one as a reviewer."""

from __future__ import annotations

import click

from pipeline.errors import ConfigError
from pipeline.forge.local.client.actions import close, identity
from pipeline.forge.local.client.session import open_local
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "help": (
            "Tutup perubahan: pengaju menarik perubahannya sendiri, atau pemeriksa (Katimker, "
            "Kepala Satker) menolaknya karena publikasi tidak dapat diselesaikan. Alasan wajib; "
            "catatan ditandatangani dan perubahan tidak dapat diulas atau digabung lagi.",
            "Close a change: the submitter withdraws their own change, or a reviewer (team "
            "lead, head of office) rejects it because the publication cannot be completed. A "
            "reason is required; the record is signed and the change can no longer be reviewed "
            "or merged.",
        ),
        "message": ("Alasan penutupan (wajib).", "Reason for closing (required)."),
        "need_reason": (
            "sebutkan alasannya: terbit close N -m ALASAN",
            "give the reason: terbit close N -m REASON",
        ),
        "done": (
            "Perubahan #{id} ditutup oleh {who}: {reason}",
            "Change #{id} closed by {who}: {reason}",
        ),
    }
)


@click.command(help=MSG("help"))
@click.argument("change")
@click.option("-m", "--message", default="", help=MSG("message"))
def command(change: str, message: str) -> None:
    if not message.strip():
        raise ConfigError(MSG("need_reason"))
    forge = open_local()
    who = identity(forge)
    closed = close(forge, who, change.lstrip("#"), message)
    click.echo(MSG("done", id=closed.id, who=who.person.name, reason=closed.close_reason))
