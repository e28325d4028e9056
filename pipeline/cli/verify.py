"""``terbit verify``: check every completion record offline (commits, approvals, screenshots)."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.errors import TerbitError
from pipeline.forge import open_forge
from pipeline.i18n import Catalog
from pipeline.publication.merges import repo_settings
from pipeline.record import rollback
from pipeline.record.verify import verify_records
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "help": (
            "Periksa semua catatan penyelesaian tanpa jaringan: isi tidak diubah, commit ada di "
            "main, ulasan dan tanda tangannya sah (gerbang dijalankan ulang), tangkapan layar "
            "cocok dengan SHA-256-nya.",
            "Check every completion record offline: unchanged content, commits on main, reviews "
            "and their signatures valid (the gate is re-run), screenshots matching their SHA-256.",
        ),
        "repo": ("Repositori (bawaan: folder ini).", "Repository (default: this folder)."),
        "no_forge": (
            "catatan: riwayat perubahan tidak tersedia ({error}); ulasan hanya diperiksa dari "
            "catatan",
            "note: the change history is unavailable ({error}); reviews are checked from the "
            "records only",
        ),
        "ok": ("{n} catatan diperiksa; semuanya cocok.", "{n} records checked; all match."),
        "incomplete": (
            "catatan {id} jujur ditandai BELUM LENGKAP (lihat alasannya di record.yml)",
            "record {id} is honestly marked INCOMPLETE (see the reasons in record.yml)",
        ),
        "bad": (
            "{n} catatan diperiksa; {p} masalah ditemukan.",
            "{n} records checked; {p} problems found.",
        ),
    }
)


@click.command(help=MSG("help"))
@click.option("--repo", "repo_path", type=click.Path(path_type=Path), default=None,
              help=MSG("repo"))  # fmt: skip
def command(repo_path: Path | None) -> None:
    repo = Repo(repo_path) if repo_path else Repo.discover(Path.cwd())
    settings = repo_settings(repo)
    forge = None
    try:
        forge = open_forge(repo.work_tree or repo.git_dir, settings)
    except TerbitError as error:
        click.echo(MSG("no_forge", error=str(error)), err=True)
    report = verify_records(repo, records_path=settings.publish.records_path, forge=forge,
                            signing=settings.publish.signing)  # fmt: skip
    rollbacks = rollback.load(repo, settings.publish.records_path)
    report.checked += len(rollbacks)
    report.problems += rollback.verify(repo, rollbacks)
    for record_id in report.incomplete:
        click.echo(MSG("incomplete", id=record_id))
    if report.problems:
        for problem in report.problems:
            click.echo(str(problem), err=True)
        click.echo(MSG("bad", n=report.checked, p=len(report.problems)), err=True)
        raise SystemExit(1)
    click.echo(MSG("ok", n=report.checked))
