"""``terbit serve``: preview the built site on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.config.settings import load_settings
from pipeline.errors import ConfigError
from pipeline.i18n import Catalog
from pipeline.render.serve import make_server, url_of

MSG = Catalog(
    {
        "help": (
            "Tampilkan situs hasil build di 127.0.0.1 (hanya komputer ini). Ctrl-C untuk berhenti.",
            "Serve the built site on 127.0.0.1 (this computer only). Ctrl-C stops.",
        ),
        "port": ("Nomor port (0 = pilih yang bebas).", "Port number (0 = any free port)."),
        "output": ("Folder situs (bawaan: build.output).", "Site folder (default: build.output)."),
        "missing": (
            "folder situs belum ada; jalankan 'terbit build' dulu",
            "the site folder does not exist; run 'terbit build' first",
        ),
        "port_busy": (
            "port {port} tidak dapat dipakai: {error}",
            "cannot use port {port}: {error}",
        ),
        "serving": (
            "Situs tersedia di {url} (Ctrl-C untuk berhenti)",
            "Site at {url} (Ctrl-C stops)",
        ),
        "stopped": ("Server dihentikan.", "Server stopped."),
    }
)


@click.command(help=MSG("help"))
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help=MSG("port")
)
@click.option("--output", type=click.Path(path_type=Path), default=None, help=MSG("output"))
def command(port: int, output: Path | None) -> None:
    root = Path.cwd()
    folder = output or root / load_settings(root).build.output
    if not folder.is_dir():
        raise ConfigError(MSG("missing"), path=str(folder))
    try:
        server = make_server(folder, port)
    except OSError as error:
        raise ConfigError(MSG("port_busy", port=port, error=error.strerror)) from None
    click.echo(MSG("serving", url=url_of(server)))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo(MSG("stopped"))
    finally:
        server.server_close()
