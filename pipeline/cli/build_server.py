"""``terbit build-server``: the server's warm build process (``render.warm``) as a service of
its own (systemd unit in docs/publish.md), for a server without ``terbit web`` or
``terbit schedule``, which keep it up themselves."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

import click

from pipeline.cli.options import lang_option, options_metavar
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

CHECK_S = 2.0  # a killed or stale worker is started again within this many seconds

MSG = Catalog(
    {
        "help": (
            "Proses build hangat server: publikasi dibangun di proses yang sudah memuat Pelican "
            "dan kode build (lebih cepat); dimulai ulang bila mati atau kodenya berubah. "
            "terbit web dan terbit schedule sudah menjalankannya sendiri.",
            "The server's warm build process: publications are built in a process that has "
            "Pelican and the build code loaded (faster); started again when it stops or its "
            "code changes. terbit web and terbit schedule already run it themselves.",
        ),
        "repo": (
            "Repositori server (bawaan: folder ini).",
            "The server repository (default: this folder).",
        ),
        "serving": (
            "Proses build hangat untuk {repo} (soket {socket}); Ctrl-C untuk berhenti.",
            "Warm build process for {repo} (socket {socket}); Ctrl-C to stop.",
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
    service = warm.Service(folder)
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(MSG("serving", repo=repo.git_dir, socket=folder / warm.SOCKET))
    try:
        while not stopping.is_set():
            service.check()
            stopping.wait(CHECK_S)
    finally:
        service.stop()
