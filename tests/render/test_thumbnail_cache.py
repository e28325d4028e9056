"""An unchanged photo's thumbnails come from the cache without reading the original (issue 15:
the one-article build with thumbnails on), and a changed photo is never served stale.

The plugin's own signal handler runs on a real Pelican articles generator, with real JPEG files
and the real cache folder; which files the process opens is observed with an audit hook.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pelican.generators import ArticlesGenerator
from pelican.settings import read_settings
from PIL import Image

from pipeline.render.plugins.thumbnails import add_thumbnails

_opened: list[str] = []
_watching: list[bool] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _watching and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # hooks cannot be removed: this one records only while watching


def photo(path: Path, colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Uncompressed PNG: the same size in bytes whatever the colour.
    Image.new("RGB", (1600, 1200), colour).save(path, compress_level=0)


def run(root: Path, cache: Path) -> tuple[Any, list[str]]:
    """One build's thumbnails of one article; the thumbnail and the files opened."""
    settings = read_settings(
        None,
        override={
            "PATH": str(root / "content"),
            "OUTPUT_PATH": str(root / "output"),
            "TERBIT_THUMB_CACHE": str(cache),
        },
    )
    generator = ArticlesGenerator(
        context=settings.copy(),
        settings=settings,
        path=settings["PATH"],
        theme=settings["THEME"],
        output_path=settings["OUTPUT_PATH"],
    )
    article = SimpleNamespace(images=[{"src": "images/foto.png", "alt": "Foto kegiatan"}])
    generator.articles = [article]
    _opened.clear()
    _watching.append(True)
    try:
        add_thumbnails(generator)
    finally:
        _watching.clear()
    return article.thumbnail, list(_opened)


def test_unchanged_photo_is_not_read_again(tmp_path: Path) -> None:
    original = tmp_path / "content" / "images" / "foto.png"
    photo(original, (200, 40, 40))
    cache = tmp_path / "cache"
    first, opened = run(tmp_path, cache)
    assert str(original) in opened  # the first build reads and resizes it
    assert first["width"] == 320 and (tmp_path / "output" / first["src"]).is_file()

    again, opened = run(tmp_path, cache)
    assert str(original) not in opened
    assert again == first
    for path, _ in again["files"]:
        assert (tmp_path / "output" / path).is_file()


def test_changed_photo_of_the_same_size_and_time_gets_new_thumbnails(tmp_path: Path) -> None:
    original = tmp_path / "content" / "images" / "foto.png"
    photo(original, (200, 40, 40))
    cache = tmp_path / "cache"
    first, _ = run(tmp_path, cache)
    before = original.stat()

    # New bytes written over the old in place, size and modification time as they were.
    replacement = tmp_path / "lain.png"
    photo(replacement, (30, 60, 220))
    assert replacement.stat().st_size == before.st_size
    with original.open("r+b") as handle:
        handle.write(replacement.read_bytes())
    os.utime(original, ns=(before.st_atime_ns, before.st_mtime_ns))

    again, opened = run(tmp_path, cache)
    assert str(original) in opened
    assert again["src"] != first["src"]
    with Image.open(tmp_path / "output" / again["src"]) as thumb:
        assert thumb.convert("RGB").getpixel((10, 10)) == (30, 60, 220)


def test_thumbnail_missing_from_the_cache_is_made_again(tmp_path: Path) -> None:
    original = tmp_path / "content" / "images" / "foto.png"
    photo(original, (200, 40, 40))
    cache = tmp_path / "cache"
    first, _ = run(tmp_path, cache)
    for kept in cache.glob("*.png"):
        kept.unlink()
    for path, _ in first["files"]:
        (tmp_path / "output" / path).unlink()

    again, opened = run(tmp_path, cache)
    assert str(original) in opened
    assert again == first
    assert len(list(cache.glob("*.png"))) == len(first["files"])
    for path, _ in again["files"]:
        assert (tmp_path / "output" / path).is_file()
