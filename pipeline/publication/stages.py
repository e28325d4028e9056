"""The stages the publication runs itself: what the merge changed, the build, the deploy.

The later stages (live check, screenshots, notice, record) live with their packages; each stage
saves its result in the publication's ``State`` and is skipped when that result exists.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.change.model import Change
from pipeline.clock import now
from pipeline.config.settings import Settings, committed_settings
from pipeline.deploy import new_release_id
from pipeline.deploy.base import Target
from pipeline.draft.schedule import FIELD
from pipeline.errors import InputError
from pipeline.evidence.articles import changed_articles
from pipeline.evidence.schedule import scheduled_time
from pipeline.forge.base import Forge
from pipeline.i18n import Catalog
from pipeline.publication.state import State
from pipeline.render import warm
from pipeline.render.history import read_history
from pipeline.render.runner import build_site
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "bad_input": (
            "perubahan ini tidak dapat diterbitkan; situs yang tayang tidak diubah",
            "this change cannot be published; the live site is unchanged",
        ),
        "left_out": (
            "dilewati (bukan bagian perubahan ini): {problem}",
            "left out (not part of this change): {problem}",
        ),
        "superseded": (
            "deploy: {release} tidak dipasang; rilis {live} dari main yang lebih baru sudah "
            "tayang dan memuat merge ini",
            "deploy: {release} not switched in; release {live}, built from a newer main that "
            "holds this merge, is already live",
        ),
    }
)


# What the drafts' blobs answer to "does it name publish_at?", by blob id (``naming_field``).
SCHEDULED_FILE = "publish-at.json"
REGULAR = ("100644", "100755")  # the files ``git grep`` reads in a tree: no links, submodules
BLOB = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def build_cache(repo: Repo) -> Path:
    """The publication's build cache: in the git folder (the server's own state), which no
    tree can write to; a cache in the exported tree could come from the change (a pickle)."""
    return repo.git_dir / "terbit" / "build-cache"


def warm_folder(repo: Repo) -> Path:
    """Where the server's warm build process listens (``render.warm``): its own state."""
    return warm.folder_of(repo.git_dir)


def prepare(
    repo: Repo, merge: str, forge: Forge, settings: Settings, state: State
) -> tuple[dict[str, Any], Change | None]:
    """The change ``merge`` merged, its base, when, and the articles it touched (saved), and
    the change as read (the publication needs it next: not read from the forge twice)."""
    change = forge.change_for_merge(merge)
    parents = repo.parents(merge)
    merged_at = change.merged_at if change and change.merged_at else now()
    articles = changed_articles(repo, merge, settings.content.path)
    value = {
        "change": change.id if change else None,
        "base": parents[0] if parents else None,
        "merged_at": merged_at.isoformat(),
        "articles": [asdict(a) for a in articles],
        "scheduled_at": scheduled_time(repo, merge, articles, merged_at, settings),
    }
    state.save("prepare", value)
    return value, change


def naming_field(repo: Repo, tip: str, content: str) -> list[str]:
    """The files under ``content`` at ``tip`` that hold ``publish_at`` anywhere, as ``git grep
    -l -F`` finds them (regular files, binary ones too; links and submodules never). What a
    blob holds never changes, so the answer per blob id is kept in the server's build cache
    (Terbit's own folder, ``SCHEDULED_FILE``) and only blobs not seen before are read: one
    ``ls-tree`` and a new article's blob, not the 5,000 drafts of the site (issue 16)."""
    folder = content.strip("/")
    files = {e.path: e.sha for e in repo.tree_entries(tip, f"{folder}/").values()
             if e.mode in REGULAR}  # fmt: skip
    path = build_cache(repo) / SCHEDULED_FILE
    kept = _kept_answers(path)
    blobs = set(files.values())  # paths may share one blob (two drafts of the same text)
    new = [sha for sha in blobs if sha not in kept]
    if new:
        needle = FIELD.encode()
        kept |= {sha: needle in data for sha, data in repo.blobs(new).items()}
    if new or len(kept) > len(blobs):  # only this tree's blobs are kept: its size stays bounded
        answers = {sha: kept[sha] for sha in blobs if sha in kept}
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            _write_answers(path, answers)
    return sorted(p for p, sha in files.items() if kept.get(sha))


def _kept_answers(path: Path) -> dict[str, bool]:
    """The kept answers; none when missing, damaged or of another shape (all read again)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != 1 or data.get("field") != FIELD:
        return {}
    blobs = data.get("blobs")
    if not isinstance(blobs, dict):
        return {}
    return {sha: hit for sha, hit in blobs.items() if type(hit) is bool and BLOB.fullmatch(sha)}


def _write_answers(path: Path, answers: dict[str, bool]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    temp.write_text(json.dumps({"format": 1, "field": FIELD, "blobs": answers}), "utf-8")
    os.replace(temp, path)  # whole or not at all: a kill never leaves half a file


def unrecorded_scheduled(repo: Repo, tip: str, settings: Settings) -> Iterator[tuple[str, str]]:
    """``(path, merge)`` of each draft on ``tip`` that names ``publish_at`` and was last
    changed by a merge without a completion record (only those drafts are read at all)."""
    content = settings.content.path.strip("/")
    records = settings.publish.records_path.strip("/")
    recorded = {name.rsplit("-", 1)[-1] for *_, name in repo.ls_tree(tip, records) if "-" in name}
    for path in naming_field(repo, tip, content):
        merge = repo.try_run("log", "--first-parent", "-1", "--format=%H", tip, "--", path)
        if merge and len(repo.parents(merge)) > 1 and merge[:12] not in recorded:
            yield path, merge


def held_drafts(repo: Repo, tip: str, settings: Settings) -> list[str]:
    """The drafts on ``tip`` (relative to the content folder) whose merge is held: merged
    before the last ``publish_at`` of its drafts, that time still ahead, no record yet. The
    drafts of one merge go live together, by its publication; so an earlier draft of it, or
    a new one without a time, is left out of every build until then (another merge's
    publication would otherwise put it live without a record). A modified article stays: it
    is on the site already."""
    content = settings.content.path.strip("/")
    held: set[str] = set()
    for merge in {merge for _path, merge in unrecorded_scheduled(repo, tip, settings)}:
        articles = changed_articles(repo, merge, content)
        at = scheduled_time(repo, merge, articles, repo.commit_info(merge).committed_at, settings)
        if at is not None and datetime.fromisoformat(at) > now():
            held |= {
                a.path[len(content) + 1 :] for a in articles
                if a.url and (a.status == "A" or FIELD in (repo.show_file(tip, a.path) or ""))
            }  # fmt: skip
    return sorted(held)


def build(
    repo: Repo, merge: str, work: Path, state: State, say: Callable[[str], None]
) -> dict[str, Any]:
    """Build the newest main (it contains the merge): a later publication never rolls the
    site back to an older tree when merges race."""
    tip = repo.rev_parse("refs/heads/main") or merge
    if not repo.is_ancestor(merge, tip):
        tip = merge
    source = work / "source"
    # Only what changed since the previous publication's export (its mark says which commit
    # the folder holds); the whole tree when that is unknown. The build cache is elsewhere.
    how = repo.export_tree(tip, source, mark=work / "source.json")
    say(f"export: {how}")
    output = work / "site"
    # The articles' versions from this repository's history, never from the exported tree.
    site_settings = committed_settings(lambda path: repo.show_file(tip, path))
    history = read_history(repo, tip, site_settings.content.path, build_cache(repo))
    built = build_site(
        source,
        output=output,
        publish=True,
        cache_base=build_cache(repo),
        skip_bad=True,
        history=history,
        hold=held_drafts(repo, tip, site_settings),
        warm_folder=warm_folder(repo),
    )
    if built.fallback:
        say(built.fallback)  # a cold build where the warm one was expected: the log says why
    if built.skipped:
        # A file of this merge that cannot be published fails this publication, located; a
        # bad file that an earlier merge left on main is left out, so later merges go live.
        parents = repo.parents(merge)
        # What the merge landed on main before it: the one way Terbit computes it.
        ours = {e.path for _, e in repo.landed(parents[0], merge).changes} if parents else set()
        mine = [p for p in built.skipped if p.path in ours]
        if mine:
            raise InputError(MSG("bad_input"), problems=mine)
        for problem in built.skipped:
            say(MSG("left_out", problem=problem))
    say(f"build: {built.articles} artikel, {built.seconds:.1f} s")
    # Which process built it (the warm one, or a fresh one): the state file says, for the log.
    value = {"site": str(output), "commit": tip, "warm": built.warm, "export": how}
    state.save("build", value)
    return value


def deploy(
    repo: Repo,
    target: Target,
    site_dir: Path,
    built: dict[str, Any],
    state: State,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Switch the built site in as a new release (the previous one is remembered)."""
    # The id is chosen once and kept in the state: a rerun finishes the same release.
    release_id = state.recall("release_id")
    if not release_id:
        release_id = new_release_id(built["commit"])
        state.note("release_id", release_id)
    live = target.current()
    if live is not None and live.id != release_id and _newer(repo, live.id, built["commit"]):
        # Resumed after a later publication went live from a newer main, which holds this
        # merge too: switching back would take that publication's articles off the site.
        say(MSG("superseded", release=release_id, live=live.id))
        value = {
            "release": live.id,
            "previous": state.recall("previous"),
            "at": now().isoformat(),
            "superseded": release_id,
        }
        state.save("deploy", value)
        return value
    previous = live.id if live and live.id != release_id else state.recall("previous")
    state.note("previous", previous)
    release = target.deploy(site_dir, release_id)
    say(f"deploy: {release.id} -> {release.location}")
    value = {"release": release.id, "previous": previous, "at": now().isoformat()}
    state.save("deploy", value)
    return value


def _newer(repo: Repo, release_id: str, built: str) -> bool:
    """Whether ``release_id`` was built from a commit that already contains ``built`` (and
    more). Release ids end in the built commit's first 12 hex digits."""
    short = release_id.rsplit("-", 1)[-1]
    if len(short) != 12 or any(c not in "0123456789abcdef" for c in short):
        return False
    other = repo.rev_parse(short)
    return other is not None and other != built and repo.is_ancestor(built, other)
