"""Thumbnails of each article's first image for the news cards, made at build with Pillow.

Each article with ``images`` gets ``article.thumbnail``: the resized files (``WIDTHS``, never
wider than the original) under ``thumbs/`` of the output, named by the digest of the original's
bytes, with the ``srcset`` and the display size the theme prints (``width``/``height``, so the
card keeps its place while the image loads). The originals stay as they are.

Resizing is the slow part, so the files are kept in ``TERBIT_THUMB_CACHE`` (set by Terbit's
build to a folder of its cache, outside the repository) by digest and hard-linked into the
output; the plain ``pelican`` command has no such folder and resizes every time: the same
bytes. Reading and digesting every original at every build is the next slowest (thousands of
camera photos: most of a one-article build), so the cache also keeps what it learnt of each
original (``Originals``): an unchanged file's thumbnails are linked without reading it. The
original is read only when it is a regular file inside ``content/`` (``confine.Content``),
like everything else the build reads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator
from PIL import Image, UnidentifiedImageError

from pipeline.errors import InputError
from pipeline.i18n import Catalog
from pipeline.render.confine import Content

# Widths the theme's cards and featured panels use (1x and 2x of a ~20rem card).
WIDTHS = (320, 640)
FOLDER = "thumbs"
FORMAT = 1  # part of every cache file name: bump when the resizing changes
# What a thumbnail of each source type is saved as (GIF as PNG: no animation in a card).
SAVE_AS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "PNG", ".webp": "WEBP"}
SUFFIX = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# A small file can still decode into a huge one (a "decompression bomb"): 40 megapixels is
# beyond any camera the office uses and ~160 MB decoded.
MAX_PIXELS = 40_000_000
BROKEN = (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError)

log = logging.getLogger(__name__)
MSG = Catalog(
    {
        "too_many_pixels": (
            "{width}×{height} piksel (batas {limit} juta)",
            "{width}×{height} pixels (limit {limit} million)",
        ),
        "unreadable": (
            "gambar tidak dapat dibaca untuk gambar kecil ({error}); kartu tampil tanpa gambar",
            "cannot read the image for a thumbnail ({error}); the card shows no image",
        ),
    }
)


def sizes(width: int, height: int) -> list[tuple[int, int]]:
    """``(width, height)`` of each thumbnail: the theme's widths up to the original's (the
    original's own width when it is narrower than all of them)."""
    wanted = [w for w in WIDTHS if w < width] or [width]
    if width > wanted[-1] and width < WIDTHS[-1]:
        wanted.append(width)  # the sharpest the original allows for 2x screens
    return [(w, max(1, round(height * w / width))) for w in wanted]


def resized(source: bytes, size: tuple[int, int], kind: str) -> bytes:
    """The image scaled to ``size`` and encoded as ``kind``; the same input, the same bytes."""
    with Image.open(BytesIO(source)) as opened:
        opened.load()
        palette = opened.mode == "P"
        image: Image.Image = opened
        if kind == "JPEG":
            image = opened.convert("RGB")
        elif opened.mode not in ("RGB", "RGBA", "L", "LA"):
            image = opened.convert("RGBA")
        small = image.resize(size, Image.Resampling.LANCZOS)
        if palette and kind == "PNG":
            # Smoothing makes new colours: back to a palette, or the thumbnail of a flat
            # illustration weighs several times its original.
            small = small.quantize(256, method=Image.Quantize.FASTOCTREE)
        out = BytesIO()
        small.save(out, kind, quality=82, optimize=True)
        return out.getvalue()


def _place(data_or_cached: bytes | Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return  # two articles with the same first image
    if isinstance(data_or_cached, Path):
        try:
            os.link(data_or_cached, target)
            return
        except OSError:  # another file system: copy
            data_or_cached = data_or_cached.read_bytes()
    target.write_bytes(data_or_cached)


def _cached(cache: Path | None, name: str, make: Any) -> bytes | Path:
    """The file from the cache, made and kept there (atomically) when missing."""
    if cache is None:
        return make()
    kept = cache / name
    if kept.is_file():
        return kept
    data = make()
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, kept)
    return kept


def _identity(st: os.stat_result) -> list[int]:
    # Any write to a file, or a checkout that replaces it, changes its change time, which no
    # program can set back: the same identity means the same bytes (as for Git's index).
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


class Originals:
    """Each original's digest and pixel size by its path and identity, kept in the cache
    folder between builds (what one build saw replaces what the last one saw)."""

    def __init__(self, cache: Path | None) -> None:
        self.path = cache / f"originals-{FORMAT}.json" if cache is not None else None
        self.known: dict[str, list[Any]] = {}
        self.seen: dict[str, list[Any]] = {}
        if self.path is not None:
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}  # none yet, or a torn file: every original is read once more
            self.known = loaded if isinstance(loaded, dict) else {}

    def get(self, rel: str, st: os.stat_result) -> tuple[str, int, int] | None:
        entry = self.seen.get(rel) or self.known.get(rel)  # seen: another article's image
        if not isinstance(entry, list) or entry[:5] != _identity(st) or len(entry) != 8:
            return None
        self.seen[rel] = entry
        digest, width, height = entry[5:]
        return str(digest), int(width), int(height)

    def remember(self, rel: str, st: os.stat_result, digest: str, size: tuple[int, int]) -> None:
        self.seen[rel] = [*_identity(st), digest, *size]

    def save(self) -> None:
        if self.path is None or self.seen == self.known:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self.seen, handle, separators=(",", ":"))
        os.replace(tmp, self.path)


def thumbnail(
    image: dict[str, str],
    content: Content,
    output: Path,
    cache: Path | None,
    originals: Originals | None = None,
) -> Any:
    """The ``article.thumbnail`` of one image, its files written; ``None`` when it cannot be
    read (the build's own checks locate a missing or refused file)."""
    rel = os.path.normpath(image["src"])
    if rel.startswith(content.path.name + os.sep):  # "images/x.png" is relative to content/
        rel = rel[len(content.path.name) + 1 :]
    kind = SAVE_AS.get(os.path.splitext(rel)[1].lower())
    if kind is None or content.problem(rel):
        return None
    originals = originals or Originals(None)
    path = content.path / rel
    try:
        known = originals.get(rel, os.stat(path))
        files = _linked(known, kind, output, cache) if known else None
        if files is None:
            with open(path, "rb") as handle:
                st, source = os.fstat(handle.fileno()), handle.read()
            digest = hashlib.sha256(source).hexdigest()
            size = _pixels(source)
            files = _make(source, digest, size, kind, output, cache)
            originals.remember(rel, st, digest, size)
    except BROKEN as error:  # a damaged or hostile file: the card goes without, the site builds
        # Located for Terbit's log handler (``worker.LogCapture``); plain Pelican prints it.
        problem = InputError(MSG("unreadable", error=error), path=content.shown(rel))
        log.warning("%s: %s", problem.path, problem.message, extra={"terbit": problem})
        return None
    src, w, h = files[0]
    return {
        "src": src,
        "files": [(path, fw) for path, fw, _ in files],
        "width": w,
        "height": h,
        "alt": image["alt"],
    }


def _pixels(source: bytes) -> tuple[int, int]:
    """The original's size, refused when it would decode into too many pixels."""
    with Image.open(BytesIO(source)) as probe:
        width, height = probe.size
    if width * height > MAX_PIXELS:
        limit = MAX_PIXELS // 1_000_000
        raise ValueError(MSG("too_many_pixels", width=width, height=height, limit=limit))
    return width, height


def _names(digest: str, size: tuple[int, int], kind: str) -> list[tuple[str, str, int, int]]:
    """``(name in the cache, name in the site, width, height)`` of each thumbnail."""
    return [
        (f"{digest}-{w}x{h}-{FORMAT}{SUFFIX[kind]}", f"{digest[:20]}-{w}{SUFFIX[kind]}", w, h)
        for w, h in sizes(*size)
    ]


def _linked(
    known: tuple[str, int, int], kind: str, output: Path, cache: Path | None
) -> list[tuple[str, int, int]] | None:
    """The thumbnails of a known original linked from the cache, or ``None`` when one is
    missing there (then the original is read and they are made again)."""
    digest, width, height = known
    names = _names(digest, (width, height), kind)
    if cache is None or not all((cache / kept).is_file() for kept, *_ in names):
        return None
    for kept, name, *_ in names:
        _place(cache / kept, output / FOLDER / name)
    return [(f"{FOLDER}/{name}", w, h) for _, name, w, h in names]


def _make(
    source: bytes, digest: str, size: tuple[int, int], kind: str, output: Path, cache: Path | None
) -> list[tuple[str, int, int]]:
    """``(path in the site, width, height)`` of each thumbnail of ``source``, written."""
    files = []
    for kept, name, w, h in _names(digest, size, kind):
        made = _cached(cache, kept, lambda wh=(w, h): resized(source, wh, kind))
        _place(made, output / FOLDER / name)
        files.append((f"{FOLDER}/{name}", w, h))
    return files


def add_thumbnails(generator: Any) -> None:
    """``article_generator_finalized``: every article's first image, before any page is
    written (so the page digests of the incremental build include it)."""
    if not isinstance(generator, ArticlesGenerator):
        return
    settings = generator.settings
    content = Content(generator.path)
    output = Path(settings["OUTPUT_PATH"])
    cache = Path(settings["TERBIT_THUMB_CACHE"]) if settings.get("TERBIT_THUMB_CACHE") else None
    originals = Originals(cache)
    for article in generator.articles:
        images = getattr(article, "images", None)
        made = thumbnail(images[0], content, output, cache, originals) if images else None
        article.thumbnail = made
    originals.save()


def register() -> None:
    signals.article_generator_finalized.connect(add_thumbnails)
