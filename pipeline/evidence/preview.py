"""Screenshots of the pages a pull request changes, from the preview build, for reviewers.

The preview build is served from loopback for the capture only; the capture itself (desktop
and mobile, compressed, refused when the page is broken) is the evidence module's.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pipeline.draft.frontmatter import parse
from pipeline.errors import TerbitError
from pipeline.evidence.findings import findings
from pipeline.evidence.visitor import check_pages
from pipeline.i18n import Catalog

MAX_PAGES = 8  # a PR that touches more pages gets the first ones; the build checks them all

MSG = Catalog(
    {
        "no_output": (
            "folder hasil build {path} tidak ada; jalankan 'terbit build' dulu",
            "build output folder {path} is missing; run 'terbit build' first",
        ),
    }
)


def _slug(root: Path, draft: str) -> str | None:
    path = root / draft
    try:
        meta = parse(path.read_text(encoding="utf-8"), draft).meta
    except (OSError, TerbitError):
        return path.stem
    slug = meta.get("slug") if isinstance(meta, dict) else None
    return str(slug) if slug else path.stem


def changed_pages(
    root: Path, output: Path, changed: list[str], content_dir: str = "content"
) -> list[str]:
    """Output pages (relative URLs) for the changed drafts, home page first."""
    pages = ["index.html"] if (output / "index.html").is_file() else []
    for draft in changed:
        if not (draft.startswith(f"{content_dir}/") and draft.endswith(".md")):
            continue
        if not (root / draft).is_file():
            continue  # deleted in this PR: nothing to show
        slug = _slug(root, draft)
        if not slug:
            continue
        # Articles live under artikel/<slug>/, pages under <slug>/ (pelicanconf); search as a
        # fallback so a changed URL scheme still finds the page.
        preferred = ("artikel/" if "/pages/" not in draft else "") + f"{slug}/index.html"
        found = [preferred] if (output / preferred).is_file() else []
        if not found:
            found = sorted(
                p.relative_to(output).as_posix() for p in output.rglob(f"{slug}/index.html")
            )[:1]
        pages += [p for p in found if p not in pages]
    return pages[: MAX_PAGES + 1]


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free loopback port while the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _stem(page: str) -> str:
    stem = page.removesuffix("index.html").strip("/").replace("/", "-")
    return stem or "beranda"


def screenshots(output: Path, pages: list[str], out_dir: Path, *, max_kb: int) -> dict[str, Any]:
    """Capture every page (desktop + mobile); the manifest says what was taken or what failed."""
    if not output.is_dir():
        raise TerbitError(MSG("no_output", path=output))
    # Here, not at the top: `terbit --help` loads the github command, and Playwright would add
    # about 0.3 s to its start-up.
    from pipeline.evidence.browser import chromium
    from pipeline.evidence.screenshot import capture

    shots: list[dict[str, Any]] = []
    errors: list[str] = []
    with serve(output) as base, chromium() as browser:
        # The visitor's check (axe, internal links and images) of the same pages: a violation
        # or a broken link fails the preview, which is the PR's check (issue 15 §5).
        urls = [base + page.removesuffix("index.html") for page in pages]
        page_check = check_pages(browser, urls, output, base)
        errors += findings(page_check.data())
        for page in pages:
            try:
                taken = capture(
                    browser,
                    base + page.removesuffix("index.html"),
                    out_dir,
                    _stem(page),
                    max_kb=max_kb,
                )
            except TerbitError as error:
                errors.append(str(error))
                continue
            shots += [
                {
                    "page": "/" + page.removesuffix("index.html"),
                    "view": shot.view,
                    "file": shot.file.name,
                    "width": shot.width,
                    "height": shot.height,
                    "bytes": shot.bytes,
                    "sha256": shot.sha256,
                }
                for shot in taken
            ]
    manifest = {
        "shots": shots,
        "error": "; ".join(errors) or None,
        "page_check": page_check.data(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest
