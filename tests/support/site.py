"""Build a site with the project's pelicanconf.py through Pelican's Python API (for tests/site).

Kept out of conftest.py (with the static-file handler) so test modules can import it by a name
no other test folder uses.
"""

from __future__ import annotations

import http.server
import logging
from dataclasses import dataclass, field
from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
CONF = REPO_ROOT / "pelicanconf.py"


@dataclass
class BuiltSite:
    output: Path
    url: str = ""
    warnings: list[str] = field(default_factory=list)

    def read(self, path: str) -> str:
        return (self.output / path).read_text(encoding="utf-8")


def build_site(output: Path, conf: Path = CONF, **override: object) -> BuiltSite:
    """Build with the project's pelicanconf.py (or another conf) through Pelican's Python API."""
    settings = read_settings(str(conf), override={"OUTPUT_PATH": str(output), **override})
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                records.append(record.getMessage())

    handler = Keep()
    plugin_log = logging.getLogger("pipeline.render.plugins")
    plugin_log.addHandler(handler)
    try:
        Pelican(settings).run()
    finally:
        plugin_log.removeHandler(handler)
    return BuiltSite(output=output, warnings=records)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; a missing path gets the site's 404.html, as web servers are set up to."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
