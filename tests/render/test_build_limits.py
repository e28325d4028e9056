"""One draft never holds the site hostage (issue 10, section 4): a draft too slow to convert or
with a character the feeds refuse is reported with its file, by the real ``terbit build``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

TERBIT = Path(sys.executable).with_name("terbit")


def terbit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TERBIT_LANG": "id"}
    return subprocess.run(
        [str(TERBIT), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


def draft(site: Path, name: str, body: str, title: str = "Uji") -> None:
    (site / "content" / "articles" / f"{name}.md").write_text(
        f"---\ntitle: {title}\ndate: 2026-11-27 08:00\ncategory: Berita\n"
        f"summary: Ringkasan uji.\nauthor: rina\n---\nParagraf pertama.\n\n{body}\n",
        encoding="utf-8",
    )


def test_a_stray_control_character_names_its_file_and_line(site: Path) -> None:
    draft(site, "dari-word", "Teks tempelan\x01 dari Word.")
    done = terbit(site, "build")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "content/articles/dari-word.md:10:" in done.stderr
    assert "U+0001" in done.stderr
    assert not (site / "output").exists()  # nothing half-built


def test_the_build_refuses_the_controls_the_draft_checks_refuse(site: Path) -> None:
    """DEL and the C1 controls (U+0085 from a pasted PDF): one definition for the draft checks,
    the nota dinas and the build, so the build never publishes what the checks refuse."""
    draft(site, "dari-pdf", "Teks tempelan\x85 dari PDF.")
    done = terbit(site, "build")
    assert done.returncode == 1, done.stderr
    assert "content/articles/dari-pdf.md:10:" in done.stderr and "U+0085" in done.stderr


def test_a_control_character_in_the_title_names_its_file(site: Path) -> None:
    draft(site, "judul-kendali", "Isi biasa.", title='"Judul\\u0007 aneh"')
    done = terbit(site, "--lang", "en", "build")
    assert done.returncode == 1, done.stderr
    assert "content/articles/judul-kendali.md:" in done.stderr
    assert "control character U+0007" in done.stderr


def test_a_draft_too_slow_to_convert_is_reported_with_its_file(site: Path) -> None:
    conf = yaml.safe_load((site / "terbit.yml").read_text(encoding="utf-8"))
    conf.setdefault("build", {})["draft_seconds"] = 1
    (site / "terbit.yml").write_text(yaml.safe_dump(conf, allow_unicode=True), encoding="utf-8")
    draft(site, "kurung", "[" * 30_000)  # quadratic in python-markdown: minutes without a limit
    done = terbit(site, "build")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "content/articles/kurung.md:" in done.stderr
    assert "build.draft_seconds" in done.stderr
    # Without the draft the same site builds: it is the draft, not the site.
    (site / "content" / "articles" / "kurung.md").unlink()
    assert terbit(site, "build").returncode == 0
