"""What a draft under check needs of all the others: their slugs (two drafts must not share a
URL) and the pages the site generates (site-absolute links must land on one).

Read from the content folder for ``terbit check``; given as facts per draft when the checks
run on a change's landed tree (``pipeline.gate.drafts``), where the facts of a blob are kept
between runs: they depend on its bytes only, never on its name or place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from pipeline.draft.checks import files, slugs
from pipeline.draft.checks.base import Context, Draft, Finding
from pipeline.draft.checks.meta import quick_meta
from pipeline.draft.checks.refs import known_pages
from pipeline.draft.model import Kind

# Changes whenever what ``facts_of`` returns for the same bytes could change (this module's
# rules, the YAML parser): facts kept under another version are read again.
FACTS_VERSION = f"1/{yaml.__version__}"


@dataclass(frozen=True)
class DraftFacts:
    """What the other drafts' checks use of one draft's bytes."""

    slug: slugs.SlugFacts
    terms: frozenset[str]  # its category, author and tags: each has a generated page


def terms(data: object) -> set[str]:
    """Category, author and tags of one draft: each has a generated page on the site."""
    if not isinstance(data, dict):
        return set()
    found = {data[k] for k in ("category", "author") if isinstance(data.get(k), str)}
    tags = data.get("tags")
    if isinstance(tags, list):
        found |= {t for t in tags if isinstance(t, str)}
    return found


def facts_of(data: bytes, rel: str) -> DraftFacts | None:
    """The facts of a draft's bytes; None when the bytes are no readable draft (a draft that
    cannot be read is left out of the index, as ``terbit check`` leaves it)."""
    text = files.text_of(data, rel)
    if isinstance(text, Finding):
        return None
    return _facts_of_text(text, rel)


def _facts_of_text(text: str, rel: str) -> DraftFacts | None:
    doc = quick_meta(text, rel)
    if doc is None:
        return None
    return DraftFacts(slugs.facts(doc), frozenset(terms(doc.data)))


def _inner(rel: str, content: str) -> list[str]:
    """The parts of ``rel`` below the content folder (strings, not paths: called per draft of
    the site on every check)."""
    folder = os.path.normpath(content.strip("/") or ".")
    if folder == ".":
        return rel.split("/")
    return rel[len(folder) + 1 :].split("/") if rel.startswith(folder + "/") else []


def indexed(rel: str, content: str) -> bool:
    """Whether the walk of the content folder (``files.discover``) finds this path as a draft:
    a draft suffix, no hidden file or folder below the content folder."""
    inner = _inner(rel, content)
    return (
        bool(inner)
        and not any(p.startswith(".") for p in inner)
        and os.path.splitext(inner[-1])[1].lower() in files.SUFFIXES
    )


def kind_of(rel: str, content: str) -> Kind:
    return "page" if _inner(rel, content)[:1] == ["pages"] else "article"


def index(
    ctx: Context, checked: list[Draft], others: Mapping[str, DraftFacts] | None = None
) -> tuple[list[slugs.SlugEntry], frozenset[str]]:
    """Slugs of every draft in content/ (a new draft is compared with all others) and the last
    URL segments the site generates (for site-absolute links). ``others``: the facts of the
    drafts not on disk, by path from the repository's root (those under check are skipped)."""
    entries = {}
    found: set[str] = set(ctx.settings.categories)
    checked_rels = {d.rel for d in checked}
    for draft in checked:
        if draft.parsed is not None and draft.yaml_ok:
            entries[draft.rel] = slugs.entry(draft.rel, draft.kind, draft.parsed.doc)
            found |= terms(draft.raw)
    if others is None:
        others = _read_others(ctx, checked_rels)
    content = ctx.content.relative_to(ctx.root).as_posix() if others else ""
    for rel, facts in others.items():
        if rel not in checked_rels:
            entries[rel] = slugs.placed(rel, kind_of(rel, content), facts.slug)
            found |= facts.terms
    pages = known_pages({e.slug for e in entries.values()}, found)
    return list(entries.values()), pages


def _read_others(ctx: Context, checked: set[str]) -> dict[str, DraftFacts]:
    others: dict[str, DraftFacts] = {}
    if not ctx.content.is_dir():
        return others
    every, _ = files.discover(ctx, [ctx.content])
    for other in every:
        if other.rel in checked or files.read(ctx, other):
            continue
        if (facts := _facts_of_text(other.text or "", other.rel)) is not None:
            others[other.rel] = facts
    return others
