"""``terbit gate CHANGE``: may this change be merged? One line per SOP step, then the verdict."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.options import options_metavar
from pipeline.clock import now
from pipeline.config.settings import load_settings
from pipeline.forge import open_forge
from pipeline.forge.local.rules.policy import page_check_required
from pipeline.forge.local.store.forge import LocalForge
from pipeline.gate import evaluate, policy_at, policy_ref, render
from pipeline.gate.drafts import draft_checks
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "help": (
            "Periksa apakah perubahan CHANGE memenuhi SOP (gerbang ulasan). Keluar 0 bila lulus, "
            "1 bila belum. SOP dan roles dibaca dari cabang tujuan, bukan dari perubahan.",
            "Check whether change CHANGE satisfies the SOP (the review gate). Exit 0 when it "
            "passes, 1 when not. The SOP and roles come from the target branch, not the change.",
        ),
        "repo_help": (
            "Folder repositori (bawaan: folder ini).",
            "Repository folder (default: here).",
        ),
        "signatures_off": (
            "PERINGATAN: pemeriksaan tanda tangan ulasan DIMATIKAN (forge.signatures: off di "
            "terbit.yml). Siapa pun yang bisa menulis ulasan atas nama orang lain akan dihitung.",
            "WARNING: review signature checks are OFF (forge.signatures: off in terbit.yml). "
            "Anyone able to write a review in someone else's name will be counted.",
        ),
    }
)


@click.command(name="gate", help=MSG("help"), options_metavar=options_metavar())
@click.argument("change_id", metavar="CHANGE")
@click.option(
    "--repo",
    "repo_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help=MSG("repo_help"),
)
def command(change_id: str, repo_path: Path) -> None:
    root = Repo.discover(repo_path).path
    settings = load_settings(root)
    forge = open_forge(root, settings)
    # A clone of the embedded forge first fetches the latest change records from the server.
    forge.sync()
    change = forge.get_change(change_id)
    # The policy of the target branch, never of the change's head.
    sop, roles = policy_at(lambda path: forge.read_file(policy_ref(change), path))
    signatures = forge.signatures_required()
    # GitHub authenticates reviewers itself; only an office that switched checks off is warned.
    if settings.forge.signatures == "off":
        click.secho(MSG("signatures_off"), err=True, fg="red", bold=True)

    checked = draft_checks(forge, change)
    report = evaluate(
        change, sop=sop, roles=roles, signatures_required=signatures, now=now(),
        checks=None if checked is None else checked[0], content_path=settings.content.path,
        page_check=page_check_required(forge, change) if isinstance(forge, LocalForge) else None,
    )  # fmt: skip
    report.notes += checked[1] if checked else []  # warnings (a future date): not blocking
    click.echo(render(report), nl=False)
    if not report.passed:
        raise SystemExit(1)
