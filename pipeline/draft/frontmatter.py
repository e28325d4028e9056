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
MAX_DEPTH = 32
MAX_INDENT = 96

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
        "too_deep": (
            "YAML bersarang terlalu dalam; front matter cukup beberapa tingkat",
            "YAML nested too deeply; front matter needs only a few levels",
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
    """Refuse oversized or deeply nested front matter before the YAML parser sees it."""
    size = len(yaml_text.encode("utf-8", "replace"))
    if size > MAX_FRONT_MATTER:
        limit = MAX_FRONT_MATTER // 1024
        raise InputError(MSG("fm_too_big", size=size // 1024, limit=limit), path=path, line=2)
    depth = 0
    for number, line in enumerate(yaml_text.splitlines(), start=2):
        if len(line) - len(line.lstrip(" ")) > MAX_INDENT:
            raise InputError(MSG("too_deep"), path=path, line=number)
        # Counting brackets inside quotes too only errs towards refusing absurd input.
        for char in line:
            if char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise InputError(MSG("too_deep"), path=path, line=number)
            elif char in "]}":
                depth = max(0, depth - 1)


def parse(text: str, path: str) -> Parsed:
    """Parse front matter (safe YAML, aliases refused) with lines relative to the whole file."""
    yaml_text, body, body_line = split(text, path)
    _guard(yaml_text, path)
    try:
        doc = yamlsrc.load(yaml_text, path, line_offset=1, error=InputError)
    except RecursionError:
        raise InputError(MSG("too_deep"), path=path, line=2) from None
    if doc.data is None:
        doc.data = {}
    if not isinstance(doc.data, dict):
        raise InputError(MSG("not_mapping"), path=path, line=2)
    return Parsed(meta=doc.data, body=body, body_line=body_line, doc=doc)
