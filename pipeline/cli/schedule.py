"""``terbit schedule``: the embedded server's scheduler for scheduled publication (``publish_at``).

A long-running service (systemd unit in docs/publish.md): a round at start, which publishes
what a stopped server missed (the record says how late), then one round every ``--interval``
seconds. Each round is ``terbit publish --due``.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from pipeline.cli.options import lang_option, options_metavar
from pipeline.cli.publish import refuse_clone, report_round
from pipeline.i18n import Catalog
from pipeline.publication.merges import repo_settings
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "help": (
            "Penjadwal di server: setiap INTERVAL detik terbitkan draf yang waktu terbitnya "
            "(publish_at) sudah tiba; putaran pertama langsung saat mulai (yang terlewat saat "
            "server mati diterbitkan dan dicatat terlambat).",
            "The server's scheduler: every INTERVAL seconds publish the drafts whose publication "
            "time (publish_at) has come; the first round runs at start (what a stopped server "
            "missed is published and recorded as late).",
        ),
        "interval": ("Detik antar putaran (bawaan 60).", "Seconds between rounds (default 60)."),
        "rounds": (
            "Berhenti setelah N putaran (0 = terus berjalan).",
            "Stop after N rounds (0 = run until stopped).",
        ),
        "repo": (
            "Repositori server (bawaan: folder ini).",
            "The server repository (default: this folder).",
        ),
        "round": ("[{at}] putaran penjadwal", "[{at}] scheduler round"),
    }
)


@click.command(name="schedule", help=MSG("help"), options_metavar=options_metavar())
@click.option("--interval", type=click.FloatRange(min=1), default=60.0, help=MSG("interval"))
@click.option("--rounds", type=click.IntRange(min=0), default=0, help=MSG("rounds"))
@click.option("--repo", "repo_path", type=click.Path(path_type=Path), default=None,
              help=MSG("repo"))  # fmt: skip
@lang_option
def command(interval: float, rounds: int, repo_path: Path | None) -> None:
    # start-up: `terbit --help` loads this module; the publication's stages load on the round.
    from pipeline.publication.due import run_schedule
    from pipeline.publication.stages import warm_folder
    from pipeline.render import warm

    repo = Repo(repo_path) if repo_path else Repo.discover(Path.cwd())
    refuse_clone(repo, repo_settings(repo), "--due", "")
    started = time.monotonic()
    # The scheduler is a long-running process: it keeps the warm build process and the
    # publication service up (checked every round), so the publications it and the pushes
    # start build warm.
    services = warm.services(warm_folder(repo))

    def report(ran: bool, results: list) -> None:  # type: ignore[type-arg]
        click.echo(MSG("round", at=time.strftime("%Y-%m-%d %H:%M:%S")))
        report_round(repo, ran, results)
        for service in services:
            service.check()

    for service in services:
        service.check()
    try:
        run_schedule(
            repo.work_tree or repo.git_dir, interval, rounds, report,
            lambda line: click.echo(f"  [{time.monotonic() - started:7.1f} s] {line}", err=True),
        )  # fmt: skip
    finally:
        for service in services:
            service.stop()
