"""Incremental builds give exactly the site a full build gives, for every kind of change."""

from __future__ import annotations

import pickle
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.sitegen import extra_article, make_site
from pipeline.render.runner import build_site, cache_folder
from tests.support.tree import tree

ARTICLES = "content/articles"
pytestmark = pytest.mark.xdist_group("build-incremental")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One site of 30 articles, built twice (so the spare tree of the site before last exists,
    as in daily use); each test gets a copy, cache, spare and output included."""
    site = make_site(tmp_path_factory.mktemp("basis") / "situs", 30)
    build_site(site)
    (site / ARTICLES / "sementara.md").write_text(
        extra_article().text.replace("99999", "sementara"), encoding="utf-8"
    )
    build_site(site)  # the spare now holds a site with one more article, whose folder must go
    (site / ARTICLES / "sementara.md").unlink()
    build_site(site)
    return site


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "situs"
    shutil.copytree(built, copy)
    shutil.copytree(cache_folder(built), cache_folder(copy))  # the cache lives outside the tree
    return copy


def _first(site: Path) -> Path:
    return sorted((site / ARTICLES).glob("*.md"))[0]


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert re.search(old, text, flags=re.M), f"{old!r} not in {path}"
    path.write_text(re.sub(old, new, text, count=count, flags=re.M), encoding="utf-8")


def new_newest(site: Path) -> None:
    item = extra_article()
    (site / ARTICLES / f"{item.slug}.md").write_text(item.text, encoding="utf-8")


def new_mid_archive(site: Path) -> None:
    import datetime as dt

    item = extra_article(when=dt.datetime(2026, 11, 20, 7, 5))
    (site / ARTICLES / f"{item.slug}.md").write_text(item.text, encoding="utf-8")


def body_edit(site: Path) -> None:
    path = _first(site)
    path.write_text(path.read_text(encoding="utf-8") + "\nParagraf tambahan.\n", encoding="utf-8")


def title_edit(site: Path) -> None:
    _edit(_first(site), r'^title: ".*"$', 'title: "Judul Yang Diperbarui"')


def category_change(site: Path) -> None:
    path = _first(site)
    text = path.read_text(encoding="utf-8")
    new = "Pengumuman" if "category: Pengumuman" not in text else "Layanan"
    _edit(path, r"^category: .*$", f"category: {new}")


def new_tag(site: Path) -> None:
    _edit(_first(site), r"^tags: \[", "tags: [topik baru sekali, ")


def deleted_article(site: Path) -> None:
    sorted((site / ARTICLES).glob("*.md"))[3].unlink()


def static_change(site: Path) -> None:
    images = sorted((site / "content" / "images").iterdir())
    images[0].write_bytes(images[0].read_bytes() + b"\n")


SCENARIOS = [
    new_newest,
    new_mid_archive,
    body_edit,
    title_edit,
    category_change,
    new_tag,
    deleted_article,
    static_change,
]


def folders(site: Path) -> set[str]:
    return {str(p.relative_to(site)) for p in site.rglob("*") if p.is_dir()}


def full_reference(site: Path, where: Path) -> dict[str, str]:
    """A full build of the same sources, in a separate copy, without any cache; the folders of
    both sites must be the same too (no folder left over from the spare tree)."""
    copy = where / "referensi"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output", ".terbit"))
    with pytest.MonkeyPatch.context() as env:
        env.delenv("TERBIT_SPLIT_MIN", raising=False)  # Pelican's own order, in one process
        build_site(copy, full=True)
    assert folders(site / "output") == folders(copy / "output")
    return tree(copy / "output")


@pytest.mark.slow
@pytest.mark.parametrize("pages", ["one-process", "forked"])
@pytest.mark.parametrize("change", SCENARIOS, ids=lambda f: f.__name__)
def test_incremental_build_equals_full_build(
    site: Path,
    tmp_path: Path,
    change: Callable[[Path], None],
    pages: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if pages == "forked":  # article pages shared with a fork even on this small site
        monkeypatch.setenv("TERBIT_SPLIT_MIN", "1")
    change(site)
    second = build_site(site)
    assert second.incremental, second.notes
    assert tree(site / "output") == full_reference(site, tmp_path)
    # Most pages were reused, not rendered again: the build really was incremental.
    assert second.reused > second.rendered
    # Forked: a fork wrote its share of the pages (and none in one process).
    pages_in_fork = [f for f in second.forks if f.job == "pages" and f.ok and f.items > 0]
    assert bool(pages_in_fork) == (pages == "forked"), second.forks


def test_unchanged_rebuild_reuses_every_page_and_keeps_files(site: Path) -> None:
    page = next((site / "output").rglob("index.html"))
    before = page.stat()
    again = build_site(site)
    assert again.rendered == 0 and again.reused > 0
    after = next((site / "output").rglob("index.html")).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_full_build_on_both_cores_equals_one_in_one_process(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drafts read ahead in a fork and pages written by one give the same site."""
    monkeypatch.setenv("TERBIT_SPLIT_MIN", "1")
    result = build_site(site, full=True)
    assert tree(site / "output") == full_reference(site, tmp_path)
    done = {f.job for f in result.forks if f.ok and f.items > 0}
    assert done == {"read", "pages"}, result.forks


def _digests(site: Path) -> dict[str, bytes | None]:
    with (cache_folder(site) / "state.pickle").open("rb") as handle:
        return {rel: record.digest for rel, record in pickle.load(handle).files.items()}


def test_a_full_build_records_the_digests_the_next_build_computes(site: Path) -> None:
    """Articles read afresh and loaded from the cache give the same digests, so the build after
    a full one renders nothing again (it would still be right, but slow)."""
    build_site(site, full=True)
    after_full = _digests(site)
    build_site(site)
    assert _digests(site) == after_full
    pages = {rel: digest for rel, digest in after_full.items() if rel.endswith(".html")}
    assert pages and all(digest is not None for digest in pages.values())


def _theme_change(site: Path) -> None:
    base = site / "theme" / "templates" / "base.html"
    if base.is_file():
        base.write_text(base.read_text(encoding="utf-8") + "\n<!-- tema -->\n", encoding="utf-8")
    else:  # minimal setup: a theme of one's own replaces Pelican's default
        (site / "pelicanconf.py").write_text(
            (site / "pelicanconf.py").read_text() + "\nSITESUBTITLE = 'Tema'\n"
        )


def _settings_change(site: Path) -> None:
    conf = site / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + "\nDEFAULT_PAGINATION = 7\n")


def _plugin_change(site: Path) -> None:
    plugin = site / "plugins" / "penanda.py"
    plugin.write_text(plugin.read_text(encoding="utf-8").replace("satu", "dua"))


PLUGIN = """\
from pelican import signals


def mark(generator):
    for article in generator.articles:
        article.title = article.title + " | satu"


def register():
    signals.article_generator_finalized.connect(mark)
"""


@pytest.mark.slow
@pytest.mark.parametrize("change", [_theme_change, _settings_change, _plugin_change])
def test_settings_theme_or_plugin_change_falls_back_to_full_build(
    tmp_path: Path, change: Callable[[Path], None]
) -> None:
    site = make_site(tmp_path / "situs", 30)
    (site / "plugins").mkdir()
    (site / "plugins" / "penanda.py").write_text(PLUGIN, encoding="utf-8")
    conf = site / "pelicanconf.py"
    conf.write_text(
        conf.read_text(encoding="utf-8")
        + "\nPLUGIN_PATHS = ['plugins']\nPLUGINS = [*PLUGINS, 'penanda']\n",
        encoding="utf-8",
    )
    build_site(site)
    change(site)
    again = build_site(site)
    assert not again.incremental and again.reused == 0
    assert any("berubah" in note for note in again.notes), again.notes
    assert tree(site / "output") == full_reference(site, tmp_path)


def _garbage_state(cache: Path) -> None:
    (cache / "state.pickle").write_bytes(b"\x80\x05 rusak")


def _garbage_pelican_cache(cache: Path) -> None:
    victim = next((cache / "pelican").iterdir())
    victim.write_bytes(victim.read_bytes()[:-20])


def _garbage_delta(cache: Path) -> None:
    """The entries changed since the cache's base file (the fixture's builds made some)."""
    victim = next((cache / "pelican").glob("*.delta"))
    victim.write_bytes(victim.read_bytes()[:-20])


def _other_version(cache: Path) -> None:
    state = pickle.loads((cache / "state.pickle").read_bytes())
    state.version = "0.0.1"
    (cache / "state.pickle").write_bytes(pickle.dumps(state))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("damage", "word"),
    [
        (_garbage_state, "rusak"),
        (_garbage_pelican_cache, "rusak"),
        (_garbage_delta, "rusak"),
        (_other_version, "versi"),
    ],
)
def test_damaged_or_foreign_cache_falls_back_with_a_message(
    site: Path, tmp_path: Path, damage: Callable[[Path], None], word: str
) -> None:
    new_newest(site)
    damage(cache_folder(site))
    again = build_site(site)
    assert not again.incremental and again.reused == 0
    assert any(word in note for note in again.notes), again.notes
    assert tree(site / "output") == full_reference(site, tmp_path)
    # The cache written by that full build is good again.
    body_edit(site)
    assert build_site(site).incremental
