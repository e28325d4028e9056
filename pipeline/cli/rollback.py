"""``terbit rollback``: make an earlier release live again (one atomic switch), recorded."""

from __future__ import annotations

import time
from pathlib import Path

import click

from pipeline.deploy import open_target
from pipeline.i18n import Catalog
from pipeline.publication.merges import repo_settings
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "help": (
            "Kembalikan situs ke RILIS (bawaan: rilis sebelum yang aktif). Perpindahan terjadi "
            "sekaligus dan dicatat di log deploy.",
            "Switch the site back to RELEASE (default: the one before the live release). The "
            "switch is atomic and written to the deploy log.",
        ),
        "list": ("Tampilkan rilis yang tersimpan.", "List the kept releases."),
        "repo": ("Repositori (bawaan: folder ini).", "Repository (default: this folder)."),
        "done": (
            "Rilis aktif sekarang: {release} (sebelumnya {previous}); {ms:.0f} ms.",
            "Live release is now {release} (was {previous}); {ms:.0f} ms.",
        ),
        "row": ("{mark} {id}", "{mark} {id}"),
    }
)


@click.command(help=MSG("help"))
@click.argument("release", required=False)
@click.option("--list", "show", is_flag=True, help=MSG("list"))
@click.option("--repo", "repo_path", type=click.Path(path_type=Path), default=None,
              help=MSG("repo"))  # fmt: skip
def command(release: str | None, show: bool, repo_path: Path | None) -> None:
    repo = Repo(repo_path) if repo_path else Repo.discover(Path.cwd())
    target = open_target(repo.work_tree or repo.git_dir, repo_settings(repo))
    live = target.current()
    if show:
        for kept in target.releases():
            mark = "*" if live and kept.id == live.id else " "
            click.echo(MSG("row", mark=mark, id=kept.id))
        return
    started = time.perf_counter()
    chosen = target.rollback(release)
    elapsed = (time.perf_counter() - started) * 1000
    click.echo(MSG("done", release=chosen.id, previous=live.id if live else "-", ms=elapsed))
