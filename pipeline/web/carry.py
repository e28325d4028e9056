"""Which changes read before main moved say the same after it moved, found in a few git calls.

A publication moves main by an article and its record. Reading all open changes again for it
(a merge, a diff and the draft checks each) took minutes at 500 changes, for results that are
the same whenever the publication touched nothing a change reads. A change's result read at
main ``old`` is carried to main ``new`` only when all of these hold:

- ``new`` descends from ``old`` and none of the commits main gained is one of the change's
  own commits: its merge base and its commits are the same;
- main gained no path the change touches since that merge base, and no file where the change
  has a folder or the reverse: merging it lands the same files with the same diffs;
- main gained only paths under the content and records folders: the policy (roles, SOP,
  settings) the signatures and the checks were read with is the same;
- the draft checks read the rest of the content folder only for the other drafts' slugs and
  site pages and whether linked files or folders exist: the change's files and their names
  mention none of the names and slugs of main's touched content, nor link ('/' before it) to
  a site page that came or went (one batched read for every change).

Anything else is read again, as before. Git is read only through ``pipeline.vcs``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from pipeline.draft.checks.meta import quick_meta
from pipeline.draft.checks.refs import known_pages
from pipeline.draft.content_model import role_of
from pipeline.vcs import GitError, Repo

Meta = tuple[str, frozenset[str]]  # a draft's own slug ("" when none) and its terms
Touching = tuple[frozenset[str], frozenset[str], str]  # its commits, the paths it touches, head


@dataclass(frozen=True)
class Moved:
    """What main gained between two tips, as the carrying rules need it."""

    old: str
    new: str
    commits: frozenset[str]
    paths: frozenset[str]
    folders: frozenset[str]  # every folder holding a gained path
    words: frozenset[str]  # names and slugs a change's files must not mention
    pages: frozenset[str]  # site pages that came or went: a change must not link to them
    policy_same: bool


def moved(
    repo: Repo, old: str, new: str, content: str, records: str, metas: dict[str, Meta]
) -> Moved | None:
    """What main gained from ``old`` to ``new`` (None: it did not move forward)."""
    try:
        if not repo.is_ancestor(old, new):
            return None
        commits = frozenset(repo.revs_between(old, new))
        paths = frozenset(repo.changed_files(old, new))
    except GitError:
        return None
    roots = tuple(f"{p.strip('/')}/" for p in (content, records) if p.strip("/"))
    return Moved(
        old=old, new=new, commits=commits, paths=paths, folders=frozenset(_folders(paths)),
        **_words(repo, old, new, sorted(paths), content, metas),
        policy_same=all(p.startswith(roots) for p in paths),
    )  # fmt: skip


def carried(repo: Repo, move: Moved, changes: dict[str, Touching], content: str) -> set[str]:
    """Those of ``changes`` (id -> (its commits, the paths it touches, its head)) whose
    results read at ``move.old`` hold at ``move.new``."""
    if not move.policy_same:
        return set()
    kept = {
        change_id
        for change_id, (commits, touches, _head) in changes.items()
        if not (commits & move.commits)
        and not (touches & move.paths)
        and not (touches & move.folders)
        and not (set(_folders(touches)) & move.paths)
    }
    if not (move.words or move.pages) or not kept:
        return kept
    mentioned = _mentioning(repo, move, {i: changes[i] for i in kept}, content)
    return kept - mentioned


def _readable(path: str, content: str) -> bool:
    """A touched file read as text to look for mentions (names with a line break cannot be
    asked for in a batch; pictures mention nothing)."""
    return "\n" not in path and role_of(path, content) != "image"


def _folders(paths: Iterable[str]) -> Iterable[str]:
    for path in paths:
        parts = path.split("/")
        for end in range(1, len(parts)):
            yield "/".join(parts[:end])


def _words(repo: Repo, old: str, new: str, paths: list[str], content: str,
           metas: dict[str, Meta]) -> dict[str, frozenset[str]]:  # fmt: skip
    """Everything a draft check may have compared with main's touched content: each touched
    file's name (and stem), each folder that came or went, the slugs of the touched drafts and
    the site pages that main's drafts made before or make now but not both."""
    prefix = content.strip("/") + "/"
    touched = [p for p in paths if p.startswith(prefix)]
    words: set[str] = set()
    for path in touched:
        name = path.rpartition("/")[2]
        words |= {name, PurePosixPath(name).stem, urllib.parse.quote(name)}
    folders = sorted({f for f in _folders(touched) if f.startswith(prefix)} - {prefix[:-1]})
    there = repo.blob_ids(f"{tip}:{f}" for tip in (old, new) for f in folders if "\n" not in f)
    for folder in folders:
        if (there.get(f"{old}:{folder}") is None) != (there.get(f"{new}:{folder}") is None):
            words.add(folder.rpartition("/")[2])
    pages = []
    for tip in (old, new):
        drafts = {e.path: e.sha for e in repo.tree_entries(tip, prefix).values()
                  if role_of(e.path, content) == "draft"}  # fmt: skip
        unread = [sha for sha in set(drafts.values()) if sha not in metas]
        for sha, data in repo.blobs(unread).items():
            metas[sha] = _meta(data)
        slugs: set[str] = set()
        terms: set[str] = set()
        for path, sha in drafts.items():
            slug, its_terms = metas.get(sha, ("", frozenset()))
            slugs.add(slug or PurePosixPath(path).stem.lower())
            terms |= its_terms
            if path in touched:
                words.add(slug or PurePosixPath(path).stem.lower())
        pages.append(known_pages(slugs, terms))
    return {"words": frozenset(w for w in words if w),
            "pages": frozenset(p for p in pages[0] ^ pages[1] if p)}  # fmt: skip


def _meta(data: bytes) -> Meta:
    doc = quick_meta(data.decode("utf-8", "replace"), "draft")
    meta = doc.data if doc is not None and isinstance(doc.data, dict) else {}
    slug = meta.get("slug")
    terms = {meta[k] for k in ("category", "author") if isinstance(meta.get(k), str)}
    tags = meta.get("tags")
    terms |= {t for t in tags if isinstance(t, str)} if isinstance(tags, list) else set()
    return (slug.strip().lower() if isinstance(slug, str) else ""), frozenset(terms)


def _mentioning(repo: Repo, move: Moved, changes: dict[str, Touching],
                content: str) -> set[str]:  # fmt: skip
    """The changes whose touched files (their names or their text at the change's head)
    mention one of the move's words, or a page of it after a '/' (a link's last segment);
    one batched read for all."""
    words = [w.lower() for w in move.words] + [f"/{p.lower()}" for p in move.pages]
    specs = {
        change_id: [f"{head}:{p}" for p in sorted(touches) if _readable(p, content)]
        for change_id, (_commits, touches, head) in changes.items()
    }
    ids = repo.blob_ids(spec for wanted in specs.values() for spec in wanted)
    texts = repo.blobs(sha for sha in ids.values() if sha)
    found = set()
    for change_id, (_commits, touches, _head) in changes.items():
        if any("\n" in p for p in touches):
            found.add(change_id)  # a name the batched read cannot ask for: read it again
            continue
        read = (texts.get(ids.get(spec) or "", b"") for spec in specs[change_id])
        hay = "\n".join([*touches, *(t.decode("utf-8", "replace") for t in read)]).lower()
        if any(w in hay for w in words):
            found.add(change_id)
    return found
