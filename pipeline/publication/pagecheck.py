"""The server's review-time check of a change's pages (issue 15 §5), on the embedded forge.

After a change's head moves, the server builds the site as the change would land it (main's
settings, theme and plugins; only the change's content, so nothing of it is run), opens the
changed pages and the home page in Chromium (``evidence.visitor``: axe WCAG 2.1 A/AA, internal
links and images) and does the same on main's build. A finding main's same page already has is
reported but does not block; the rest are new. The result is a ``check`` record on the change's
meta chain, signed with the server's key, naming the head it checked: the gate's "Pemeriksaan
halaman" line counts only such records, of the current head.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline import __version__
from pipeline.errors import ConfigError
from pipeline.evidence.browser import chromium
from pipeline.evidence.preview import changed_pages, serve
from pipeline.evidence.visitor import PageReport, check_pages
from pipeline.forge.local.store.forge import LocalForge, main_settings
from pipeline.gate.pagecheck import latest
from pipeline.i18n import Catalog
from pipeline.publication.lock import publish_lock
from pipeline.publication.server_key import private_key_for
from pipeline.render.landed import build_landed
from pipeline.vcs import Repo

FOLDER = Path("terbit") / "pemeriksaan-halaman"
KEEP = 20  # builds kept (a change's head and main's tip each); older ones are removed
BROKEN = "broken-link"  # the rule a broken internal link or image is reported under

MSG = Catalog(
    {
        "busy": (
            "pemeriksaan halaman lain masih berjalan terlalu lama; coba lagi nanti",
            "another page check has been running too long; try again later",
        ),
        "no_key": (
            "server tidak memegang kunci yang disebut terbit.yml (forge.server_key); hasil "
            "pemeriksaan halaman tidak dapat ditandatangani. Jalankan `terbit init-server "
            "--rotate-key` lalu gabungkan perubahan yang menyebut kuncinya",
            "the server does not hold the key terbit.yml names (forge.server_key); the page "
            "check cannot be signed. Run `terbit init-server --rotate-key` and merge the change "
            "that names its key",
        ),
        "off": (
            "pemeriksaan halaman dimatikan di terbit.yml (forge.page_check: false)",
            "the page check is switched off in terbit.yml (forge.page_check: false)",
        ),
        "not_open": (
            "perubahan #{id} tidak terbuka lagi; tidak diperiksa",
            "change #{id} is no longer open; not checked",
        ),
        "already": (
            "halaman perubahan #{id} sudah diperiksa pada commit {sha}",
            "the pages of change #{id} were already checked at commit {sha}",
        ),
        "checked": (
            "perubahan #{id}: {n} halaman diperiksa pada commit {sha}: {result}",
            "change #{id}: {n} page(s) checked at commit {sha}: {result}",
        ),
        "clean": ("tidak ada temuan baru", "no new findings"),
        "found": ("{n} temuan baru", "{n} new finding(s)"),
    }
)


@dataclass
class Outcome:
    """What one run did, in a sentence; ``record`` is the new check record's id, if any."""

    message: str
    record: str | None = None
    new: list[dict[str, str]] = field(default_factory=list)


def check_change(git_dir: Path, change_id: str, *, again: bool = False) -> Outcome:
    """Check the pages of ``change_id``'s current head and append the signed record; a head
    already checked is left alone unless ``again``. One check at a time per server."""
    repo = Repo(git_dir)
    settings = main_settings(repo)
    if not settings.forge.page_check:
        return Outcome(MSG("off"))
    key = private_key_for(repo.git_dir, settings.forge.server_key)
    if key is None:
        raise ConfigError(MSG("no_key"))
    root = repo.git_dir / FOLDER
    with publish_lock(root, MSG("busy")):
        # Read after the lock: a check that waited may find its head checked, or moved on.
        forge = LocalForge(repo, settings)
        change = forge.get_change(change_id)
        if change.state != "open":
            return Outcome(MSG("not_open", id=change_id))
        done = latest(change)
        if done is not None and not again:
            return Outcome(MSG("already", id=change_id, sha=done.head[:7]))
        data = _check(repo, root, forge.base_tip(), change.head_sha, settings.content.path)
        record = forge.add_page_check(change_id, data, key)
    result = MSG("found", n=len(data["new"])) if data["new"] else MSG("clean")
    message = MSG("checked", id=change_id, n=len(data["pages"]), sha=change.head_sha[:7],
                  result=result)  # fmt: skip
    return Outcome(message, record, data["new"])


def _check(repo: Repo, root: Path, main: str, head: str, content_path: str) -> dict[str, Any]:
    """The ``check`` record's fields for ``head`` against ``main``."""
    landed = repo.landed(main, head)
    drafts = [entry.path for status, entry in landed.changes if status != "D"]
    ours = _built(repo, root / f"change-{head}-{main[:12]}", main, landed.tree, content_path)
    theirs = _built(repo, root / f"main-{main}", main, main, content_path)
    pages = changed_pages(ours / "src", ours / "site", drafts, content_path)
    with chromium() as browser:
        with serve(ours / "site") as base:
            found = check_pages(browser, [base + _url(p) for p in pages], ours / "site", base)
            problems = [p.replace(base, "/") for p in found.problems]
        on_main = [p for p in pages if (theirs / "site" / p).is_file()]
        with serve(theirs / "site") as base:
            before = check_pages(browser, [base + _url(p) for p in on_main], theirs / "site", base)
        tools = {
            "terbit": __version__,
            "chromium": browser.version,
            **{name: _version(name) for name in ("playwright", "axe-playwright-python", "pelican")},
        }
    _prune(root)
    known = {tuple(f.values()) for f in _findings(before)}
    mine = _findings(found)
    return {
        "head": head,
        "main": main,
        "pages": ["/" + _url(p) for p in pages],
        "new": [f for f in mine if tuple(f.values()) not in known],
        "known": [f for f in mine if tuple(f.values()) in known],
        "problems": problems,
        "tools": tools,
    }


def _built(repo: Repo, folder: Path, main: str, tree: str, content_path: str) -> Path:
    if not (folder / "done").is_file():
        build_landed(repo, main, tree, content_path, folder)
    folder.touch()  # kept by last use
    return folder


def _prune(root: Path) -> None:
    builds = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in builds[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)


def _url(page: str) -> str:
    return page.removesuffix("index.html")


def _local(address: str) -> str:
    """An address of the loopback server the check ran on, as a path of the site."""
    parts = urlsplit(address)
    if parts.hostname != "127.0.0.1":
        return address
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _findings(report: PageReport) -> list[dict[str, str]]:
    """One finding per element an axe rule names, and per broken address, with site paths."""
    found = [
        {"page": _local(v["page"]), "rule": v["rule"], "target": target}
        for v in report.violations
        for target in v["targets"] or [""]
    ]
    found += [
        {"page": _local(b["page"]), "rule": BROKEN, "target": _local(b["href"])}
        for b in report.broken_links
    ]
    return list({tuple(f.values()): f for f in found}.values())


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "-"
