"""``terbit rollback``: make an earlier release live again (one atomic switch), recorded."""

from __future__ import annotations

import getpass
import time
from pathlib import Path

import click

from pipeline.clock import now
from pipeline.config.roles import ROLES_FILE, load_roles
from pipeline.config.settings import Settings
from pipeline.deploy import open_target
from pipeline.errors import TerbitError
from pipeline.i18n import Catalog
from pipeline.publication.merges import repo_settings
from pipeline.publication.server_key import record_signer
from pipeline.record import rollback as rollback_record
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
        "by": (
            "Siapa yang mengembalikan (id orang di roles.yml; bawaan: nama akun).",
            "Who rolls back (a person id of roles.yml; default: the account name).",
        ),
        "reason": ("Alasan pengembalian (dicatat).", "Why the site is rolled back (recorded)."),
        "recorded": ("Dicatat: {folder} ({sha})", "Recorded: {folder} ({sha})"),
        "not_recorded": (
            "peringatan: rollback tidak tercatat di main: {error}",
            "warning: the rollback is not recorded on main: {error}",
        ),
    }
)


@click.command(help=MSG("help"))
@click.argument("release", required=False)
@click.option("--list", "show", is_flag=True, help=MSG("list"))
@click.option("--repo", "repo_path", type=click.Path(path_type=Path), default=None,
              help=MSG("repo"))  # fmt: skip
@click.option("--oleh", "by", default=None, help=MSG("by"))
@click.option("--alasan", "reason", default="", help=MSG("reason"))
def command(
    release: str | None, show: bool, repo_path: Path | None, by: str | None, reason: str
) -> None:
    repo = Repo(repo_path) if repo_path else Repo.discover(Path.cwd())
    settings = repo_settings(repo)
    target = open_target(repo.work_tree or repo.git_dir, settings)
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
    _record(repo, settings, by or getpass.getuser(), reason, target.name,
            live.id if live else None, chosen.id)  # fmt: skip


def _record(
    repo: Repo, settings: Settings, by: str, reason: str, target: str, frm: str | None, to: str
) -> None:
    """Commit the rollback's record on main (issue 14): the switch is done either way, so a
    record that cannot be written is a warning, never a reason to undo it."""
    if repo.rev_parse("refs/heads/main") is None:
        return
    roles_text = repo.show_file("refs/heads/main", ROLES_FILE)
    person = load_roles(roles_text, ROLES_FILE).get(by) if roles_text else None
    made = rollback_record.make(
        by=by, name=person.name if person else by, at=now(), target=target, from_release=frm,
        to_release=to, reason=reason,
    )  # fmt: skip
    local = settings.forge.kind == "local"
    try:
        sha = rollback_record.commit(
            repo, settings.publish.records_path, made, name=settings.publish.bot_name,
            email=settings.publish.bot_email, signer=record_signer(repo) if local else None,
            remote=None if local or repo.bare else "origin",
        )  # fmt: skip
    except TerbitError as error:
        click.echo(MSG("not_recorded", error=str(error)), err=True)
        return
    folder = f"{settings.publish.records_path.strip('/')}/{rollback_record.FOLDER}/{made.id}"
    click.echo(MSG("recorded", folder=folder, sha=(sha or "-")[:10]))
