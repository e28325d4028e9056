"""The user guide (docs/panduan/) and its screenshots: every picture the guide shows is one the
screenshot command takes, committed and small; and the committed pictures are what the current
app renders (the rule is written in docs/panduan/README.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.web.screenshots import GUIDE, MAX_BYTES, MAX_HEIGHT, PICTURES, SHOTS, SIZES, take

REFERENCE = re.compile(r"\]\((gambar/[^)\s]+)\)")
# The rule, in numbers: width exact, height within a fifth, a 32×32 grey thumbnail within
# 24/255 on average. Fonts and dates differ between machines; a missing section, another page
# or a new layout does not stay within these.
HEIGHT_SHARE = 0.2
THUMB = (32, 32)
THUMB_DIFF = 24.0


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
        a = old.convert("L").resize(THUMB, Image.Resampling.BOX)
        b = new.convert("L").resize(THUMB, Image.Resampling.BOX)
        mean = ImageStat.Stat(ImageChops.difference(a, b)).mean[0]
        return f"looks different ({mean:.1f}/255)" if mean > THUMB_DIFF else ""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("web")
def test_committed_pictures_are_what_the_app_renders_now(tmp_path: Path) -> None:
    fresh = take(tmp_path)  # fails on its own if a page answers other than 200
    stale = {name: why for name, path in fresh.items()
             if (why := _differs(PICTURES / f"{name}.png", path))}  # fmt: skip
    assert stale == {}, f"run python -m tests.web.screenshots: {stale}"
