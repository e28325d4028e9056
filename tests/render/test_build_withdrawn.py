"""A withdrawn article (``content/withdrawn.yml``) leaves every list, feed, topic and category
page, the search index and the sitemap; its address holds the notice, which ``terbit serve``
answers with 410 Gone. Real builds (the incremental one too) of a synthetic site."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from pipeline.render.runner import build_site
from pipeline.render.serve import serve_in_background
from tests.support.forks import ForkLog


def first_article(site: Path) -> tuple[str, str]:
    """The slug and title of the site's newest article (it is on the home page)."""
    built = site / "output"
    index = json.loads((built / "search.json").read_text(encoding="utf-8"))
    first = next(item for item in index if item["u"].startswith("artikel/"))
    return first["u"].split("/")[1], first["t"]


def everywhere(built: Path) -> str:
    """Every list a visitor or a machine reads: pages, feeds, search index, sitemap."""
    texts = []
    for path in built.rglob("*"):
        if path.name == "withdrawn.json":  # the web server's list of what answers 410
            continue
        if path.suffix in (".html", ".xml", ".json") and "artikel" not in path.parts:
            texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(texts)


@pytest.mark.parametrize("cores", ["one", "two"])
def test_a_withdrawn_article_is_gone_from_every_list_and_answers_410(
    site: Path, cores: str, monkeypatch: pytest.MonkeyPatch, fork_log: ForkLog
) -> None:
    if cores == "two":  # a fork writes pages: the notices are written after it is joined
        monkeypatch.setenv("TERBIT_SPLIT_MIN", "1")
    out = site / "output"
    build_site(site, out)
    slug, title = first_article(site)
    assert f"artikel/{slug}/" in (out / "index.html").read_text(encoding="utf-8")
    (site / "content" / "withdrawn.yml").write_text(
        f"ditarik:\n  - slug: {slug}\n    alasan: Data dalam artikel keliru.\n"
        f"    tanggal: 2026-12-01\n    oleh: sari\n",
        encoding="utf-8",
    )
    build_site(site, out, progress=fork_log)  # incremental: the previous output is reused
    assert fork_log.did("pages") == (cores == "two"), fork_log.forks
    lists = everywhere(out)
    assert f"artikel/{slug}/" not in lists and f"/artikel/{slug}" not in lists
    notice = (out / "artikel" / slug / "index.html").read_text(encoding="utf-8")
    assert "Artikel ini telah ditarik" in notice and "Data dalam artikel keliru." in notice
    assert "1 Desember 2026" in notice and 'name="robots" content="noindex"' in notice
    assert json.loads((out / "withdrawn.json").read_text()) == [
        {"url": f"artikel/{slug}/", "title": title}
    ]
    assert f"location = /artikel/{slug}/ " in (out / "withdrawn.nginx.conf").read_text()
    base, stop = serve_in_background(out)
    try:
        gone = httpx.get(f"{base}artikel/{slug}/", timeout=10)
        assert gone.status_code == 410 and "Artikel ini telah ditarik" in gone.text
        assert httpx.get(f"{base}artikel/{slug}/index.html", timeout=10).status_code == 410
        assert httpx.get(base, timeout=10).status_code == 200
    finally:
        stop()
    # Same content, full build: the same site (the incremental build kept nothing stale).
    full = site / "full"
    build_site(site, full, full=True)
    assert everywhere(full) == lists


def test_an_empty_list_withdraws_nothing(site: Path) -> None:
    (site / "content" / "withdrawn.yml").write_text("ditarik: []\n", encoding="utf-8")
    out = site / "output"
    build_site(site, out)
    assert json.loads((out / "withdrawn.json").read_text()) == []
