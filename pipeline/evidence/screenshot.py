"""Screenshots of the live page as evidence: desktop and mobile, full page, compressed, hashed.

A screenshot only counts when the page rendered properly: no console errors (scripts, failed
resources) and every image decoded. Otherwise the capture fails with the reasons, and the record
is marked incomplete rather than showing a broken page as proof.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from PIL import Image
from playwright.sync_api import Browser, ConsoleMessage, ViewportSize
from playwright.sync_api import Error as PlaywrightError

from pipeline.errors import TerbitError
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

# Load lazy images now and wait (bounded) for every image to settle, then list the broken ones.
IMAGES_JS = """
async () => {
  const imgs = Array.from(document.images);
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.race([
    Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
      i.addEventListener('load', r); i.addEventListener('error', r); }))),
    new Promise(r => setTimeout(r, 10000)),
  ]);
  return imgs.filter(i => !i.complete || i.naturalWidth === 0)
             .map(i => i.currentSrc || i.src || i.outerHTML.slice(0, 80));
}
"""


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
    # kept in git forever); effort 4 costs what PNG's optimiser does, 6 is 30x slower for 3 %.
    for colors in (256, 64):
        out = io.BytesIO()
        palette = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
        palette.save(out, "WEBP", lossless=True, quality=100, method=4)
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
    browser: Browser, url: str, out_dir: Path, stem: str, *, max_kb: int = 150, status: int = 200
) -> list[Shot]:
    """Desktop and mobile full-page screenshots of ``url`` under ``out_dir``; ``status`` is the
    answer the page must give (410 for a withdrawn article's notice)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [_one(browser, url, out_dir, stem, view, max_kb, status) for view in VIEWPORTS]


def _console(message: ConsoleMessage, problems: list[str], url: str, status: int) -> None:
    where = message.location.get("url", "")
    if status != 200 and where == url:
        return  # Chromium logs the expected 410 of the notice page itself as an error
    # Chromium asks for /favicon.ico on its own; a site without one still renders fully.
    if message.type == "error" and not where.endswith("/favicon.ico"):
        where = message.location.get("url", "")
        text = message.text[:200] + (f" ({where})" if where else "")
        problems.append(MSG("console", text=text))


def _one(
    browser: Browser, url: str, out_dir: Path, stem: str, view: str, max_kb: int, status: int
) -> Shot:
    context = browser.new_context(**VIEWPORTS[view])
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: _console(m, problems, url, status))
        page.on("pageerror", lambda e: problems.append(MSG("console", text=str(e)[:200])))
        try:
            answer = page.goto(url, wait_until="load", timeout=NAV_TIMEOUT_MS)
        except PlaywrightError as error:
            if not browser.is_connected():
                raise  # the browser itself died: the stage says so once
            raise ScreenshotError(
                MSG("failed", url=url, view=view, reasons=MSG("load", error=str(error)[:200]))
            ) from None
        if answer is not None and answer.status != status:
            problems.append(MSG("status", status=answer.status))
        problems += [MSG("image", src=src) for src in page.evaluate(IMAGES_JS)]
        page.wait_for_load_state("networkidle", timeout=NAV_TIMEOUT_MS)
        if problems:
            raise ScreenshotError(
                MSG("failed", url=url, view=view, reasons="; ".join(dict.fromkeys(problems)))
            )
        raw = page.screenshot(full_page=True, type="png", animations="disabled")
    finally:
        with contextlib.suppress(PlaywrightError):  # already gone when the browser crashed
            context.close()
    data, fmt, (width, height) = compress(raw, max_kb)
    file = out_dir / f"{stem}-{view}.{fmt}"
    for stale in out_dir.glob(f"{stem}-{view}.*"):
        stale.unlink()
    temp = file.with_name(f".{file.name}.tmp-{os.getpid()}")
    temp.write_bytes(data)
    os.replace(temp, file)
    return Shot(view, file, width, height, len(data), sha256_file(file))
