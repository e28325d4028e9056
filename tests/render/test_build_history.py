"""Corrections and the public history of a published article (issue 15 §3).

A real Git repository with an article published, then corrected by a second commit (dates set
on the commits, never the clock): the built page shows the dated "Ralat" with its summary, the
Atom feed marks the entry updated, and the page lists both versions with their dates. The
history comes from Git through Terbit, never from the tree: a tree that brings its own
``TERBIT_HISTORY`` in its settings changes nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

from pipeline.render.runner import build_site
from tests.render.test_build_equivalence import REPO

ATOM = "{http://www.w3.org/2005/Atom}"
DRAFT = (
    "---\ntitle: Jam Layanan Vaksinasi\ndate: 2025-03-03 09:00\ncategory: Berita\n"
    "author: Tim Humas\nsummary: Jam layanan vaksinasi internasional.\n{extra}---\n\n"
    "Layanan buka pukul {hours}.\n"
)
FIRST = "2025-03-03T10:00:00+07:00"
SECOND = "2025-03-05T14:30:00+07:00"


def git(site: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-C", str(site), *args], check=True, env=env, capture_output=True)


def commit(site: Path, message: str, when: str) -> None:
    git(site, "add", "-A")
    git(site, "-c", "user.name=Humas", "-c", "user.email=humas@example.go.id", "commit",
        "-qm", message, when=when)  # fmt: skip


def corrected_site(folder: Path, corrected: bool = True) -> Path:
    folder.mkdir()
    for name in ("pelicanconf.py", "terbit.yml", "roles.yml"):
        shutil.copy2(REPO / name, folder / name)
    shutil.copytree(REPO / "theme", folder / "theme")
    shutil.copytree(REPO / "content" / "pages", folder / "content" / "pages")
    article = folder / "content" / "articles" / "jam-layanan.md"
    article.parent.mkdir(parents=True)
    git(folder, "init", "-q", "-b", "main")
    ralat = "ralat: Jam buka yang benar pukul 07.30, bukan 08.00.\n"
    if not corrected:  # a draft may carry the field at its first publication
        article.write_text(DRAFT.format(extra=ralat, hours="07.30"), encoding="utf-8")
        commit(folder, "Terbit: jam layanan", FIRST)
        return folder
    article.write_text(DRAFT.format(extra="", hours="08.00"), encoding="utf-8")
    commit(folder, "Terbit: jam layanan", FIRST)
    article.write_text(DRAFT.format(extra=ralat, hours="07.30"), encoding="utf-8")
    commit(folder, "Ralat: jam layanan", SECOND)
    return folder


def test_corrected_article_shows_dated_note_feed_updated_and_history(tmp_path: Path) -> None:
    site = corrected_site(tmp_path / "situs")
    out = build_site(site, cache_base=tmp_path / "cache").output
    page = (out / "artikel" / "jam-layanan" / "index.html").read_text(encoding="utf-8")

    assert '<div class="correction" role="note">' in page
    assert (
        f'<strong>Ralat</strong> <time datetime="{SECOND}">5 Maret 2025</time>: '
        "Jam buka yang benar pukul 07.30, bukan 08.00." in page
    )
    history = page.split('id="riwayat"', 1)[1].split("</section>", 1)[0]
    assert f'Versi 2: <time datetime="{SECOND}">5 Maret 2025</time>' in history
    assert f'Versi 1: <time datetime="{FIRST}">3 Maret 2025</time> (terbit pertama)' in history
    assert history.index("Versi 2") < history.index("Versi 1")  # newest first

    feed = ET.parse(out / "feeds" / "semua.atom.xml").getroot()
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}published") == FIRST.replace("10:00:00", "09:00:00")
    assert entry.findtext(f"{ATOM}updated") == SECOND


def test_history_is_read_by_terbit_not_claimed_by_the_tree(tmp_path: Path) -> None:
    site = corrected_site(tmp_path / "situs")
    forged = '\nTERBIT_HISTORY = {"articles/jam-layanan.md": [{"commit": "x", "date": "1999-01-01T00:00:00+00:00"}] * 3}\n'  # noqa: E501
    with (site / "pelicanconf.py").open("a", encoding="utf-8") as handle:
        handle.write(forged)
    out = build_site(site, cache_base=tmp_path / "cache").output
    page = (out / "artikel" / "jam-layanan" / "index.html").read_text(encoding="utf-8")
    assert "1999" not in page and "Versi 3" not in page
    assert "Versi 2" in page


def test_article_published_once_has_no_note_nor_history(tmp_path: Path) -> None:
    site = corrected_site(tmp_path / "situs", corrected=False)
    out = build_site(site, cache_base=tmp_path / "cache").output
    page = (out / "artikel" / "jam-layanan" / "index.html").read_text(encoding="utf-8")
    assert "correction" not in page and 'id="riwayat"' not in page


def test_history_kept_in_the_cache_follows_new_and_rewritten_commits(tmp_path: Path) -> None:
    site = corrected_site(tmp_path / "situs")
    cache = tmp_path / "cache"
    build_site(site, cache_base=cache)
    assert list(cache.rglob("history.json"))  # kept outside the repository
    article = site / "content" / "articles" / "jam-layanan.md"
    article.write_text(article.read_text("utf-8") + "\nTambahan.\n", "utf-8")
    commit(site, "Pembaruan", "2025-03-07T08:00:00+07:00")
    out = build_site(site, cache_base=cache).output
    page = (out / "artikel" / "jam-layanan" / "index.html").read_text(encoding="utf-8")
    assert "Versi 3" in page and "7 Maret 2025" in page
    # main rewritten (the third commit replaced by another): read again, never stale.
    git(site, "reset", "-q", "--hard", "HEAD~1")
    article.write_text(article.read_text("utf-8") + "\nLain.\n", "utf-8")
    commit(site, "Pembaruan lain", "2025-03-09T08:00:00+07:00")
    out = build_site(site, cache_base=cache).output
    page = (out / "artikel" / "jam-layanan" / "index.html").read_text(encoding="utf-8")
    assert "Versi 3" in page and "9 Maret 2025" in page and "7 Maret 2025" not in page
    assert "Versi 4" not in page
