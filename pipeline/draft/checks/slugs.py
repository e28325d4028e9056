"""Duplicate slugs: two drafts of one kind and language would be written to the same URL."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pipeline.config.yamlsrc import Doc
from pipeline.draft.checks.base import Finding
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "duplicate": (
            "slug '{slug}' juga dipakai oleh {other}; kedua halaman akan saling menimpa",
            "slug '{slug}' is also used by {other}; the two pages would overwrite each other",
        ),
    }
)


@dataclass(frozen=True)
class SlugEntry:
    rel: str
    kind: str
    slug: str
    lang: str
    line: int | None  # the slug field, else the title, else the file's start


@dataclass(frozen=True)
class SlugFacts:
    """What a draft's front matter says of its URL, whatever its file is called (the same
    bytes give the same facts, so they can be kept by blob)."""

    slug: str | None  # the ``slug`` field as written; None: the file name gives the slug
    lang: str
    line: int | None  # the slug field, else the title


def facts(doc: Doc | None) -> SlugFacts:
    data: dict[str, Any] = doc.data if doc and isinstance(doc.data, dict) else {}
    slug = data.get("slug")
    field = "slug" if isinstance(slug, str) and slug.strip() else "title"
    lang = data.get("lang") if isinstance(data.get("lang"), str) else ""
    line = doc.line_of((field,)) if doc else None
    return SlugFacts(slug if field == "slug" else None, str(lang), line)


def placed(rel: str, kind: str, known: SlugFacts) -> SlugEntry:
    """The slug entry of a draft at ``rel`` with these facts."""
    slug = _stem(rel) if known.slug is None else known.slug
    return SlugEntry(rel, kind, slug.strip().lower(), known.lang, known.line or 1)


def _stem(rel: str) -> str:
    """``PurePosixPath(rel).stem`` without building a path (once per draft of the site)."""
    name = rel.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def entry(rel: str, kind: str, doc: Doc | None) -> SlugEntry:
    return placed(rel, kind, facts(doc))


def duplicates(entries: list[SlugEntry], checked: set[str]) -> list[Finding]:
    """A finding on every checked draft whose slug another draft already uses."""
    groups: dict[tuple[str, str, str], list[SlugEntry]] = defaultdict(list)
    for item in entries:
        groups[(item.kind, item.slug, item.lang)].append(item)
    findings = []
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda e: e.rel)
        for item in group:
            if item.rel not in checked:
                continue
            other = next(e for e in group if e.rel != item.rel)
            message = MSG("duplicate", slug=item.slug, other=f"{other.rel}:{other.line}")
            findings.append(Finding(item.rel, item.line, "duplicate_slug", message))
    return findings
