"""Each person's notification setting, kept on the server beside the repository's other state
(``<server>/terbit/notify/people.json``, never committed). On unless the person turned it off;
``TERBIT_NOTIFY=off`` switches every notification off (the test suite does so)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

FOLDER = "terbit/notify"


def notify_dir(server: Path) -> Path:
    return server / FOLDER


def switched_off() -> bool:
    return os.environ.get("TERBIT_NOTIFY", "").strip().lower() == "off"


class Choices:
    """Who turned e-mail off (everyone else gets it)."""

    def __init__(self, server: Path) -> None:
        self.path = notify_dir(server) / "people.json"

    def _read(self) -> dict[str, bool]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return (
            {str(k): v for k, v in data.items() if isinstance(v, bool)}
            if isinstance(data, dict)
            else {}
        )

    def wants(self, person_id: str) -> bool:
        return self._read().get(person_id, True)

    def set(self, person_id: str, on: bool) -> None:
        data = self._read()
        data[person_id] = on
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".people-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, sort_keys=True)
        os.replace(temp, self.path)
