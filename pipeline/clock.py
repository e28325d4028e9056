"""The clock every record uses: real time, or ``TERBIT_NOW`` (the demo's simulated office day).

One clock for the forge, the gate, the notice and the completion record, so a simulated day
stays consistent across all of them.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from pipeline.errors import ConfigError
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "bad_now": (
            "TERBIT_NOW '{value}' bukan waktu ISO (contoh 2026-11-28T08:00:00+07:00)",
            "TERBIT_NOW '{value}' is not an ISO time (e.g. 2026-11-28T08:00:00+07:00)",
        ),
    }
)


def now() -> datetime:
    """Now in UTC, to the second; ``TERBIT_NOW`` (ISO 8601) overrides it."""
    value = os.environ.get("TERBIT_NOW")
    if not value:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(MSG("bad_now", value=value)) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
