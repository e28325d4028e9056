"""``terbit submit``: open a change with its nota dinas (step 2), or send new commits to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import click

from pipeline.change.nota_dinas import parse_nota_dinas, template
from pipeline.cli.data_dukung import read_files
from pipeline.forge.local.client.actions import attach, identity, judge_data_dukung, submit
from pipeline.forge.local.client.session import open_local
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "help": (
            "Ajukan draf di cabang ini sebagai perubahan beserta nota dinasnya (langkah 2 SOP). "
            "Bila perubahan sudah ada, kirim commit baru (perbaikan) ke perubahan itu.",
            "Submit the draft on this branch as a change with its nota dinas (SOP step 2). "
            "When the change exists already, send the new commits (corrections) to it.",
        ),
        "nota": (
            "Berkas nota dinas (blok yaml + isi; lihat --form).",
            "Nota dinas file (yaml block + body; see --form).",
        ),
        "form": (
            "Cetak formulir nota dinas kosong lalu keluar.",
            "Print a blank nota dinas form and exit.",
        ),
        "title": ("Judul perubahan (bawaan: judul draf).", "Change title (default: draft title)."),
        "field": ("Kolom nota dinas '{name}'.", "Nota dinas field '{name}'."),
        "opened": (
            "Perubahan #{id} diajukan dengan nota dinas. Pemeriksa berikutnya: Katimker.\n"
            "Lihat kemajuannya: terbit status {id}",
            "Change #{id} submitted with its nota dinas. Next reviewer: Katimker.\n"
            "Follow it: terbit status {id}",
        ),
        "data_dukung": (
            "Data dukung (KAK, foto asli, pindaian nota dinas) untuk perubahan ini; boleh "
            "diulang. Ikut dalam perubahan dan Lembar Penyelesaian, tidak pernah terbit di situs.",
            "A supporting document (terms of reference, original photo, nota dinas scan) for "
            "this change; repeatable. Kept with the change and the record, never published.",
        ),
        "attached": (
            "{n} data dukung dilampirkan (lihat: terbit data-dukung {id}).",
            "{n} supporting document(s) attached (see: terbit data-dukung {id}).",
        ),
        "updated": (
            "Commit baru dikirim ke perubahan #{id}; persetujuan pada commit lama tidak berlaku "
            "untuk langkah yang terikat commit terakhir.",
            "New commits sent to change #{id}; approvals of older commits no longer count for "
            "steps bound to the latest commit.",
        ),
    }
)

FIELDS = ("nomor", "yth", "dari", "hal", "sifat", "nama", "nip", "isi")


def _field_options(func: Callable[..., None]) -> Callable[..., None]:
    for name in reversed(FIELDS):
        func = click.option(f"--{name}", default=None, help=MSG("field", name=name))(func)
    func = click.option(
        "--tanggal",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help=MSG("field", name="tanggal"),
    )(func)
    return click.option("--lampiran", multiple=True, help=MSG("field", name="lampiran"))(func)


@click.command(help=MSG("help"))
@click.option(
    "--nota", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=MSG("nota")
)
@click.option("--form", is_flag=True, help=MSG("form"))
@click.option("--title", default=None, help=MSG("title"))
@click.option(
    "--data-dukung",
    "data_dukung",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=MSG("data_dukung"),
)
@_field_options
def command(
    nota: Path | None,
    form: bool,
    title: str | None,
    data_dukung: tuple[Path, ...],
    **fields: object,
) -> None:
    if form:
        click.echo(template(), nl=False)
        return
    forge = open_local()
    who = identity(forge)
    text = nota.read_text(encoding="utf-8") if nota else None
    given = {k: v for k, v in fields.items() if v not in (None, ())}
    if text is None and given:
        tanggal = given.pop("tanggal", None)
        attached = given.pop("lampiran", ())
        lampiran = [str(a) for a in attached] if isinstance(attached, tuple) and attached else None
        text = template(
            tanggal=tanggal.date() if isinstance(tanggal, datetime) else date.today(),
            lampiran=lampiran,
            nama=str(given.pop("nama", who.person.name)),
            nip=str(given.pop("nip", who.person.nip)),
            dari=str(given.pop("dari", who.person.jabatan or who.person.name)),
            **{k: str(v) for k, v in given.items()},
        )
    if text is not None:  # located errors name the user's file
        parse_nota_dinas(text, str(nota) if nota else "nota dinas")
    documents = read_files(data_dukung)
    judge_data_dukung(forge, documents)  # refused before anything is sent
    change_id, opened = submit(forge, who, nota_text=text, title=title)
    click.echo(MSG("opened" if opened else "updated", id=change_id))
    if documents:
        attach(forge, who, change_id, documents)
        click.echo(MSG("attached", n=len(documents), id=change_id))
