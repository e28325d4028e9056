"""``terbit build`` writes stock Pelican's site, byte for byte.

The sample site (the repository's own content) and a synthetic site of several hundred
articles (enough for the two-core path) are built by the plain ``pelican`` command, with the
same settings and plugins and none of Terbit's build code, and by ``terbit build``: cold, then
after an edit (one article more, one article changed), which ``terbit build`` does
incrementally. The whole trees are compared, as Pelican's own functional tests compare theirs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.sitegen import extra_article, make_site
from tests.support.tree import tree

REPO = Path(__file__).resolve().parents[2]
ARTICLES = 460  # above the two-core threshold (400): drafts read and pages written in forks
pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path) -> str:
    env = {**os.environ, "TERBIT_LANG": "en"}
    env.pop("TERBIT_SPLIT_MIN", None)  # the build's own thresholds
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def stock_pelican(site: Path, output: Path) -> dict[str, str]:
    """The plain ``pelican`` command of the venv, into a fresh folder."""
    shutil.rmtree(output, ignore_errors=True)
    pelican = Path(sys.executable).with_name("pelican")
    run([str(pelican), "content", "-s", "pelicanconf.py", "-o", str(output)], site)
    return tree(output)


def terbit_build(site: Path) -> tuple[dict[str, str], str]:
    said = run([sys.executable, "-m", "pipeline", "build"], site)
    return tree(site / "output"), said


def edit(site: Path) -> None:
    """A publication: a new newest article, and an older one changed."""
    item = extra_article()
    (site / "content" / "articles" / f"{item.slug}.md").write_text(item.text, encoding="utf-8")
    older = sorted((site / "content" / "articles").glob("*.md"))[1]
    older.write_text(older.read_text(encoding="utf-8") + "\nParagraf baru.\n", encoding="utf-8")


def edit_photo(site: Path) -> None:
    """A correction of a photo: the first image of an article replaced (new thumbnails)."""
    from PIL import Image

    Image.new("RGB", (1280, 720), (30, 90, 160)).save(site / "content/images/kapal-belawan.png")


def sample_site(folder: Path) -> Path:
    folder.mkdir()
    for name in ("pelicanconf.py", "terbit.yml", "roles.yml"):
        shutil.copy2(REPO / name, folder / name)
    for name in ("theme", "content"):
        shutil.copytree(REPO / name, folder / name)
    return folder


@pytest.mark.parametrize("kind", ["sample", "synthetic"])
def test_terbit_build_equals_stock_pelican_cold_and_incremental(kind: str, tmp_path: Path) -> None:
    site = (
        sample_site(tmp_path / "situs")
        if kind == "sample"
        else make_site(tmp_path / "situs", ARTICLES)
    )
    plain = tmp_path / "plain"
    reference = stock_pelican(site, plain)
    ours, _ = terbit_build(site)
    assert len(reference) > 20
    assert ours == reference
    if kind == "sample":  # the cards' thumbnails are part of both sites
        assert any(name.startswith("thumbs/") for name in reference)

    edit(site)
    if kind == "sample":
        edit_photo(site)
    reference = stock_pelican(site, plain)
    ours, said = terbit_build(site)
    assert ours == reference
    reused = re.search(r"(\d+) reused", said)
    assert reused and int(reused.group(1)) > 0, said  # the second build was incremental
