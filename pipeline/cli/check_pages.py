"""``terbit check-pages --change ID``: the server's check of a change's pages, now.

The server's ``post-receive`` starts it after each move of a change's head; the admin (or a
timer) runs it by hand where that was switched off (``TERBIT_PAGE_CHECK=off``) or failed, and
with ``--again`` to check a head once more (after main's theme was fixed, say).
"""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.options import lang_option, options_metavar
from pipeline.errors import ConfigError
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "help": (
            "Periksa halaman perubahan ID seperti pengunjung (axe WCAG 2.1 A/AA, tautan dan "
            "gambar internal) di Chromium, di server; hasilnya dicatat dan ditandatangani server "
            "dan menjadi baris 'Pemeriksaan halaman' gerbang. Keluar 1 bila ada temuan baru.",
            "Check the pages of change ID as a visitor would (axe WCAG 2.1 A/AA, internal links "
            "and images) in Chromium, on the server; the result is recorded, signed by the "
            "server, and is the gate's 'Page check' line. Exit 1 on new findings.",
        ),
        "change": ("Nomor perubahan.", "The change number."),
        "again": (
            "Periksa lagi walau commit ini sudah diperiksa.",
            "Check again even when this commit was checked already.",
        ),
        "repo": (
            "Repositori server (bawaan: folder ini).",
            "The server repository (default: this folder).",
        ),
        "not_server": (
            "{path} bukan repositori server (bare); jalankan perintah ini di server, tempat "
            "kunci tanda tangannya berada",
            "{path} is not the server (bare) repository; run this on the server, where its "
            "signing key is",
        ),
    }
)


@click.command(name="check-pages", help=MSG("help"), options_metavar=options_metavar())
@click.option("--change", "change_id", required=True, metavar="ID", help=MSG("change"))
@click.option("--again", is_flag=True, help=MSG("again"))
@click.option("--repo", "repo_path", type=click.Path(path_type=Path), default=None,
              help=MSG("repo"))  # fmt: skip
@lang_option
def command(change_id: str, again: bool, repo_path: Path | None) -> None:
    # `terbit --help` loads every command module; the check's browser and build modules
    # would add about 0.4 s to its start-up (measured on top of the gate command's imports).
    from pipeline.publication.pagecheck import check_change

    repo = Repo.discover(repo_path or Path.cwd())
    if not repo.bare:
        raise ConfigError(MSG("not_server", path=repo.work_tree or repo.git_dir))
    outcome = check_change(repo.git_dir, change_id, again=again)
    click.echo(outcome.message)
    for finding in outcome.new:
        click.echo(f"  {finding['page']}: {finding['rule']} ({finding['target']})")
    if outcome.new:
        raise SystemExit(1)
