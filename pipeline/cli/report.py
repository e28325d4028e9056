"""``terbit report``: the SOP compliance report of a month, a year or a date range."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from pipeline.compliance.period import parse_period
from pipeline.errors import TerbitError
from pipeline.forge import open_forge
from pipeline.gate import policy_at
from pipeline.i18n import Catalog
from pipeline.publication.merges import repo_settings
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "help": (
            "Laporan kepatuhan SOP (per langkah, peran dan pegawai; median dan persentil 90 "
            "menit kerja; yang melebihi mutu baku; grafik) sebagai PDF A4, HTML, CSV dan XLSX, "
            "dari catatan penyelesaian yang sekaligus diperiksa seperti `terbit verify`.",
            "The SOP compliance report (per step, role and person; median and 90th percentile "
            "working minutes; items over the standard; charts) as A4 PDF, HTML, CSV and XLSX, "
            "from the completion records, which are checked as `terbit verify` does.",
        ),
        "month": ("Bulan TTTT-BB, mis. 2026-11.", "Month YYYY-MM, e.g. 2026-11."),
        "year": ("Tahun, mis. 2026.", "Year, e.g. 2026."),
        "from": ("Tanggal awal TTTT-BB-HH (dengan --to).", "First day YYYY-MM-DD (with --to)."),
        "to": ("Tanggal akhir TTTT-BB-HH (termasuk).", "Last day YYYY-MM-DD (inclusive)."),
        "output": (
            "Folder keluaran (bawaan: report.path di terbit.yml / periode).",
            "Output folder (default: report.path in terbit.yml / period).",
        ),
        "format": ("Format keluaran (boleh berulang).", "Output format (repeatable)."),
        "repo": ("Repositori (bawaan: folder ini).", "Repository (default: this folder)."),
        "counted": (
            "{n} catatan dihitung untuk {period} (nomor {nomor}).",
            "{n} records counted for {period} (number {nomor}).",
        ),
        "wrote": ("ditulis: {path}", "written: {path}"),
        "verify_ok": (
            "semua catatan yang dihitung lolos pemeriksaan `terbit verify`.",
            "every counted record passes the `terbit verify` checks.",
        ),
        "verify_bad": (
            "{n} masalah pada catatan yang dihitung; laporan menyebutnya di halaman pertama.",
            "{n} problems in the counted records; the report says so on its first page.",
        ),
        "no_forge": (
            "catatan: perubahan yang ditutup tidak dapat dibaca ({error}); bagian itu kosong",
            "note: closed changes cannot be read ({error}); that section is empty",
        ),
    }
)


def _policy(repo: Repo):  # type: ignore[no-untyped-def]

    if repo.rev_parse("refs/heads/main"):
        return policy_at(lambda path: repo.show_file("refs/heads/main", path))
    tree = repo.work_tree or repo.git_dir

    def read(path: str) -> str | None:
        file = Path(tree) / path
        return file.read_text(encoding="utf-8") if file.is_file() else None

    return policy_at(read)


def _write(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Each file whole or not at all: written beside, then renamed into place."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, folder / name)
        written.append(folder / name)
    return written


@click.command(help=MSG("help"))
@click.option("--month", default=None, help=MSG("month"))
@click.option("--year", default=None, help=MSG("year"))
@click.option("--from", "start", default=None, help=MSG("from"))
@click.option("--to", "end", default=None, help=MSG("to"))
@click.option("--output", type=click.Path(path_type=Path), default=None, help=MSG("output"))
@click.option("--format", "formats", multiple=True, default=("pdf", "html", "csv", "xlsx"),
              type=click.Choice(["pdf", "html", "csv", "xlsx"]), help=MSG("format"))  # fmt: skip
@click.option("--repo", "repo_path", type=click.Path(path_type=Path), default=None,
              help=MSG("repo"))  # fmt: skip
def command(
    month: str | None,
    year: str | None,
    start: str | None,
    end: str | None,
    output: Path | None,
    formats: tuple[str, ...],
    repo_path: Path | None,
) -> None:
    period = parse_period(month, year, start, end)
    repo = Repo(repo_path) if repo_path else Repo.discover(Path.cwd())
    settings = repo_settings(repo)
    sop, roles = _policy(repo)
    forge = None
    try:
        forge = open_forge(repo.work_tree or repo.git_dir, settings)
    except TerbitError as error:
        click.echo(MSG("no_forge", error=str(error)), err=True)
    # start-up: `terbit --help` loads this module; the charts (pygal) add 0.3 s.
    from pipeline.compliance.compose import make_report

    made = make_report(repo, settings=settings, sop=sop, roles=roles, period=period,
                       forge=forge, formats=formats)  # fmt: skip
    if made.closed_note:
        click.echo(MSG("no_forge", error=made.closed_note), err=True)
    root = repo.work_tree or Path.cwd()
    folder = output or (root / settings.report.path / period.slug)
    report = made.report
    click.echo(MSG("counted", n=len(report.figures.records), period=period.label,
                   nomor=report.nomor))  # fmt: skip
    for path in _write(folder, made.files):
        click.echo(MSG("wrote", path=path))
    if made.problems:
        for problem in made.problems:
            click.echo(str(problem), err=True)
        click.echo(MSG("verify_bad", n=len(made.problems)), err=True)
        raise SystemExit(1)
    click.echo(MSG("verify_ok"))
