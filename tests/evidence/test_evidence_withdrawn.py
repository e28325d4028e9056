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


def check(root: Path, status: int = 410) -> int:
    base, stop = serve_in_background(root)
    try:
        found = verify_withdrawn(f"{base}artikel/lama/", "Jadwal Lama", base, "artikel/lama/",
                                 attempts=2, backoff_s=0.05, status=status)  # fmt: skip
        return found.status
    finally:
        stop()


def test_a_withdrawn_page_answers_410_with_its_notice_and_is_linked_from_nowhere(tmp_path):
    assert check(site(tmp_path, listed=True, home_links=False)) == 410


def test_a_page_still_served_200_is_not_withdrawn(tmp_path):
    with pytest.raises(NotLiveError, match="belum menjawab 410"):
        check(site(tmp_path, listed=False, home_links=False))


def test_on_a_host_without_per_address_status_the_notice_served_200_is_the_proof(tmp_path):
    """GitHub Pages serves every file with 200 (it has no per-address status): there the notice
    at the address, linked from nowhere, is what proves the withdrawal; the status is kept."""
    assert check(site(tmp_path, listed=False, home_links=False), status=200) == 200


def test_on_such_a_host_the_article_itself_at_200_is_not_withdrawn(tmp_path):
    root = site(tmp_path, listed=False, home_links=False)
    (root / "artikel" / "lama" / "index.html").write_text(
        "<html><body><h1>Jadwal Lama</h1></body></html>", encoding="utf-8"
    )
    with pytest.raises(NotLiveError, match="pemberitahuan penarikan"):
        check(root, status=200)


def test_the_status_a_withdrawn_address_answers_depends_on_the_host():
    from pipeline.config.settings import parse_settings
    from pipeline.deploy import withdrawn_status

    assert withdrawn_status(parse_settings("deploy:\n  target: local\n")) == 410
    assert withdrawn_status(parse_settings("deploy:\n  target: github-pages\n")) == 200


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
