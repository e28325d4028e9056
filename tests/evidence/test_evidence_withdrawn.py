"""The live proof of a withdrawal against Terbit's own web server on 127.0.0.1: 410 with the
notice, and no link from the home page; anything less is a located failure, never a pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evidence.live import NotLiveError, links_to, verify_withdrawn
from pipeline.render.serve import serve_in_background

pytestmark = pytest.mark.xdist_group("evidence")

NOTICE = (
    '<html><body><article data-terbit-withdrawn="lama"><h1>Artikel ini telah ditarik</h1>'
    "<p>Artikel \u201cJadwal Lama\u201d tidak lagi tersedia.</p></article></body></html>"
)


def site(root: Path, *, listed: bool, home_links: bool) -> Path:
    (root / "artikel" / "lama").mkdir(parents=True)
    (root / "artikel" / "lama" / "index.html").write_text(NOTICE, encoding="utf-8")
    link = '<a href="artikel/lama/">Jadwal Lama</a>' if home_links else ""
    (root / "index.html").write_text(f"<html><body>{link}</body></html>", encoding="utf-8")
    urls = [{"url": "artikel/lama/", "title": "Jadwal Lama"}] if listed else []
    (root / "withdrawn.json").write_text(json.dumps(urls), encoding="utf-8")
    return root


def check(root: Path) -> int:
    base, stop = serve_in_background(root)
    try:
        found = verify_withdrawn(f"{base}artikel/lama/", "Jadwal Lama", base, "artikel/lama/",
                                 attempts=2, backoff_s=0.05)  # fmt: skip
        return found.status
    finally:
        stop()


def test_a_withdrawn_page_answers_410_with_its_notice_and_is_linked_from_nowhere(tmp_path):
    assert check(site(tmp_path, listed=True, home_links=False)) == 410


def test_a_page_still_served_200_is_not_withdrawn(tmp_path):
    with pytest.raises(NotLiveError, match="belum menjawab 410"):
        check(site(tmp_path, listed=False, home_links=False))


def test_a_home_page_still_linking_to_it_fails(tmp_path):
    with pytest.raises(NotLiveError, match="masih menautkan"):
        check(site(tmp_path, listed=True, home_links=True))


@pytest.mark.parametrize(
    ("href", "linked"),
    [
        ("artikel/lama/", True),
        ("./artikel/lama/index.html", True),
        ("http://127.0.0.1:8000/current/artikel/lama/", True),
        ("artikel/lama-baru/", False),
        ("/xartikel/lama/", False),
    ],
)
def test_links_to(href: str, linked: bool) -> None:
    assert links_to(f'<a class="x" href="{href}">t</a>', "artikel/lama/") is linked
