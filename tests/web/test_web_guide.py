"""The user guide (docs/panduan/) and its screenshots: every picture the guide shows is one the
screenshot command takes, committed and small; and the committed pictures are what the current
app renders (the rule is written in docs/panduan/README.md)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.web.screenshots import GUIDE, MAX_BYTES, MAX_HEIGHT, PICTURES, SHOTS, SIZES, cut, take

REFERENCE = re.compile(r"\]\((gambar/[^)\s]+)\)")
# The rule, in numbers (docs/panduan/README.md): the width exact, the height within a fifth,
# and of the 8×8-pixel cells that hold ink in either picture (over their common height) at
# most INK_SHARE differ clearly. Dates, times and record numbers move a few cells; another
# page, a missing section or a new layout moves a quarter of them or more (measured: the
# same page twice 0-1 %, two pages of the guide at least 24 %).
HEIGHT_SHARE = 0.2
CELL = 8
INKED = 235  # a cell darker than this holds text or lines
CLEAR = 48  # a cell this much lighter or darker has changed
INK_SHARE = 0.15


def _references() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for doc in sorted(GUIDE.glob("*.md")):
        for target in REFERENCE.findall(doc.read_text(encoding="utf-8")):
            found.setdefault(target, []).append(doc.name)
    return found


def test_every_picture_the_guide_shows_is_taken_and_committed() -> None:
    taken = {f"gambar/{shot.name}.png" for shot in SHOTS}
    shown = _references()
    assert set(shown) - taken == set(), "the guide shows pictures no shot takes"
    assert taken - set(shown) == set(), "shots the guide never shows"
    for shot in SHOTS:
        path = PICTURES / f"{shot.name}.png"
        assert path.is_file(), f"{path} missing: run python -m tests.web.screenshots"
        assert path.stat().st_size <= MAX_BYTES, path
        with Image.open(path) as image:
            assert image.width <= SIZES[shot.size][0] and image.height <= MAX_HEIGHT, path


def test_every_role_has_its_guide_linked_from_the_index() -> None:
    index = (GUIDE / "README.md").read_text(encoding="utf-8")
    for name in ("staf-tim-kerja.md", "katimker.md", "kepala-satker.md", "admin-website.md"):
        assert (GUIDE / name).is_file(), name
        assert f"]({name})" in index, name


def _differs(committed: Path, fresh: Path) -> str:
    with Image.open(committed) as old, Image.open(fresh) as new:
        if old.width != new.width:
            return f"width {old.width} → {new.width}"
        if abs(old.height - new.height) > HEIGHT_SHARE * max(old.height, new.height):
            return f"height {old.height} → {new.height}"
        height = min(old.height, new.height)
        cells = (old.width // CELL, height // CELL)
        a, b = (i.convert("L").crop((0, 0, i.width, height)).resize(cells, Image.Resampling.BOX)
                for i in (old, new))  # fmt: skip
    ink = ImageChops.darker(a, b).point(lambda v: 255 if v < INKED else 0)
    changed = ImageChops.difference(a, b).point(lambda v: 255 if v > CLEAR else 0)
    moved = ImageChops.multiply(ink, changed).histogram()[255]
    share = moved / max(1, ink.histogram()[255])
    return f"{share:.0%} of the inked cells changed" if share > INK_SHARE else ""


def test_the_comparison_tells_pages_apart() -> None:
    """The rule itself: a picture matches itself, and no two pages of the guide match."""
    by_width: dict[int, list[Path]] = {}
    for shot in SHOTS:
        path = PICTURES / f"{shot.name}.png"
        assert _differs(path, path) == ""
        with Image.open(path) as image:
            by_width.setdefault(image.width, []).append(path)
    for paths in by_width.values():
        for one, other in itertools.combinations(paths, 2):
            assert _differs(one, other), f"{one.name} and {other.name} compare equal"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("web-guide")
def test_committed_pictures_are_what_the_app_renders_now(tmp_path: Path) -> None:
    # Compared as taken (cut at the guide's height): making them small is for the committed
    # files (a palette and PNG optimisation, about 7 s for the 23 pictures), not the comparison.
    fresh = take(tmp_path, finish=cut)  # fails on its own if a page answers other than 200
    stale = {name: why for name, path in fresh.items()
             if (why := _differs(PICTURES / f"{name}.png", path))}  # fmt: skip
    assert stale == {}, f"run python -m tests.web.screenshots: {stale}"
