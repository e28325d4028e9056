"""``terbit check [PATH...]``: validate drafts; one ``path:line: message`` line per problem."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from pipeline.cli.options import lang_option, options_metavar
from pipeline.config.settings import SETTINGS_FILE, load_settings
from pipeline.draft.checks import Report, check_paths
from pipeline.gate.drafts import check_change, hidden_from_review
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "help": (
            "Periksa draf (front matter, gambar, tautan, data pribadi, HTML) sebelum diajukan. "
            "Tanpa PATH: seluruh folder content/.",
            "Check drafts (front matter, images, links, personal data, HTML) before submitting. "
            "Without PATH: the whole content/ folder.",
        ),
        "format_help": (
            "Keluaran: text (bawaan) atau json untuk mesin.",
            "Output: text (default) or json for machines.",
        ),
        "root_help": (
            "Folder repositori (bawaan: yang memuat folder kerja ini).",
            "Repository folder (default: the one containing the working folder).",
        ),
        "change_help": (
            "Periksa berkas yang akan dibawa perubahan BASE..HEAD ke BASE (dari objek Git, tanpa "
            "checkout; kebijakan dari BASE): dipakai server dan alur kerja GitHub.",
            "Check the files that merging HEAD into BASE would land (from Git's objects, no "
            "checkout; policy from BASE): what the server and the GitHub workflow run.",
        ),
        "git_dir_help": (
            "Repositori Git untuk --change (bawaan: --root atau folder kerja ini).",
            "Git repository for --change (default: --root or the working folder).",
        ),
        "clean": (
            "Tidak ada masalah; {checked} berkas diperiksa",
            "No problems; {checked} {checked_word} checked",
        ),
        "warning": ("{finding} [peringatan]", "{finding} [warning]"),
        "warnings": (
            "{count} peringatan: tidak menghalangi, tetapi periksa sebelum diajukan",
            "{count} {warnings}: not blocking, but look at them before submitting",
        ),
        "summary": (
            "{count} masalah di {files} berkas; {checked} berkas diperiksa",
            "{count} {problems} in {files} {files_word}; {checked} {checked_word} checked",
        ),
    }
)


def find_root(start: Path) -> Path:
    """The nearest folder upwards holding terbit.yml or .git; ``start`` when none does."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file() or (folder / ".git").exists():
            return folder
    return start


def _files(n: int) -> str:
    return "file" if n == 1 else "files"


def _print(report: Report, fmt: str) -> None:
    if fmt == "json":
        shown = [f.as_dict() for f in [*report.findings, *report.warnings]]
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    for finding in report.findings:
        click.echo(str(finding))
    for warning in report.warnings:
        click.echo(MSG("warning", finding=warning))
    if report.warnings:
        count = len(report.warnings)
        click.echo(MSG("warnings", count=count, warnings="warning" if count == 1 else "warnings"))
    if report.findings:
        click.echo(
            MSG(
                "summary",
                count=report.count,
                problems="problem" if report.count == 1 else "problems",
                files=report.files_with_problems,
                files_word=_files(report.files_with_problems),
                checked=report.checked,
                checked_word=_files(report.checked),
            )
        )
    else:
        click.echo(MSG("clean", checked=report.checked, checked_word=_files(report.checked)))


@click.command(name="check", help=MSG("help"), options_metavar=options_metavar())
@click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help=MSG("format_help")
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help=MSG("root_help"),
)
@click.option("--change", nargs=2, metavar="BASE HEAD", default=None, help=MSG("change_help"))
@click.option(
    "--git-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help=MSG("git_dir_help"),
)
@lang_option
def command(
    paths: tuple[Path, ...],
    fmt: str,
    root: Path | None,
    change: tuple[str, str] | None,
    git_dir: Path | None,
) -> None:
    if change:
        _check_change(change, git_dir or root or Path(os.getcwd()), fmt)
        return
    repo = root.resolve() if root else find_root(Path(os.getcwd()))
    settings = load_settings(repo)
    report = check_paths(repo, settings, list(paths) or None)
    _print(report, fmt)
    if report.findings:
        raise SystemExit(1)


def _check_change(change: tuple[str, str], where: Path, fmt: str) -> None:
    repo = Repo.discover(where)
    base, head = (repo.rev_parse(rev) or rev for rev in change)
    checked = check_change(repo, base, head)
    findings = checked.findings + hidden_from_review(repo, base, head, checked.landed)
    report = Report(findings, len(checked.landed), warnings=checked.warnings)
    _print(report, fmt)
    if report.findings:
        raise SystemExit(1)
