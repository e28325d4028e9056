"""Keep executable script from drafts off the built site.

Every article and page body goes through ``pipeline.draft.sanitize`` (nh3) once Markdown has
rendered it; what was removed is logged with the file, so the build says what it changed.
SVG files are documents a browser runs scripts in when opened directly, so a static SVG that
carries script, event handlers, ``javascript:`` links or foreign HTML is left out of the output.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.contents import Static

from pipeline.i18n import Catalog

log = logging.getLogger(__name__)

MSG = Catalog(
    {
        "removed": (
            "%s: isi HTML yang tidak aman dibuang: %s",
            "%s: unsafe HTML removed: %s",
        ),
        "svg": (
            "%s: berkas SVG berisi skrip atau tautan aktif, tidak ikut diterbitkan",
            "%s: SVG file carries script or active links, left out of the site",
        ),
    }
)

SVG_BANNED = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}


def iframe_hosts(settings: dict[str, Any]) -> list[str]:
    return list(settings.get("TERBIT_IFRAME_HOSTS") or [])


def clean_content(instance: Any) -> None:
    """``content_object_init``: sanitise the rendered body of an article or page."""
    if isinstance(instance, Static) or not isinstance(getattr(instance, "_content", None), str):
        return
    # Imported here so a missing sanitiser fails the build instead of silently skipping it.
    from pipeline.draft.sanitize import sanitize

    result = sanitize(instance._content, iframe_hosts=iframe_hosts(instance.settings))
    instance._content = result.html
    if result.removed:
        log.warning(MSG("removed"), instance.relative_source_path or "?", ", ".join(result.removed))


def svg_is_active(path: Path) -> bool:
    """True when the SVG could run script if opened (or cannot be read safely)."""
    try:
        root = ET.parse(path).getroot()  # expat refuses external entities and entity bombs
    except (ET.ParseError, OSError, ValueError):
        return True
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in SVG_BANNED:
            return True
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            compact = "".join(ch for ch in value if ch > " ").lower()
            if local.startswith("on") or (
                local == "href" and compact.startswith(("javascript:", "data:", "vbscript:"))
            ):
                return True
    return False


def drop_active_svgs(generator: Any) -> None:
    """``static_generator_finalized``: never copy an SVG that could run script."""
    kept = []
    for static in generator.staticfiles:
        if static.source_path.lower().endswith(".svg") and svg_is_active(Path(static.source_path)):
            log.warning(MSG("svg"), static.relative_source_path)
            continue
        kept.append(static)
    generator.staticfiles = kept
    generator.context["staticfiles"] = kept  # what generate_output actually copies


def register() -> None:
    signals.content_object_init.connect(clean_content)
    signals.static_generator_finalized.connect(drop_active_svgs)
