"""The draft checks on what a change would land, read from Git's objects (never a checkout).

Run by ``terbit submit`` before pushing, by the server's ``pre-receive`` on every push to a
change and to main, and by the gate (one line of ``terbit gate``/``status``). Every byte of the
change is untrusted: file modes and names are read from the tree, symlinks and submodules are
refused, nothing is followed or executed. The change's drafts are written as plain files into a
private temporary folder together with the target branch's own ``roles.yml`` and checked there
with the same code as ``terbit check`` and the target's ``terbit.yml``; what they are compared
with comes from Git: the landed tree's listing (what a link may point to, with sizes) and the
other drafts' slugs and pages, kept by blob id (``fact_cache``), so a check costs what the
change touches, not what the site holds.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipeline.change.model import Change
from pipeline.clock import now
from pipeline.config.settings import SETTINGS_FILE, Settings, parse_settings
from pipeline.draft import withdrawals
from pipeline.draft.checks import check_paths
from pipeline.draft.checks.base import Finding, Listing
from pipeline.draft.checks.index import DraftFacts, indexed
from pipeline.draft.content_model import bad_name_char, role_of, shown_name
from pipeline.draft.schedule import latest, publish_at
from pipeline.errors import TerbitError
from pipeline.gate.fact_cache import draft_facts
from pipeline.gate.messages import when
from pipeline.i18n import Catalog
from pipeline.vcs import BLOB_MODES, GITLINK_MODE, SYMLINK_MODE, Landed, Repo, TreeEntry

ROLES_FILE = "roles.yml"

MSG = Catalog(
    {
        "too_deep": (
            "jalur terlalu dalam ({depth} tingkat folder, maksimum {limit}); ringkas foldernya",
            "the path is too deep ({depth} folder levels, at most {limit}); flatten its folders",
        ),
        "bad_name": (
            "nama berkas berisi karakter kendali atau byte bukan UTF-8 ({char}); ganti namanya",
            "the file name contains a control character or a non-UTF-8 byte ({char}); rename it",
        ),
        "symlink": (
            "tautan simbolik tidak diterima; salin berkasnya ke dalam content/",
            "symbolic links are not accepted; copy the file into content/ instead",
        ),
        "submodule": (
            "submodule (gitlink) tidak diterima dalam perubahan",
            "submodules (gitlinks) are not accepted in a change",
        ),
        "not_file": ("bukan berkas biasa (mode {mode})", "not a regular file (mode {mode})"),
        "image_too_big": (
            "gambar berukuran {size} KB, maksimum {limit} KB; perkecil atau kompres",
            "the image is {size} KB, at most {limit} KB; resize or compress it",
        ),
        "hidden": (
            "penggabungan mengubah berkas ini, tetapi selisih pull request (yang dilihat "
            "peninjau, CODEOWNERS dan gerbang) tidak menunjukkannya (riwayat bersilang); "
            "rebase perubahan ke cabang tujuan terbaru",
            "the merge changes this file, but the pull request's diff (what reviewers, "
            "CODEOWNERS and the gate see) does not show it (criss-cross history); rebase the "
            "change on the latest target branch",
        ),
        "held_together": (
            "draf ini tayang bersama draf lain perubahan ini pada {at} WIB (publish_at "
            "terakhir di antaranya), bukan lebih awal; ajukan sebagai perubahan terpisah agar "
            "tayang pada waktunya sendiri",
            "this draft goes live with the change's other drafts at {at} WIB (the last "
            "publish_at among them), not earlier; submit it as a separate change to go live "
            "at its own time",
        ),
        "file_too_big": (
            "berkas berukuran {size} KB, terlalu besar untuk perubahan (maksimum {limit} KB)",
            "the file is {size} KB, too large for a change (at most {limit} KB)",
        ),
    }
)

# Outside the content model a file still needs the head's approval; none may be huge.
OTHER_MAX_KB = 2048
# Folders above a file, at most: the content model needs four; past about a thousand, Python's
# own tree walks and removals (the export of main for every later publication) fail.
MAX_FOLDERS = 32


@dataclass
class ChangeCheck:
    """The verdict on what a change lands."""

    findings: list[Finding] = field(default_factory=list)  # refused: names, links, drafts…
    landed: list[str] = field(default_factory=list)  # every path the merge adds/changes/deletes
    warnings: list[Finding] = field(default_factory=list)  # said, not refused (a future date)

    @property
    def lines(self) -> list[str]:
        return [str(f) for f in self.findings]


def target_settings(repo: Repo, target: str) -> Settings:
    """``terbit.yml`` of the target branch (the change's own copy is never trusted)."""
    text = repo.show_file(target, SETTINGS_FILE)
    return parse_settings(text, SETTINGS_FILE) if text else Settings()


def _entry_findings(entry: TreeEntry, settings: Settings) -> list[Finding]:
    shown = shown_name(entry.path)
    folders = entry.path.count("/")
    if folders > MAX_FOLDERS:
        return [Finding(shown, None, "too_deep", MSG("too_deep", depth=folders, limit=MAX_FOLDERS))]
    bad = next((c for part in entry.path.split("/") if (c := bad_name_char(part))), None)
    if bad is not None:
        return [Finding(shown, None, "bad_name", MSG("bad_name", char=shown_name(bad)))]
    if entry.mode == SYMLINK_MODE:
        return [Finding(shown, None, "symlink", MSG("symlink"))]
    if entry.mode == GITLINK_MODE:
        return [Finding(shown, None, "submodule", MSG("submodule"))]
    if entry.mode not in BLOB_MODES:
        return [Finding(shown, None, "not_file", MSG("not_file", mode=entry.mode))]
    kind = role_of(entry.path, settings.content.path)
    size_kb = (entry.size + 1023) // 1024
    if kind == "image" and entry.size > settings.content.image_max_kb * 1024:
        limit = settings.content.image_max_kb
        return [
            Finding(shown, None, "image_too_big", MSG("image_too_big", size=size_kb, limit=limit))
        ]
    if kind == "other" and entry.size > OTHER_MAX_KB * 1024:
        return [
            Finding(
                shown, None, "file_too_big", MSG("file_too_big", size=size_kb, limit=OTHER_MAX_KB)
            )
        ]
    return []  # drafts: their size is the draft checks' business (``draft_max_kb``)


def _sound(entry: TreeEntry) -> bool:
    """A regular file whose name a folder on disk can hold as it is (links and odd names are
    refused or left out, never written or followed)."""
    parts = entry.path.split("/")
    odd = any(bad_name_char(p) or p in ("", ".", "..") for p in parts)
    return entry.mode in BLOB_MODES and not odd and len(parts) <= MAX_FOLDERS + 1


def _write(repo: Repo, entries: list[TreeEntry], settings: Settings, folder: Path) -> None:
    """``entries`` as plain files under ``folder``: drafts with their text, other files (and
    drafts too large to be read) as sparse placeholders of their size."""
    limit = settings.content.draft_max_kb * 1024
    content = settings.content.path.strip("/")
    drafts: dict[Path, str] = {}
    for entry in entries:
        target = folder.joinpath(*entry.path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        if role_of(entry.path, content) == "draft" and entry.size <= limit:
            drafts[target] = entry.sha
        else:
            with target.open("wb") as out:
                out.truncate(entry.size)
    texts = repo.blobs(drafts.values())
    for target, sha in drafts.items():
        target.write_bytes(texts.get(sha, b""))


def _materialize(repo: Repo, tree: str, settings: Settings, folder: Path) -> None:
    """The content folder of ``tree`` as plain files under ``folder``: the whole-tree check,
    which the check by change is held equal to (``check_change(..., whole_tree=True)``)."""
    content = settings.content.path.strip("/")
    entries = repo.tree_entries(tree, content + "/").values()
    _write(repo, [e for e in entries if _sound(e)], settings, folder)


@dataclass(frozen=True)
class _Landing:
    """A landed tree of which only the change's drafts are on disk."""

    listing: Listing  # every file the drafts' links may point to
    others: dict[str, DraftFacts]  # the other drafts' facts, by path


@dataclass(frozen=True)
class _Listed:
    """A content folder as the check by change reads it from Git's objects."""

    sound: dict[str, TreeEntry]  # its sound files (``_sound``), by path
    drafts: dict[str, str]  # path -> blob: those the other drafts' facts are read from
    listing: Listing


class _KeptListings:
    """The listings of the last few content folders, by the folder's own tree id (Git's
    objects never change: nothing goes stale). A long-running process (the web app, the
    server's check process) lists main's thousands of files once; each change's listing is
    then main's patched with the few files the change lands, and kept for the next merge."""

    KEPT = 8

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[str, str, int], _Listed] = OrderedDict()

    def get(self, key: tuple[str, str, int]) -> _Listed | None:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found

    def put(self, key: tuple[str, str, int], listed: _Listed) -> None:
        self._kept[key] = listed
        while len(self._kept) > self.KEPT:
            self._kept.popitem(last=False)


_LISTINGS = _KeptListings()


def _listed_of(sound: dict[str, TreeEntry], content: str, limit: int) -> _Listed:
    drafts = {p: e.sha for p, e in sound.items() if e.size <= limit and indexed(p, content)}
    return _Listed(sound, drafts, Listing.of({p: e.size for p, e in sound.items()}))


def _listed(repo: Repo, tree: str, content: str, limit: int) -> _Listed:
    """``tree``'s content folder, kept, or listed (``git ls-tree``) and kept."""
    folder = repo.subtree(tree, content)
    if folder is None:  # no content folder: nothing to list
        return _listed_of({}, content, limit)
    key = (folder, content, limit)
    found = _LISTINGS.get(key)
    if found is None:
        entries = sorted(repo.tree_entries(tree, content + "/").items())
        found = _listed_of({p: e for p, e in entries if _sound(e)}, content, limit)
        _LISTINGS.put(key, found)
    return found


def _landed_listing(repo: Repo, landed: Landed, content: str, limit: int) -> _Listed:
    """The landed tree's content folder: the tree it changes (kept, or listed once) with the
    files it changes put in, which is the landed tree's own listing (``Landed.changes`` is
    every path that differs between the two); kept in turn for the next check."""
    folder = repo.subtree(landed.tree, content)
    key = (folder or "", content, limit)
    found = _LISTINGS.get(key) if folder is not None else None
    if found is not None:
        return found
    base = _listed(repo, landed.old, content, limit)
    prefix = content + "/"
    changed = {e.path: (status, e) for status, e in landed.changes if e.path.startswith(prefix)}
    sound = {p: e for p, e in base.sound.items() if p not in changed}
    sound.update((p, e) for p, (status, e) in changed.items() if status != "D" and _sound(e))
    found = _listed_of(dict(sorted(sound.items())), content, limit)
    if folder is not None:
        _LISTINGS.put(key, found)
    return found


def _land(
    repo: Repo, landed: Landed, settings: Settings, folder: Path, drafts: list[str]
) -> _Landing:
    """Write the change's ``drafts`` of the landed tree under ``folder``; the rest of the
    content folder only listed from Git's objects, the other drafts' facts kept by blob."""
    content = settings.content.path.strip("/")
    limit = settings.content.draft_max_kb * 1024
    listed = _landed_listing(repo, landed, content, limit)
    mine = set(drafts)
    _write(repo, [listed.sound[p] for p in drafts if p in listed.sound], settings, folder)
    others = {p: sha for p, sha in listed.drafts.items() if p not in mine}
    return _Landing(listed.listing, draft_facts(repo, others))


def check_change(
    repo: Repo, target: str, head: str, *, drafts_too: bool = True, whole_tree: bool = False
) -> ChangeCheck:
    """Check what merging ``head`` into ``target`` would land, with the target's policy.
    ``drafts_too=False`` checks only the files themselves (links, submodules, names, sizes):
    for a shared work-in-progress branch, whose drafts may still be unfinished. Only the
    change's drafts are written and read; ``whole_tree`` writes the whole content folder and
    reads every draft of it (the reference the tests hold the check by change to)."""
    settings = target_settings(repo, target)
    landed = repo.landed(target, head)
    result = ChangeCheck(landed=sorted(e.path for _, e in landed.changes))
    drafts = []
    for status, entry in landed.changes:
        if status == "D":
            continue
        problems = _entry_findings(entry, settings)
        result.findings += problems
        if not problems and role_of(entry.path, settings.content.path) == "draft":
            drafts.append(entry.path)
    listed = withdrawals.path_in(settings.content.path)
    if drafts_too and any(e.path == listed and s != "D" for s, e in landed.changes):
        result.findings += _withdrawals(repo, target, landed.tree, listed, settings)
    if drafts and drafts_too:
        with tempfile.TemporaryDirectory(prefix="terbit-check-") as temp:
            root = Path(temp)
            land = None
            if whole_tree:
                _materialize(repo, landed.tree, settings, root)
            else:
                land = _land(repo, landed, settings, root, drafts)
            roles = repo.show_file(target, ROLES_FILE)
            if roles is not None:
                (root / ROLES_FILE).write_text(roles, encoding="utf-8")
            paths = [root / os.path.normpath(d) for d in drafts]
            listing, others = (land.listing, land.others) if land else (None, None)
            report = check_paths(root, settings, paths, listing=listing, others=others)
            result.findings += report.findings
            result.warnings += report.warnings + _held_together(root, drafts, settings)
    result.findings.sort(key=lambda f: (f.path, f.line or 0))
    return result


_SLUG_LINE = re.compile(r"^slug:\s*['\"]?([a-z0-9-]+)", re.M)


def _withdrawals(
    repo: Repo, target: str, tree: str, listed: str, settings: Settings
) -> list[Finding]:
    """The withdrawals list the merge lands: valid, the target's entries all kept unchanged,
    every new entry naming an article of the landed tree (its file name or ``slug:``)."""
    try:
        after = withdrawals.parse(repo.show_file(tree, listed) or "", listed)
        before = withdrawals.parse(repo.show_file(target, listed) or "", listed)
    except TerbitError as error:
        more = [Finding(p.path, p.line, "withdrawals", p.message) for p in error.problems]
        return [Finding(listed, error.line, "withdrawals", error.message), *more]
    content = settings.content.path.strip("/")
    articles = {
        e.path: e.sha
        for e in repo.tree_entries(tree, content + "/").values()
        if role_of(e.path, content) == "draft" and not e.path.startswith(f"{content}/pages/")
    }
    slugs = {Path(path).stem for path in articles}
    for data in repo.blobs(articles.values()).values():
        head = data[:2000].decode("utf-8", "replace")  # the front matter comes first
        if found := _SLUG_LINE.search(head):
            slugs.add(found.group(1))
    problems = withdrawals.added_only(before, after, listed, slugs)
    return [Finding(p.path, p.line, "withdrawals", p.message) for p in problems]


def _held_together(root: Path, drafts: list[str], settings: Settings) -> list[Finding]:
    """A change's drafts go live together, when the last ``publish_at`` among them is due (one
    publication, one record per merge): each draft that would go live later than its own
    time is told so, before the merge, with how to publish it on time."""
    zone = settings.site.timezone
    times = {
        d: publish_at((root / d).read_text(encoding="utf-8", errors="replace"), d, zone)
        for d in drafts
        if role_of(d, settings.content.path) == "draft" and (root / d).is_file()
    }
    last = latest(times.values())
    if last is None or last <= now() or len(times) < 2:
        return []
    shown = when(last)
    return [
        Finding(d, None, "held_together", MSG("held_together", at=shown), "warning", last)
        for d, at in sorted(times.items())
        if at is None or at < last
    ]


def hidden_from_review(repo: Repo, target: str, head: str, landed: list[str]) -> list[Finding]:
    """Files outside the content model that the merge lands but the merge-base diff hides.

    GitHub shows reviewers, applies CODEOWNERS and lists a pull request's files from the merge
    base; with a criss-cross history the merge can restore an old ``roles.yml`` that this diff
    never shows. The embedded forge's gate reads the landed files itself; on GitHub this
    required check refuses the difference."""
    settings = target_settings(repo, target)
    base = repo.merge_base(target, head)
    shown = set(repo.changed_files(base, head)) if base else set()
    return [
        Finding(path, None, "hidden-from-review", MSG("hidden"))
        for path in landed
        if path not in shown and role_of(path, settings.content.path) == "other"
    ]


def check_lines(forge: object, change: Change) -> list[str] | None:
    """The gate's line for an open change of a forge with a Git repository (the embedded
    forge); None elsewhere (GitHub runs the checks as their own required status)."""
    found = draft_checks(forge, change)
    return None if found is None else found[0]


def draft_checks(forge: object, change: Change) -> tuple[list[str], list[str]] | None:
    """``check_lines`` and the checks' warnings (notes under the gate's table, never
    blocking), from one run of the checks."""
    found = draft_results(forge, change)
    return None if found is None else (found.lines, found.warnings)


@dataclass(frozen=True)
class DraftResults:
    """What the draft checks said of a change, and until when it holds."""

    lines: list[str]  # refusals, one ``path:line: message`` each
    warnings: list[str]  # said, not refused (a future date)
    # The first instant a warning may no longer hold (a date reached); None: the results
    # hold while the change and its target are the same.
    until: datetime | None = None


def draft_results(forge: object, change: Change) -> DraftResults | None:
    """``draft_checks`` with until when they hold, for a reader that keeps them."""
    repo = getattr(forge, "repo", None)
    if not isinstance(repo, Repo) or change.state != "open" or not change.head_sha:
        return None
    if not repo.object_exists(change.head_sha) or not repo.object_exists(change.base_sha):
        return None
    try:
        checked = check_change(repo, change.base_sha, change.head_sha)
    except TerbitError as error:  # e.g. a broken terbit.yml on main: a line, not a crash
        return DraftResults([str(error)], [])
    return results_of(checked)


def results_of(checked: ChangeCheck) -> DraftResults:
    """What the checks of a change said (``check_change``), as a gate reads them."""
    times = [w.until for w in [*checked.findings, *checked.warnings] if w.until is not None]
    return DraftResults(checked.lines, [str(w) for w in checked.warnings], min(times, default=None))
