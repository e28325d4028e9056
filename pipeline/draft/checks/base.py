"""What every check shares: a located finding, the draft under check, the repository context."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pipeline.config.settings import ContentSettings
from pipeline.draft.frontmatter import Parsed
from pipeline.draft.model import Kind

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem: ``path:line: message``; ``code`` is stable for machines."""

    path: str
    line: int | None
    code: str
    message: str
    severity: Severity = "error"
    # A warning that depends on the clock holds until then (a reader keeping it knows when to
    # check again); None: it holds while the draft is the same.
    until: datetime | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class Listing:
    """The files of a tree that is not on disk (what a change lands, read from Git's objects):
    what a draft's links and images may point to. Only regular files with sound names."""

    files: Mapping[str, int]  # path from the repository's root → size in bytes
    folders: frozenset[str]  # every folder holding one of them

    @classmethod
    def of(cls, files: Mapping[str, int]) -> Listing:
        folders: set[str] = set()
        for path in files:
            parts = path.split("/")[:-1]
            folders.update("/".join(parts[:n]) for n in range(1, len(parts) + 1))
        return cls(files, frozenset(folders))


@dataclass(frozen=True)
class Context:
    root: Path  # the repository, absolute and resolved
    content: Path  # root / content.path
    settings: ContentSettings
    people: set[str] | None  # person ids from roles.yml; None when there is none
    # Last path segments a site-absolute "/….html" link may end in (slugs, categories, tags…).
    known_pages: frozenset[str] = frozenset()
    timezone: str = "Asia/Jakarta"  # site.timezone: dates without a zone are office time
    # The landed tree when only the drafts under check are on disk (links are looked up here).
    listing: Listing | None = None

    def rel(self, path: Path) -> str:
        """How a path is printed: relative to the repository, with forward slashes."""
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


@dataclass
class Draft:
    path: Path  # absolute, symlinks not resolved
    rel: str
    kind: Kind
    text: str | None = None
    parsed: Parsed | None = None
    meta: Any = None  # the validated model, when the front matter is valid
    raw: dict[str, Any] = field(default_factory=dict)  # the front matter as written
    yaml_ok: bool = False  # the front matter parsed (its slug counts for duplicates)

    def find(self, line: int | None, code: str, message: str) -> Finding:
        return Finding(self.rel, line, code, message)


def real_path(path: Path) -> Path | None:
    """``path`` with every symlink followed; None for a loop or an unreadable link."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def inside(path: Path, folder: Path) -> bool:
    """Lexically inside ``folder`` (both absolute, ``..`` already collapsed)."""
    return path == folder or folder in path.parents
