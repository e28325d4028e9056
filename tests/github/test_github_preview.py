"""Preview screenshots of the pages a PR changes (real Chromium, served from loopback)."""

from __future__ import annotations

import json

import pytest

from pipeline.evidence.preview import changed_pages, screenshots

PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2rem}}</style></head>
<body><h1>{title}</h1><p>Isi halaman pratinjau.</p>{extra}</body></html>"""


def _site(tmp_path):
    root = tmp_path / "repo"
    (root / "content/articles").mkdir(parents=True)
    (root / "content/pages").mkdir(parents=True)
    (root / "content/articles/haji-kualanamu.md").write_text(
        "---\ntitle: Haji\nslug: pemeriksaan-haji\n---\nIsi.\n", encoding="utf-8"
    )
    (root / "content/pages/profil.md").write_text(
        "---\ntitle: Profil\n---\nIsi.\n", encoding="utf-8"
    )
    out = tmp_path / "output"
    for rel, title, extra in (
        ("index.html", "Beranda", ""),
        ("artikel/pemeriksaan-haji/index.html", "Pemeriksaan Haji", ""),
        ("profil/index.html", "Profil", '<img src="/hilang.png" alt="foto">'),
    ):
        page = out / rel
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(PAGE.format(title=title, extra=extra), encoding="utf-8")
    return root, out


def test_changed_drafts_map_to_their_pages(tmp_path):
    root, out = _site(tmp_path)
    changed = [
        "content/articles/haji-kualanamu.md",  # slug from front matter
        "content/pages/profil.md",  # page: /<slug>/
        "content/images/foto.png",  # not a draft
        "content/articles/dihapus.md",  # deleted in the PR
    ]
    assert changed_pages(root, out, changed) == [
        "index.html",
        "artikel/pemeriksaan-haji/index.html",
        "profil/index.html",
    ]


@pytest.mark.browser
def test_screenshots_desktop_and_mobile_and_broken_page_reported(tmp_path):
    _, out = _site(tmp_path)
    shots = tmp_path / "shots"
    pages = ["artikel/pemeriksaan-haji/index.html", "profil/index.html"]
    manifest = screenshots(out, pages, shots, max_kb=150)
    taken = [(s["page"], s["view"]) for s in manifest["shots"]]
    assert taken == [
        ("/artikel/pemeriksaan-haji/", "desktop"),
        ("/artikel/pemeriksaan-haji/", "mobile"),
    ]
    for shot in manifest["shots"]:
        assert (shots / shot["file"]).stat().st_size == shot["bytes"] > 0
    # The page with a missing image is refused, with the reason, instead of shown as fine.
    assert "hilang.png" in manifest["error"]
    assert json.loads((shots / "manifest.json").read_text(encoding="utf-8")) == manifest


@pytest.mark.browser
def test_the_preview_checks_the_changed_pages_as_a_visitor_would(tmp_path):
    _, out = _site(tmp_path)
    article = out / "artikel/pemeriksaan-haji/index.html"
    bad = '<img src="/artikel/pemeriksaan-haji/foto.png"><a href="/artikel/tidak-ada/">x</a>'
    article.write_text(PAGE.format(title="Pemeriksaan Haji", extra=bad), encoding="utf-8")
    (article.parent / "foto.png").write_bytes(b"")  # present, so only axe and the link fail
    pages = ["index.html", "artikel/pemeriksaan-haji/index.html"]
    manifest = screenshots(out, pages, tmp_path / "shots", max_kb=150)
    check = manifest["page_check"]
    assert [p.split("/", 3)[3] for p in check["pages"]] == ["", "artikel/pemeriksaan-haji/"]
    assert {v["rule"] for v in check["violations"]} == {"image-alt"}
    assert [b["href"].split("/", 3)[3] for b in check["broken_links"]] == ["artikel/tidak-ada/"]
    assert "image-alt" in manifest["error"] and "artikel/tidak-ada/" in manifest["error"]
