"""The content model: which repository paths a change may add or modify without the head.

Drafts (Markdown) and images of the allowed raster types under the content folder are what
the office's staff write; every other path is configuration, code or theme and needs the
approval of the head's role (``sop.yml`` ``protected.role``) on the head commit. The same
rule holds on the embedded forge's server, in the gate and in GitHub mode.
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath
from typing import Literal

DRAFT_SUFFIXES = frozenset({".md", ".markdown"})
# Raster images only: an SVG can carry script, and any other type is not an image at all.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})

Role = Literal["draft", "image", "other"]


def role_of(path: str, content_path: str = "content") -> Role:
    """``draft`` / ``image`` for the content model, ``other`` for everything else."""
    folder = content_path.strip("/") + "/"
    if not path.startswith(folder) or ".." in path.split("/"):
        return "other"
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in DRAFT_SUFFIXES:
        return "draft"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    return "other"


def in_model(path: str, content_path: str = "content") -> bool:
    return role_of(path, content_path) != "other"


def bad_name_char(name: str) -> str | None:
    """The first character that may not appear in a file name: control characters (a newline
    breaks every line-based tool and the record), and bytes that were not UTF-8 (read with
    ``surrogateescape``). None when the name is fine."""
    if name.isprintable():  # no Cc or Cs character then: one call in C for most names
        return None
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cs"):
            return char
    return None


def shown_name(name: str) -> str:
    """A file name printable on one line: control characters and stray bytes escaped."""
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(char) in ("Cc", "Cs"):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)
