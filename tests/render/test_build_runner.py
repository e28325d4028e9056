"""build_site, terbit build and terbit serve: real builds, located errors, no half sites."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pipeline.errors import ConfigError, InputError
from pipeline.render.runner import build_site, cache_folder
from pipeline.render.serve import serve_in_background
from tests.support.forks import ForkLog
from tests.support.tree import tree


def terbit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TERBIT_LANG": "id"}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_build_writes_a_complete_site(site: Path) -> None:
    result = build_site(site)
    out = site / "output"
    assert result.output == out and result.articles == 30
    assert (out / "index.html").is_file()
    pages = [p for p in out.rglob("index.html") if "judul" not in p.name]
    assert len(pages) > 30
    any_article = sorted((site / "content" / "articles").glob("*.md"))[0].stem
    assert any_article in "".join(str(p) for p in out.rglob("*.html"))
    # Nothing is left behind next to the site or in the cache.
    assert [p.name for p in site.iterdir() if p.name.startswith(".output")] == []
    assert not list((cache_folder(site)).glob("staging-*"))


def test_the_replaced_site_is_kept_as_one_spare_tree_to_build_into(site: Path) -> None:
    cache = cache_folder(site)
    for run in range(3):
        build_site(site, full=True)
        assert [p.name for p in site.iterdir() if p.name.startswith(".output")] == []
        kept = sorted(p.name for p in cache.iterdir() if p.is_dir())
        # "jinja": the theme's compiled templates (``cache.JINJA_DIR``), kept between builds.
        assert kept == (["jinja", "pelican"] if run == 0 else ["jinja", "pelican", "spare"])
    # The spare holds the previous site; the live site's files are never the spare's to write.
    assert tree(cache / "spare") == tree(site / "output")
    assert (site / "output" / "index.html").is_file()


def test_leftovers_in_the_spare_tree_never_reach_the_site(site: Path) -> None:
    build_site(site)
    build_site(site)
    spare = cache_folder(site) / "spare"
    live = site / "output" / "index.html"
    before = live.read_bytes()
    # What a crashed build could leave: a stray page, an empty folder, a folder where a file goes.
    (spare / "sisa").mkdir()
    (spare / "sisa" / "index.html").write_text("basi", encoding="utf-8")
    (spare / "kosong" / "dalam").mkdir(parents=True)
    feed = spare / "feeds" / "semua.atom.xml"
    feed.unlink()
    (feed / "x").mkdir(parents=True)
    result = build_site(site)
    out = site / "output"
    assert result.incremental and result.rendered == 0
    assert not (out / "sisa").exists() and not (out / "kosong").exists()
    assert (out / "feeds" / "semua.atom.xml").is_file()
    assert live.read_bytes() == before
    # Anything else in the way fails that build only: the spare is dropped, the next build works.
    (spare / "search.json").unlink()
    (spare / "search.json").mkdir()
    with pytest.raises(InputError):
        build_site(site)
    assert not spare.exists() and live.read_bytes() == before
    assert build_site(site).incremental and (out / "search.json").is_file()


def _break_draft(site: Path) -> tuple[Path, int]:
    draft = sorted((site / "content" / "articles").glob("*.md"))[5]
    lines = draft.read_text(encoding="utf-8").splitlines()
    lines[2] = "date: 2026-02-31 10:00"  # an impossible date, on line 3
    draft.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return draft, 3


@pytest.mark.parametrize("cores", ["one", "two"])
def test_failed_build_keeps_previous_site_and_reports_the_draft(
    site: Path, cores: str, monkeypatch: pytest.MonkeyPatch, fork_log: ForkLog
) -> None:
    if cores == "two":  # drafts read ahead in a fork: a broken one is read again and reported
        monkeypatch.setenv("TERBIT_SPLIT_MIN", "1")
    build_site(site)
    before = tree(site / "output")
    draft, _ = _break_draft(site)
    with pytest.raises(InputError) as caught:
        build_site(site, full=True, progress=fork_log)
    assert fork_log.did("read") == (cores == "two"), fork_log.forks
    text = str(caught.value) + " ".join(str(p) for p in caught.value.problems)
    assert f"content/articles/{draft.name}" in text
    assert tree(site / "output") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".output")] == []


@pytest.mark.parametrize("cores", ["one", "two"])
def test_a_warning_while_reading_is_reported_once(
    site: Path, cores: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if cores == "two":
        monkeypatch.setenv("TERBIT_SPLIT_MIN", "1")
    draft = sorted((site / "content" / "articles").glob("*.md"))[5]
    draft.write_text(
        draft.read_text(encoding="utf-8") + "\n<script>alert(1)</script>\n", encoding="utf-8"
    )
    result = build_site(site, full=True)
    about = [w for w in result.warnings if draft.name in f"{w.path} {w.message}"]
    assert len(about) == 1, result.warnings
    # On two cores a fork read half the drafts (the one that warned is read again here).
    read_in_fork = [f for f in result.forks if f.job == "read" and f.ok and f.items > 0]
    assert bool(read_in_fork) == (cores == "two"), result.forks
    assert "<script>" not in (site / "output" / "artikel" / draft.stem / "index.html").read_text(
        encoding="utf-8"
    )


def test_cli_reports_located_error_without_traceback(site: Path) -> None:
    draft, line = _break_draft(site)
    done = terbit(site, "build")
    assert done.returncode == 1, done.stderr
    assert f"content/articles/{draft.name}:{line}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (site / "output").exists()


def test_settings_file_error_is_a_located_config_error(site: Path) -> None:
    conf = site / "pelicanconf.py"
    lines = conf.read_text(encoding="utf-8").splitlines()
    conf.write_text("\n".join([*lines, "SITENAME = (", ""]), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        build_site(site)
    assert caught.value.path == "pelicanconf.py"
    assert caught.value.line == len(lines) + 1
    done = terbit(site, "build")
    assert done.returncode == 2 and "pelicanconf.py:" in done.stderr
    assert "Traceback" not in done.stderr


def test_template_error_points_at_the_template(site: Path) -> None:
    templates = site / "theme" / "templates"
    if not templates.is_dir():
        pytest.skip("the project's theme is not there yet")
    article = templates / "article.html"
    lines = article.read_text(encoding="utf-8").splitlines()
    article.write_text("\n".join([*lines, "{% if %}"]) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        build_site(site)
    assert caught.value.path == "theme/templates/article.html"
    assert caught.value.line == len(lines) + 1


def test_render_error_in_the_forked_share_of_article_pages_is_located(
    site: Path, monkeypatch: pytest.MonkeyPatch, fork_log: ForkLog
) -> None:
    """The oldest articles are written by the fork; when it fails there, this process writes
    them again and reports the error as a one-process build would."""
    monkeypatch.setenv("TERBIT_SPLIT_MIN", "1")
    oldest = min(
        (site / "content" / "articles").glob("*.md"),
        key=lambda p: p.read_text(encoding="utf-8").split("date:")[1][:25],
    )
    article = site / "theme" / "templates" / "article.html"
    lines = article.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "{% block content %}" in line) + 1
    broken = "{{ article.date.nonsense() }}"
    trap = f"{{% if article.slug == '{oldest.stem}' %}}{broken}{{% endif %}}"
    article.write_text("\n".join([*lines[:at], trap, *lines[at:]]) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        build_site(site, progress=fork_log)
    assert caught.value.path == "theme/templates/article.html"
    assert caught.value.line == at + 1
    assert not (site / "output").exists()  # nothing half-written took the site's place
    assert fork_log.did("pages", ok=False), fork_log.forks  # the fork ran, and failed there


def test_cli_build_is_quiet_when_not_a_terminal_and_counts_pages(site: Path) -> None:
    first = terbit(site, "build")
    assert first.returncode == 0, first.stderr
    assert "Situs dibangun di output" in first.stdout
    assert first.stderr.strip() == "" or "peringatan" in first.stderr
    # The command builds in its own process: Pelican's console line stays off screen there too,
    # and the next run in a new process trusts the cache the first one left.
    again = terbit(site, "build")
    assert again.stdout.splitlines() == [again.stdout.strip()] and "Done" not in again.stderr
    assert " 0 berkas ditulis" in again.stdout
    full = terbit(site, "--lang", "en", "build", "--full", "--output", "lain")
    assert full.returncode == 0, full.stderr
    assert "Site built in lain" in full.stdout and "0 reused" in full.stdout
    assert tree(site / "lain") == tree(site / "output")


def test_serve_in_background_serves_the_site_on_loopback(site: Path) -> None:
    build_site(site)
    url, stop = serve_in_background(site / "output")
    try:
        assert url.startswith("http://127.0.0.1:")
        home = httpx.get(url, timeout=5)
        assert home.status_code == 200 and "<html" in home.text.lower()
        missing = httpx.get(url + "tidak-ada/", timeout=5)
        assert missing.status_code == 404
    finally:
        stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)


def test_cli_serve_prints_url_and_stops_on_interrupt(site: Path) -> None:
    build_site(site)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--port", "0"],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        url = line.split()[3]
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(url, timeout=5).status_code == 200
    finally:
        proc.send_signal(2)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_serve_without_a_built_site_is_a_usage_error(site: Path) -> None:
    done = terbit(site, "serve", "--port", "0")
    assert done.returncode == 2 and "terbit build" in done.stderr


def test_the_checkout_builds_with_its_own_environment_inside_it(tmp_path: Path) -> None:
    """scripts/setup makes .venv inside the checkout: the import guard must not take the
    interpreter's own packages (nh3, loaded while building) for the site's content."""
    root = Path(__file__).resolve().parents[2]
    if not Path(sys.prefix).resolve().is_relative_to(root):
        pytest.skip("this interpreter's environment is not inside the checkout")
    built = terbit(root, "build", "--full", "--output", str(tmp_path / "site"))
    assert built.returncode == 0, built.stdout + built.stderr
    assert "tidak dapat diproses" not in built.stdout + built.stderr
    assert (tmp_path / "site" / "index.html").is_file()
