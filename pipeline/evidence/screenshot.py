"""Screenshots of the live page as evidence: desktop and mobile, full page, compressed, hashed.

A screenshot only counts when the page rendered properly: no console errors (scripts, failed
resources), every image decoded, nothing of the page still loading (``evidence.ready``).
Otherwise the capture fails with the reasons, and the record is marked incomplete rather than
showing a broken page as proof.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from PIL import Image
from playwright.sync_api import Browser, ConsoleMessage, Response, ViewportSize
from playwright.sync_api import Error as PlaywrightError

from pipeline.errors import TerbitError
from pipeline.evidence.ready import InFlight
from pipeline.evidence.spare import Spares
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "failed": (
            "tangkapan layar {url} ({view}) ditolak: {reasons}",
            "screenshot of {url} ({view}) rejected: {reasons}",
        ),
        "console": ("galat konsol: {text}", "console error: {text}"),
        "image": ("gambar tidak termuat: {src}", "image not loaded: {src}"),
        "load": ("halaman tidak termuat: {error}", "page did not load: {error}"),
        "status": ("status HTTP {status}", "HTTP status {status}"),
        "pending": (
            "permintaan belum selesai setelah {seconds:g} detik: {urls}",
            "requests still unfinished after {seconds:g} seconds: {urls}",
        ),
    }
)


class View(TypedDict, total=False):
    """The keyword arguments of ``Browser.new_context`` that make a device."""

    viewport: ViewportSize
    is_mobile: bool
    has_touch: bool
    device_scale_factor: float


VIEWPORTS: dict[str, View] = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "mobile": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 1,
    },
}
NAV_TIMEOUT_MS = 30_000
LOSSLESS_EFFORT = 1  # libwebp's ``method`` for the lossless palette image (see ``compress``)


class ScreenshotError(TerbitError):
    exit_code = 1


@dataclass(frozen=True)
class Shot:
    view: str  # "desktop" | "mobile"
    file: Path
    width: int
    height: int
    bytes: int
    sha256: str


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def compress(png: bytes, max_kb: int) -> tuple[bytes, str, tuple[int, int]]:
    """Smallest faithful encoding under ``max_kb``: the palette image as lossless WebP, else
    lossy WebP, else scaled WebP."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    limit = max_kb * 1024
    # Web pages have few colours: a palette keeps text crisp and files small. Lossless WebP
    # keeps every pixel of it in about 30 % fewer bytes than an optimised PNG (the record is
    # kept in git forever). Effort 1 takes half the time of 4 for 2 % more bytes (the same
    # pixels); 6 is 30x slower for 3 % fewer. Median cut, not the faster octree: on an article
    # page the octree changed the colour of 80 % of the pixels, median cut of 3 %.
    for colors in (256, 64):
        out = io.BytesIO()
        palette = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
        palette.save(out, "WEBP", lossless=True, quality=100, method=LOSSLESS_EFFORT)
        if out.tell() <= limit:
            return out.getvalue(), "webp", image.size
    scaled = image
    for _ in range(6):
        for quality in (80, 65, 50):
            out = io.BytesIO()
            scaled.save(out, "WEBP", quality=quality, method=4)
            if out.tell() <= limit:
                return out.getvalue(), "webp", scaled.size
        width, height = scaled.size
        scaled = scaled.resize((int(width * 0.8), int(height * 0.8)), Image.Resampling.LANCZOS)
    return out.getvalue(), "webp", scaled.size  # best effort; the size is recorded


def capture(
    browser: Browser,
    url: str,
    out_dir: Path,
    stem: str,
    *,
    max_kb: int = 150,
    status: int = 200,
    timeout_ms: int = NAV_TIMEOUT_MS,
    spares: Spares | None = None,
) -> list[Shot]:
    """Desktop and mobile full-page screenshots of ``url`` under ``out_dir``; ``status`` is the
    answer the page must give (410 for a withdrawn article's notice); ``timeout_ms`` bounds
    each view's load and its wait until ready (``evidence.ready``); ``spares``: contexts made
    ready beforehand (``prepare_views``), each used once.

    Both views load side by side (one context each), so their loads overlap; each view is
    still checked and taken on its own page, and nothing is written unless both views pass."""
    out_dir.mkdir(parents=True, exist_ok=True)
    views: list[_View] = []
    try:
        for view in VIEWPORTS:
            views.append(_View(browser, url, view, status, timeout_ms, spares or Spares()))
        for one in views:
            one.load()
        with ThreadPoolExecutor(max_workers=len(views)) as encoder:
            # Each view is encoded as soon as it is taken, the first while Chromium takes the
            # second, and both at once after (Pillow leaves the GIL while it encodes).
            encoded = []
            for one in views:
                raw = one.take()
                encoded.append(encoder.submit(compress, raw, max_kb))
            results = [(one.view, job.result()) for one, job in zip(views, encoded, strict=True)]
    finally:
        for one in views:
            one.close()
    return [_write(out_dir, stem, view, *result) for view, result in results]


class _View:
    """One view of the page in a context of its own: loaded, then checked and captured."""

    def __init__(
        self, browser: Browser, url: str, view: str, status: int, timeout_ms: int, spares: Spares
    ) -> None:
        self.browser, self.url, self.view, self.status = browser, url, view, status
        self.timeout_ms = timeout_ms
        self.problems: list[str] = []
        # A new context per view and per capture (made now, or a clean spare made before):
        # no cookie, storage or cached file of an earlier capture (an edited article's old
        # image under the same address) is shown.
        self.context, (self.page,) = spares.take(browser, view, VIEWPORTS[view])
        self.requests = InFlight(self.page)
        self.page.on("console", lambda m: _console(m, self.problems, url, status))
        self.page.on("pageerror", lambda e: self.problems.append(MSG("console", text=str(e)[:200])))
        self.answer: Response | None = None
        self.failed: str | None = None

    def load(self) -> None:
        """Start loading; a page that does not load is told by ``take``, so the views' problems
        come in the views' order."""
        try:
            # Returns once the answer arrives: the other view starts loading meanwhile.
            self.answer = self.page.goto(self.url, wait_until="commit", timeout=self.timeout_ms)
        except PlaywrightError as error:
            self._failed(error)

    def _failed(self, error: PlaywrightError) -> None:
        if not self.browser.is_connected():
            raise error  # the browser itself died: the stage says so once
        self.failed = MSG("load", error=str(error)[:200])

    def take(self) -> bytes:
        if self.failed is None:
            try:
                self.page.wait_for_load_state("load", timeout=self.timeout_ms)
            except PlaywrightError as error:
                self._failed(error)
        if self.failed is not None:
            raise ScreenshotError(
                MSG("failed", url=self.url, view=self.view, reasons=self.failed)
            ) from None
        page, problems = self.page, self.problems
        if self.answer is not None and self.answer.status != self.status:
            problems.append(MSG("status", status=self.answer.status))
        broken, pending = self.requests.settle(self.timeout_ms)
        problems += [MSG("image", src=src) for src in broken]
        if pending:
            seconds = self.timeout_ms / 1000
            problems.append(MSG("pending", seconds=seconds, urls=", ".join(pending[:3])))
        if problems:
            reasons = "; ".join(dict.fromkeys(problems))
            raise ScreenshotError(MSG("failed", url=self.url, view=self.view, reasons=reasons))
        return page.screenshot(full_page=True, type="png", animations="disabled")

    def close(self) -> None:
        with contextlib.suppress(PlaywrightError):  # already gone when the browser crashed
            self.context.close()


def prepare_views(browser: Browser, spares: Spares) -> None:
    """A spare context for each view, for the next ``capture``."""
    for view, options in VIEWPORTS.items():
        spares.make(browser, view, options)


def _write(
    out_dir: Path, stem: str, view: str, data: bytes, fmt: str, size: tuple[int, int]
) -> Shot:
    file = out_dir / f"{stem}-{view}.{fmt}"
    for stale in out_dir.glob(f"{stem}-{view}.*"):
        stale.unlink()
    temp = file.with_name(f".{file.name}.tmp-{os.getpid()}")
    temp.write_bytes(data)
    os.replace(temp, file)
    width, height = size
    return Shot(view, file, width, height, len(data), hashlib.sha256(data).hexdigest())


def _console(message: ConsoleMessage, problems: list[str], url: str, status: int) -> None:
    where = message.location.get("url", "")
    if status != 200 and where == url:
        return  # Chromium logs the expected 410 of the notice page itself as an error
    # Chromium asks for /favicon.ico on its own; a site without one still renders fully.
    if message.type == "error" and not where.endswith("/favicon.ico"):
        where = message.location.get("url", "")
        text = message.text[:200] + (f" ({where})" if where else "")
        problems.append(MSG("console", text=text))
