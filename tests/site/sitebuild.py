"""Build a site with the project's pelicanconf.py through Pelican's Python API (for tests/site).

Kept out of conftest.py so test modules can import it by a name no other test folder uses.
"""

from __future__ import annotations

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


def build_site(output: Path, **override: object) -> BuiltSite:
    """Build with the project's pelicanconf.py through Pelican's Python API."""
    settings = read_settings(str(CONF), override={"OUTPUT_PATH": str(output), **override})
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                records.append(record.getMessage())

    handler = Keep()
    plugin_log = logging.getLogger("pipeline.build.plugins")
    plugin_log.addHandler(handler)
    try:
        Pelican(settings).run()
    finally:
        plugin_log.removeHandler(handler)
    return BuiltSite(output=output, warnings=records)
