"""``terbit check`` refuses what would otherwise break the site, the notice or a visitor's
privacy after publication (issue 10): control characters, foreign resources, bad file names,
absolute symbolic links, slugs of built-in pages, and absurd bracket floods. Real files, the
real command; every finding is located."""

from __future__ import annotations

import ast
import contextvars
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.cli import main

SETTINGS = """\
content:
  categories: [Berita, Layanan]
  iframe_hosts: [www.youtube-nocookie.com]
"""
REPO_ROOT = Path(__file__).resolve().parents[2]

Run = Callable[..., tuple[int, str]]


def article(title: str = "Judul Berita", body: str = "Isi berita.\n", extra: str = "") -> str:
    return (
        f"---\ntitle: {title}\ndate: 2026-05-20\ncategory: Berita\nsummary: Ringkasan.\n"
        f"author: Rina\n{extra}---\n{body}"
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "situs"
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "pages").mkdir()
    (root / "content" / "images").mkdir()
    (root / "terbit.yml").write_text(SETTINGS, encoding="utf-8")
    (root / "content" / "images" / "foto.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def terbit(capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str]:
        def call() -> int:
            try:
                main(list(args))
            except SystemExit as done:
                return int(done.code or 0)
            return 0

        code = contextvars.copy_context().run(call)
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out + err

    return run


def findings(terbit: Run, *args: str) -> list[dict]:
    code, out = terbit("check", "--format", "json", *args)
    found = json.loads(out)
    assert code == (1 if found else 0), out
    return found


def at(found: list[dict], path: str) -> set[tuple[int | None, str]]:
    return {(f["line"], f["code"]) for f in found if f["path"] == path}


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


def test_control_characters_in_text_fields(repo: Path, terbit: Run) -> None:
    write(repo, "content/articles/a.md", article(title='"Judul\\r\\nBcc: semua"'))
    write(
        repo,
        "content/articles/b.md",
        article(extra='tags: ["haji\\u0007"]\nimages:\n  - src: images/foto.png\n'
                '    alt: "Foto\\x1b[31m"\n    caption: "Kap\\tsi"\n'),
    )  # fmt: skip
    found = findings(terbit)
    assert at(found, "content/articles/a.md") == {(2, "control_char_field")}
    assert at(found, "content/articles/b.md") == {
        (7, "control_char_field"), (10, "control_char_field"), (11, "control_char_field")
    }  # fmt: skip
    message = next(f["message"] for f in found if f["path"] == "content/articles/a.md")
    assert "'title'" in message and "U+000D" in message
    code, out = terbit("--lang", "en", "check", "content/articles/a.md")
    assert code == 1 and "content/articles/a.md:2: 'title' contains the control character" in out


def test_stray_control_character_anywhere_is_located(repo: Path, terbit: Run) -> None:
    body = "Paragraf satu.\n\nTeks dari PDF\x0bdengan karakter aneh.\n"
    write(repo, "content/articles/a.md", article(body=body))
    write(repo, "content/pages/p.md", "---\ntitle: Profil\n---\nIsi\x01 halaman.\n")
    found = findings(terbit)
    assert at(found, "content/articles/a.md") == {(10, "control_char")}
    assert at(found, "content/pages/p.md") == {(4, "control_char")}
    _, out = terbit("check", "content/articles/a.md")
    assert "content/articles/a.md:10: karakter kendali U+000B di kolom 14" in out
    # DEL and the C1 controls too (one definition with the build and the nota dinas).
    write(repo, "content/articles/a.md", article(body="Teks dari\x85 PDF.\n"))
    assert at(findings(terbit), "content/articles/a.md") == {(8, "control_char")}
    # Tab, LF and CR (Windows line ends) stay allowed.
    write(repo, "content/articles/a.md", article(body="Satu\tdua.\r\nTiga.\r\n"))
    assert at(findings(terbit), "content/articles/a.md") == set()


def test_foreign_images_and_resources_are_refused(repo: Path, terbit: Run) -> None:
    body = (
        "![pelacak](https://pelacak.example/p.png)\n\n"  # line 8
        '<img src="//cdn.example/x.gif" alt="x">\n\n'  # line 10
        '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>\n\n'  # 12: allowed
        "[tautan biasa](https://kemkes.go.id/) boleh.\n"  # 14: a link is not a request
    )
    write(repo, "content/articles/a.md", article(body=body))
    write(
        repo, "content/articles/b.md",
        article(extra="images:\n  - src: https://pelacak.example/foto.jpg\n    alt: Foto\n"),
    )  # fmt: skip
    found = findings(terbit)
    assert at(found, "content/articles/a.md") == {(8, "foreign_host"), (10, "foreign_host")}
    assert at(found, "content/articles/b.md") == {(8, "foreign_host")}
    message = next(f["message"] for f in found if f["line"] == 8)
    assert "pelacak.example" in message


def test_bad_file_names_and_absolute_symlinks(repo: Path, terbit: Run) -> None:
    write(repo, "content/articles/baris\nbaru.md", article())
    bad = os.fsencode(repo / "content/articles") + b"/latin\xe9.md"
    with open(bad, "wb") as out:
        out.write(article().encode())
    os.symlink(repo / "content/images/foto.png", repo / "content/images/mutlak.png")
    os.symlink(repo / "terbit.yml", repo / "content/articles/rahasia.md")
    found = findings(terbit)
    codes = {(f["path"], f["code"]) for f in found}
    assert ("content/articles/baris\\x0abaru.md", "bad_name") in codes
    assert ("content/articles/latin\\xe9.md", "bad_name") in codes
    assert ("content/images/mutlak.png", "symlink_absolute") in codes
    assert ("content/articles/rahasia.md", "symlink_absolute") in codes
    _, out = terbit("check")
    assert "content/articles/baris\\x0abaru.md: nama berkas berisi karakter kendali" in out
    assert "content/images/mutlak.png: tautan simbolik absolut" in out


def test_page_slug_taken_by_a_built_in_page(repo: Path, terbit: Run) -> None:
    write(repo, "content/pages/kategori.md", "---\ntitle: Kategori\n---\nIsi.\n")
    write(repo, "content/pages/lain.md", "---\ntitle: Lain\nslug: feeds\n---\nIsi.\n")
    write(repo, "content/pages/profil.md", "---\ntitle: Profil\n---\nIsi.\n")
    found = findings(terbit)
    assert at(found, "content/pages/kategori.md") == {(2, "reserved_slug")}
    assert at(found, "content/pages/lain.md") == {(3, "reserved_slug")}
    assert at(found, "content/pages/profil.md") == set()


def test_reserved_slugs_cover_every_built_in_output_of_the_settings() -> None:
    """Each *_SAVE_AS and direct template of pelicanconf.py, and each folder of the theme's
    static files, has its first path segment in the list (read with ast; never imported)."""
    from pipeline.draft.checks.reserved import RESERVED_PAGE_SLUGS

    tree = ast.parse((REPO_ROOT / "pelicanconf.py").read_text(encoding="utf-8"))
    firsts: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            name = getattr(node.targets[0], "id", "")
            value = node.value.value
            if name.endswith("SAVE_AS") and isinstance(value, str) and value:
                first = value.split("/")[0].removesuffix(".html")
                if "{" not in first:  # PAGE_SAVE_AS is "{slug}/index.html" itself
                    firsts.add(first)
    assert firsts
    assert firsts <= RESERVED_PAGE_SLUGS, firsts - RESERVED_PAGE_SLUGS


def test_absurd_bracket_flood_is_refused_at_the_check(repo: Path, terbit: Run) -> None:
    write(repo, "content/articles/a.md", article(body="Awal.\n\n" + "[" * 30_000 + "\n"))
    fine = "[a] [b] [[c]] (d) ![e](../images/foto.png)\n"
    write(repo, "content/articles/b.md", article(body=fine))
    found = findings(terbit)
    assert at(found, "content/articles/a.md") == {(10, "brackets")}
    assert at(found, "content/articles/b.md") == set()
