"""``terbit build``: build the site into the output folder, reusing unchanged pages."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from pipeline.i18n import Catalog
from pipeline.render.progress import default_progress
from pipeline.render.runner import build_site
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "help": (
            "Bangun situs dengan Pelican ke folder keluaran. Halaman yang tidak berubah dipakai "
            "ulang; situs lama baru diganti setelah build berhasil.",
            "Build the site with Pelican into the output folder. Unchanged pages are reused; "
            "the old site is replaced only once the build succeeded.",
        ),
        "output": (
            "Folder keluaran (bawaan: build.output).",
            "Output folder (default: build.output).",
        ),
        "publish": (
            "Pakai pengaturan publikasi (publishconf.py).",
            "Use the publication settings (publishconf.py).",
        ),
        "full": (
            "Bangun ulang semua halaman, abaikan cache.",
            "Rebuild every page, ignoring the cache.",
        ),
        "warning": ("peringatan: {problem}", "warning: {problem}"),
        "shallow": (
            "peringatan: repositori ini klon dangkal (shallow), riwayat Git-nya terpotong: "
            "artikel yang sudah pernah diperbarui tampil seolah baru terbit sekali, tanpa "
            "catatan Ralat/Pembaruan dan riwayat versinya; ambil seluruh riwayat ('git fetch "
            "--unshallow', atau 'fetch-depth: 0' pada actions/checkout)",
            "warning: this repository is a shallow clone, its Git history is cut: articles "
            "updated before look published once, without their Ralat/Pembaruan note and their "
            "history of versions; fetch the whole history ('git fetch --unshallow', or "
            "'fetch-depth: 0' on actions/checkout)",
        ),
        "done": (
            "Situs dibangun di {output}: {articles} artikel, {pages} halaman statis; "
            "{rendered} berkas ditulis, {reused} dipakai ulang; {seconds:.1f} detik.",
            "Site built in {output}: {articles} articles, {pages} static pages; "
            "{rendered} files written, {reused} reused; {seconds:.1f} s.",
        ),
    }
)


@click.command(help=MSG("help"))
@click.option("--output", type=click.Path(path_type=Path), default=None, help=MSG("output"))
@click.option("--publish", is_flag=True, help=MSG("publish"))
@click.option("--full", is_flag=True, help=MSG("full"))
def command(output: Path | None, publish: bool, full: bool) -> None:
    # A fork of this process builds (no second Python to start); the command has no threads.
    result = build_site(
        Path.cwd(), output, publish=publish, progress=default_progress(), full=full, forked=True
    )
    for note in result.notes:
        click.echo(note, err=True)
    # The articles' versions come from this repository's history (render.history).
    if (Path.cwd() / ".git").exists() and Repo(Path.cwd()).is_shallow():
        click.echo(MSG("shallow"), err=True)
    for problem in result.warnings:
        shown_problem = problem.message if problem.path == "-" else str(problem)
        click.echo(MSG("warning", problem=shown_problem), err=True)
    shown = result.output
    with contextlib.suppress(ValueError):
        shown = result.output.relative_to(Path.cwd().resolve())
    click.echo(
        MSG(
            "done",
            output=shown,
            articles=result.articles,
            pages=result.pages,
            rendered=result.rendered,
            reused=result.reused,
            seconds=result.seconds,
        )
    )
