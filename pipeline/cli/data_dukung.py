"""``terbit data-dukung CHANGE [FILE...] [--simpan DIR]``: the supporting documents of a change.

With files: the submitter attaches them (a signed record); without: lists them; ``--simpan``
saves each one, as its signed record names it, into a folder for the reviewer to open.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.change.data_dukung import SupportingFile
from pipeline.errors import InputError
from pipeline.forge.local.client.actions import attach, identity
from pipeline.forge.local.client.session import open_local
from pipeline.forge.local.store.forge import LocalForge
from pipeline.gate.messages import when
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "help": (
            "Data dukung (KAK, foto asli, pindaian nota dinas bertanda tangan) sebuah perubahan. "
            "Dengan BERKAS: pengaju melampirkannya (catatan bertanda tangan; tidak pernah terbit "
            "di situs). Tanpa BERKAS: daftarnya. --simpan DIR: simpan salinannya untuk dibuka.",
            "The supporting documents (terms of reference, original photos, the signed nota "
            "dinas scan) of a change. With FILE: the submitter attaches them (a signed record; "
            "never published on the site). Without FILE: the list. --simpan DIR: save copies "
            "to open.",
        ),
        "save": (
            "Simpan salinan setiap data dukung ke folder ini.",
            "Save a copy of each supporting document into this folder.",
        ),
        "none": (
            "Perubahan #{id} belum punya data dukung.",
            "Change #{id} has no supporting documents.",
        ),
        "title": ("Data dukung perubahan #{id}:", "Supporting documents of change #{id}:"),
        "row": (
            "  {name}  ({type}, {kb} KB, sha256 {sha}…) oleh {by}, {at} WIB{sig}",
            "  {name}  ({type}, {kb} KB, sha256 {sha}…) by {by}, {at} WIB{sig}",
        ),
        "unsigned": (" — TANDA TANGAN TIDAK SAH", " — SIGNATURE DOES NOT VERIFY"),
        "attached": (
            "{n} data dukung dilampirkan pada perubahan #{id}.",
            "{n} supporting document(s) attached to change #{id}.",
        ),
        "saved": ("Disimpan: {path}", "Saved: {path}"),
        "damaged": (
            "isi data dukung '{name}' tidak cocok dengan SHA-256 catatannya; tidak disimpan",
            "the content of supporting document '{name}' does not match its recorded SHA-256; "
            "not saved",
        ),
        "unreadable": ("berkas {path} tidak dapat dibaca: {error}", "cannot read {path}: {error}"),
    }
)


def read_files(paths: tuple[Path, ...]) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of the files a person named on the command line."""
    out = []
    for path in paths:
        try:
            out.append((path.name, path.read_bytes()))
        except OSError as error:
            raise InputError(MSG("unreadable", path=path, error=error.strerror)) from None
    return out


def show(documents: list[SupportingFile], change_id: str) -> None:
    if not documents:
        click.echo(MSG("none", id=change_id))
        return
    click.echo(MSG("title", id=change_id))
    for d in documents:
        sig = MSG("unsigned") if d.signature_ok is False else ""
        click.echo(MSG("row", name=d.name, type=d.media_type, kb=-(-d.size // 1024),
                       sha=d.sha256[:12], by=d.by, at=when(d.at), sig=sig))  # fmt: skip


def save(forge: LocalForge, documents: list[SupportingFile], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for d in documents:
        data = forge.data_dukung_bytes(d)
        if data is None:
            raise InputError(MSG("damaged", name=d.name))
        target = folder / d.name  # a safe name: one plain file name, checked by the server
        if target.is_symlink():
            target.unlink()
        target.write_bytes(data)
        click.echo(MSG("saved", path=target))


@click.command(help=MSG("help"))
@click.argument("change")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--simpan", type=click.Path(file_okay=False, path_type=Path), default=None, help=MSG("save")
)
def command(change: str, files: tuple[Path, ...], simpan: Path | None) -> None:
    forge = open_local()
    change_id = change.lstrip("#")
    if files:
        found = attach(forge, identity(forge), change_id, read_files(files))
        click.echo(MSG("attached", n=len(files), id=change_id))
    else:
        found = forge.get_change(change_id)
    show(found.data_dukung, change_id)
    if simpan is not None:
        save(forge, found.data_dukung, simpan)
