"""Which articles and pages a merge adds, updates or removes, and where they live on the site."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline.draft import withdrawals
from pipeline.draft.frontmatter import parse
from pipeline.errors import TerbitError
from pipeline.vcs import Repo

_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)


@dataclass(frozen=True)
class ArticleFact:
    """An article or page a merge touched: status A (added), M (modified) or D (deleted)."""

    path: str
    status: str
    title: str
    url: str | None
    removed_url: str | None = None  # where a removed article was (checked to be gone)
    # status W (withdrawn through content/withdrawn.yml): why, and the replacement's slug.
    reason: str | None = None
    replacement: str | None = None


def changed_articles(repo: Repo, merge_sha: str, content: str = "content") -> list[ArticleFact]:
    """Markdown files under ``content/`` the merge changed against its first parent."""
    parents = repo.parents(merge_sha)
    base = parents[0] if parents else None
    if base is None:
        return []
    facts = []
    listed = withdrawals.path_in(content)
    for status, path in repo.changed_status(base, merge_sha):
        if path == listed and status != "D":
            facts += withdrawn_articles(repo, base, merge_sha, content)
            continue
        if not path.startswith(f"{content}/") or not path.endswith(".md"):
            continue
        text = repo.show_file(base if status == "D" else merge_sha, path) or ""
        try:
            meta = parse(text, path).meta
        except TerbitError:
            meta = {}
        title = str(meta.get("title") or PurePosixPath(path).stem)
        slug = str(meta.get("slug") or PurePosixPath(path).stem)
        is_page = f"/{content}/pages/" in f"/{path}"
        where = f"{slug}/" if is_page else f"artikel/{slug}/"
        url = None if status == "D" else where
        removed = where if status == "D" else None
        facts.append(
            ArticleFact(path=path, status=status, title=title, url=url, removed_url=removed)
        )
    return facts


def withdrawn_articles(repo: Repo, base: str, merge_sha: str, content: str) -> list[ArticleFact]:
    """The entries the merge added to the withdrawals list, as articles (status W) whose
    address must now be gone: the article's file and title from the merge's tree."""
    listed = withdrawals.path_in(content)
    try:
        before = {w.slug for w in withdrawals.parse(repo.show_file(base, listed) or "", listed)}
        after = withdrawals.parse(repo.show_file(merge_sha, listed) or "", listed)
    except TerbitError:
        return []  # the build says what is wrong with the list, located
    drafts = {
        e.path: e.sha
        for e in repo.tree_entries(merge_sha, f"{content}/").values()
        if e.path.endswith(".md") and not e.path.startswith(f"{content}/pages/")
    }
    texts = repo.blobs(drafts.values())
    sources: dict[str, tuple[str, str]] = {}
    for path, sha in drafts.items():
        try:
            meta = parse(texts.get(sha, b"").decode("utf-8", "replace"), path).meta
        except TerbitError:
            meta = {}
        slug = str(meta.get("slug") or PurePosixPath(path).stem)
        sources[slug] = (path, str(meta.get("title") or slug))
    facts = []
    for entry in after:
        if entry.slug in before:
            continue
        path, title = sources.get(entry.slug, (listed, entry.slug))
        facts.append(
            ArticleFact(
                path=path,
                status="W",
                title=title,
                url=None,
                removed_url=entry.url,
                reason=entry.alasan,
                replacement=entry.ganti,
            )
        )
    return facts


def locate(site_dir: Path, fact: ArticleFact) -> str | None:
    """The site-relative URL of ``fact`` in a built site (by its expected path, else its title)."""
    if fact.url is None:
        return None
    if (site_dir / fact.url / "index.html").is_file():
        return fact.url
    for page in sorted(site_dir.glob("**/index.html")):
        found = _TITLE.search(page.read_text(encoding="utf-8", errors="replace")[:4000])
        if found and fact.title in found.group(1):
            return page.parent.relative_to(site_dir).as_posix() + "/"
    return None


def absolute(base_url: str, relative: str) -> str:
    return base_url.rstrip("/") + "/" + relative.lstrip("/")
