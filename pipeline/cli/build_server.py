"""``terbit build-server``: the server's warm build process (``render.warm``) and the
publication service (``hooks.publisher``) as a service of their own (systemd unit in
docs/publish.md), for a server without ``terbit web`` or ``terbit schedule``, which keep them up
themselves."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

import click

from pipeline.cli.options import lang_option, options_metavar
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

CHECK_S = 2.0  # a killed or stale process is started again within this many seconds

MSG = Catalog(
    {
        "help": (
            "Proses build hangat dan layanan publikasi server: publikasi berjalan di proses yang "
            "sudah memuat kodenya dan Chromium, dan dibangun di proses yang sudah memuat Pelican "
            "(lebih cepat); dimulai ulang bila mati atau kodenya berubah. terbit web dan terbit "
            "schedule sudah menjalankannya sendiri.",
            "The server's warm build process and publication service: publications run in a "
            "process that has their code and Chromium loaded, and build in one that has Pelican "
            "loaded (faster); started again when they stop or their code changes. terbit web "
            "and terbit schedule already run them themselves.",
        ),
        "repo": (
            "Repositori server (bawaan: folder ini).",
            "The server repository (default: this folder).",
        ),
        "serving": (
            "Proses build hangat dan layanan publikasi untuk {repo} (soket {socket} dan "
            "{publisher}); Ctrl-C untuk berhenti.",
            "Warm build process and publication service for {repo} (sockets {socket} and "
            "{publisher}); Ctrl-C to stop.",
        ),
    }
)


@click.command(name="build-server", help=MSG("help"), options_metavar=options_metavar())
@click.option("--repo", "repo_path", type=click.Path(path_type=Path), default=None,
              help=MSG("repo"))  # fmt: skip
@lang_option
def command(repo_path: Path | None) -> None:
    # start-up: `terbit --help` loads this module; the publication's code loads when it runs.
    from pipeline.publication.stages import warm_folder
    from pipeline.render import warm

    repo = Repo(repo_path) if repo_path else Repo.discover(Path.cwd())
    folder = warm_folder(repo)
    # Both, even with TERBIT_WARM=off: this command exists to run them.
    services = [warm.Service(folder), warm.publisher(folder)]
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(MSG("serving", repo=repo.git_dir, socket=folder / warm.SOCKET,
                   publisher=folder / warm.PUBLISHER_SOCKET))  # fmt: skip
    try:
        while not stopping.is_set():
            for service in services:
                service.check()
            stopping.wait(CHECK_S)
    finally:
        for service in services:
            service.stop()
