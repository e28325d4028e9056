"""``terbit build`` writes stock Pelican's site, byte for byte.

The sample site (the repository's own content) and a synthetic site of several hundred
articles (enough for the two-core path) are built by the plain ``pelican`` command, with the
same settings and plugins and none of Terbit's build code, and by ``terbit build``: cold, then
after an edit (one article more, one article changed), which ``terbit build`` does
incrementally. The whole trees are compared, as Pelican's own functional tests compare theirs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.sitegen import extra_article, make_site
from pipeline.render.history import history_of_work_tree
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
    """The plain ``pelican`` command of the venv, into a fresh folder; given the articles'
    history from Git as Terbit reads it (the plugin's data, ``-e TERBIT_HISTORY=...``)."""
    shutil.rmtree(output, ignore_errors=True)
    pelican = Path(sys.executable).with_name("pelican")
    history = history_of_work_tree(site, "content")
    extra = ["-e", f"TERBIT_HISTORY={json.dumps(history)}"] if history else []
    run([str(pelican), "content", "-s", "pelicanconf.py", "-o", str(output), *extra], site)
    return tree(output)


def commit_all(site: Path, when: str) -> None:
    """The sample site's history: a commit at a fixed time (history dates come from Git)."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    for args in (["add", "-A"], ["-c", "user.name=Humas", "-c", "user.email=h@x.id", "commit",
                 "-qm", "Terbit"]):  # fmt: skip
        subprocess.run(["git", "-C", str(site), *args], check=True, env=env, capture_output=True)


def correct(site: Path) -> Path:
    """A correction of a published article: a ``ralat`` and a new paragraph."""
    article = site / "content/articles/penerbitan-sscec-pelabuhan-belawan.md"
    text = article.read_text(encoding="utf-8")
    text = text.replace("---\n", "---\nralat: Nomor layanan yang benar 1500-567.\n", 1)
    article.write_text(text + "\nNomor layanan: 1500-567.\n", encoding="utf-8")
    return article


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
    if kind == "sample":  # published from Git: history, then a correction
        subprocess.run(["git", "init", "-q", "-b", "main", str(site)], check=True)
        commit_all(site, "2025-03-03T10:00:00+07:00")
    reference = stock_pelican(site, plain)
    ours, _ = terbit_build(site)
    assert len(reference) > 20
    assert ours == reference
    if kind == "sample":  # the cards' thumbnails are part of both sites
        assert any(name.startswith("thumbs/") for name in reference)

    edit(site)
    if kind == "sample":
        edit_photo(site)
        corrected = correct(site)
        commit_all(site, "2025-03-05T14:30:00+07:00")
    reference = stock_pelican(site, plain)
    ours, said = terbit_build(site)
    assert ours == reference
    if kind == "sample":  # the correction and the history are part of both sites
        page = (site / "output/artikel" / corrected.stem / "index.html").read_text("utf-8")
        assert '<div class="correction" role="note">' in page and 'id="riwayat"' in page
    reused = re.search(r"(\d+) reused", said)
    assert reused and int(reused.group(1)) > 0, said  # the second build was incremental
