"""Split a draft into YAML front matter and Markdown body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.config import yamlsrc
from pipeline.errors import InputError
from pipeline.i18n import Catalog

FENCE = "---"
# Front matter is a dozen short fields. Caps far above that keep PyYAML (whose scanner slows
# down quadratically with nesting) from being handed something built to stall it.
MAX_FRONT_MATTER = 64 * 1024

MSG = Catalog(
    {
        "no_front_matter": (
            "berkas tidak diawali front matter '---'; tambahkan blok YAML (title, date, …) di atas",
            "the file does not start with '---' front matter; add a YAML block (title, date, …)",
        ),
        "unclosed": (
            "front matter dibuka dengan '---' tetapi tidak pernah ditutup; tambahkan baris '---'",
            "front matter opened with '---' is never closed; add a '---' line after it",
        ),
        "fm_too_big": (
            "front matter terlalu besar ({size} KB, maksimum {limit} KB)",
            "front matter too large ({size} KB, at most {limit} KB)",
        ),
        "not_mapping": (
            "front matter harus berupa pemetaan kunci: nilai",
            "front matter must be a mapping of key: value",
        ),
    }
)


@dataclass(frozen=True)
class Parsed:
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line where the body starts
    doc: yamlsrc.Doc  # for line_of(("field",)) lookups


def split(text: str, path: str) -> tuple[str, str, int]:
    """Return ``(yaml_text, body, body_line)``; raise InputError when the fences are wrong."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != FENCE:
        raise InputError(MSG("no_front_matter"), path=path, line=1)
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() in (FENCE, "..."):
            yaml_text = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return yaml_text, body, index + 2
    raise InputError(MSG("unclosed"), path=path, line=1)


def _guard(yaml_text: str, path: str) -> None:
    """Refuse oversized front matter before the YAML parser sees it (yamlsrc caps depth)."""
    size = len(yaml_text.encode("utf-8", "replace"))
    if size > MAX_FRONT_MATTER:
        limit = MAX_FRONT_MATTER // 1024
        raise InputError(MSG("fm_too_big", size=size // 1024, limit=limit), path=path, line=2)


def parse(text: str, path: str) -> Parsed:
    """Parse front matter (safe YAML, aliases refused) with lines relative to the whole file."""
    yaml_text, body, body_line = split(text, path)
    _guard(yaml_text, path)
    doc = yamlsrc.load(yaml_text, path, line_offset=1, error=InputError)
    if doc.data is None:
        doc.data = {}
    if not isinstance(doc.data, dict):
        raise InputError(MSG("not_mapping"), path=path, line=2)
    return Parsed(meta=doc.data, body=body, body_line=body_line, doc=doc)
