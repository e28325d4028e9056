"""Keep executable script from drafts off the built site.

Every article and page body goes through ``pipeline.draft.sanitize`` (nh3) once Markdown has
rendered it; what was removed is logged with the file, so the build says what it changed. Its
tables are then put in keyboard-reachable scrolling regions (``tables.py``).
(Static SVG files never get here: the content model refuses them, as they can carry script.)
"""

from __future__ import annotations

import logging
from typing import Any

from pelican import signals
from pelican.contents import Static

from pipeline.draft.sanitize import sanitize
from pipeline.i18n import Catalog
from pipeline.render.plugins.tables import scrollable_tables

log = logging.getLogger(__name__)

MSG = Catalog(
    {
        "removed": (
            "%s: isi HTML yang tidak aman dibuang: %s",
            "%s: unsafe HTML removed: %s",
        ),
    }
)


def iframe_hosts(settings: dict[str, Any]) -> list[str]:
    return list(settings.get("TERBIT_IFRAME_HOSTS") or [])


def clean_content(instance: Any) -> None:
    """``content_object_init``: sanitise the rendered body of an article or page."""
    if isinstance(instance, Static) or not isinstance(getattr(instance, "_content", None), str):
        return
    result = sanitize(instance._content, iframe_hosts=iframe_hosts(instance.settings))
    # After the sanitiser, which would drop the wrapper's role/tabindex from a draft.
    lang = "en" if str(instance.settings.get("DEFAULT_LANG", "id")).startswith("en") else "id"
    instance._content = scrollable_tables(result.html, lang)
    if result.removed:
        log.warning(MSG("removed"), instance.relative_source_path or "?", ", ".join(result.removed))


def register() -> None:
    signals.content_object_init.connect(clean_content)
