"""Characters and shapes that pass Markdown but break what comes after it.

- A stray control character (U+0001–U+001F other than tab, LF and CR, pasted from Word or a
  PDF) anywhere in a draft: the feeds refuse it and the whole site's build would fail.
- A control character in a text field (title, summary, tags, captions, alt): a CR/LF in a
  title breaks the notice e-mail and the record after deployment.
- An absurd flood of unclosed or nested brackets: Markdown's link parsing takes time that
  grows with the square of their count (30,000 ``[`` held the publish lock for minutes).
"""

from __future__ import annotations

from typing import Any

from pipeline.draft.checks.base import Context, Draft, Finding
from pipeline.draft.controls import FIELD_CONTROL, TEXT_CONTROL
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "stray": (
            "karakter kendali U+{code:04X} di kolom {column} (biasanya tersalin dari Word atau "
            "PDF); hapus karakter ini",
            "control character U+{code:04X} in column {column} (usually pasted from Word or "
            "a PDF); remove it",
        ),
        "field": (
            "'{field}' berisi karakter kendali U+{code:04X} (mis. baris baru); tulis sebagai "
            "teks satu baris",
            "'{field}' contains the control character U+{code:04X} (e.g. a line break); write "
            "it as one line of text",
        ),
        "brackets": (
            "terlalu banyak kurung siku '[' yang bersarang atau tidak ditutup ({count}, "
            "maksimum {limit}); pembangunan situs akan sangat lambat",
            "too many nested or unclosed '[' brackets ({count}, at most {limit}); the site's "
            "build would be very slow",
        ),
    }
)

# A summary may be a YAML block (``summary: >``) whose text ends in a line break.
MULTILINE_FIELDS = {"summary"}
TEXT_FIELDS = ("title", "summary", "category", "author", "slug", "nota_dinas", "lang")
# Far beyond any real article (a few links per paragraph), far below the quadratic cliff.
MAX_OPEN_BRACKETS = 200
MAX_STRAY_SHOWN = 5  # one pasted paragraph can hold hundreds; the first few locate it


def check_stray_controls(ctx: Context, draft: Draft) -> list[Finding]:
    """Every stray control character with its line and column (the first few)."""
    text = draft.text or ""
    findings = []
    for match in TEXT_CONTROL.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        line = text.count("\n", 0, match.start()) + 1
        message = MSG("stray", code=ord(match.group()), column=match.start() - start + 1)
        findings.append(draft.find(line, "control_char", message))
        if len(findings) == MAX_STRAY_SHOWN:
            break
    return findings


def _values(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str, str]]:
    """``(where, field name, text)`` of every text field of the front matter."""
    found: list[tuple[tuple[str | int, ...], str, str]] = []
    for key in TEXT_FIELDS:
        if isinstance(data.get(key), str):
            found.append(((key,), key, data[key]))
    for key in ("tags", "public_contacts"):
        items = data.get(key)
        if isinstance(items, list):
            found += [((key, i), key, v) for i, v in enumerate(items) if isinstance(v, str)]
    images = data.get("images")
    if isinstance(images, list):
        for i, image in enumerate(images):
            if isinstance(image, dict):
                for key in ("src", "alt", "caption"):
                    if isinstance(image.get(key), str):
                        found.append((("images", i, key), f"images.{key}", image[key]))
    return found


def check_field_controls(ctx: Context, draft: Draft) -> list[Finding]:
    """Control characters inside the front matter's text fields (written as YAML escapes)."""
    if draft.parsed is None or not isinstance(draft.raw, dict):
        return []
    findings = []
    for where, name, value in _values(draft.raw):
        text = value.strip()
        if name in MULTILINE_FIELDS:
            text = text.replace("\n", " ")
        bad = FIELD_CONTROL.search(text)
        if bad:
            line = draft.parsed.doc.line_of(where) or 1
            message = MSG("field", field=name, code=ord(bad.group()))
            findings.append(draft.find(line, "control_char_field", message))
    return findings


def bracket_flood(draft: Draft) -> Finding | None:
    """The line where unclosed or nested ``[`` of the body first pass the limit, when they do
    (the front matter has its own depth guard)."""
    if draft.parsed is None:
        return None
    text = draft.parsed.body
    if text.count("[") <= MAX_OPEN_BRACKETS:
        return None
    depth = 0
    for index, char in enumerate(text):
        if char == "[":
            depth += 1
            if depth > MAX_OPEN_BRACKETS:
                line = draft.parsed.body_line + text.count("\n", 0, index)
                count = depth + text.count("[", index + 1) - text.count("]", index + 1)
                message = MSG("brackets", count=max(count, depth), limit=MAX_OPEN_BRACKETS)
                return draft.find(line, "brackets", message)
        elif char == "]" and depth:
            depth -= 1
    return None
