"""A change's pages as the site will show them: built with the site's own theme and settings.

Only the content folder comes from the change (as merging would land it); the settings, the
theme and the plugins are main's, so nothing of the change is run or imported — the build
itself runs in its own process with the render's guards (``pipeline.render.runner``). A build
is kept per head commit of the change and per version of main's site files, under
``<server>/terbit/web/pratinjau/``, and served to the change page's frames with a policy that
forbids scripts (``PREVIEW_HEADERS``).
"""

from __future__ import annotations

import hashlib
import html
import shutil
import threading
from pathlib import Path

from pipeline.errors import TerbitError
from pipeline.evidence.preview import changed_pages
from pipeline.render.landed import build_landed
from pipeline.vcs import Repo

# Scripts never run in a preview (no script source, a sandbox without allow-scripts); images
# and the theme's stylesheet come from the preview itself. Framed only by the application.
PREVIEW_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self'; font-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-same-origin"
)
PREVIEW_HEADERS = {"content-security-policy": PREVIEW_CSP, "x-frame-options": "SAMEORIGIN"}
SITE_FILES = ("theme", "pelicanconf.py", "publishconf.py", "terbit.yml", "plugins")
KEEP = 40  # builds kept; older ones are removed when a new one is made

_LOCK = threading.Lock()


class NoPreview(TerbitError):
    """The change has no page to show, or the site cannot be built (said in the frame)."""


def unavailable_page(message: str, title: str, lang: str) -> str:
    """What the frame shows instead of the page: why, escaped, in a plain document."""
    return (
        f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><main><p>{html.escape(message)}</p>"
        "</main></body></html>"
    )


def folder_of(server: Path) -> Path:
    return server / "terbit" / "web" / "pratinjau"


def build_key(repo: Repo, main: str, head: str) -> str:
    """The head commit and main's site files (theme, settings) the build is made from."""
    ids = repo.blob_ids(f"{main}:{name}" for name in SITE_FILES)
    site = hashlib.sha256(repr(sorted(ids.items())).encode()).hexdigest()[:16]
    return f"{head}-{site}"


def built(
    server: Path, repo: Repo, main: str, head: str, landed_tree: str, drafts: list[str],
    content_path: str,
) -> tuple[Path, list[str]]:  # fmt: skip
    """The built site of ``landed_tree``'s content with main's site files, and the pages of
    ``drafts`` in it (relative paths, articles first); built once per ``build_key``."""
    key = build_key(repo, main, head)
    folder = folder_of(server) / key
    with _LOCK:
        if not (folder / "done").is_file():
            _build(repo, main, landed_tree, content_path, folder)
    site = folder / "site"
    source = folder / "src"
    pages = changed_pages(source, site, drafts, content_path)
    articles = [p for p in pages if p != "index.html"]
    return site, articles or pages


def _build(repo: Repo, main: str, landed_tree: str, content_path: str, folder: Path) -> None:
    build_landed(repo, main, landed_tree, content_path, folder)
    _prune(folder.parent)


def _prune(root: Path) -> None:
    builds = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in builds[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)


def page_file(site: Path, path: str) -> Path | None:
    """The built file at ``path`` (a folder's index.html), never outside ``site``."""
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") or p.startswith(".") for p in parts):
        return None
    target = site.joinpath(*parts)
    if target.is_dir():
        target = target / "index.html"
    try:
        inside = target.resolve(strict=True).is_relative_to(site.resolve())
    except OSError:
        return None
    return target if inside and target.is_file() and not target.is_symlink() else None
