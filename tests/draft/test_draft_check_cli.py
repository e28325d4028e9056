"""``terbit check`` on hostile drafts in a real repository layout: exit code, path:line, language.

Every test writes real files under tmp_path and runs the real command in-process (one test also
runs the installed console script). No test may see a traceback.
"""

from __future__ import annotations

import contextvars
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from pipeline.cli import main

SETTINGS = """\
content:
  categories: [Berita, Layanan, Pengumuman]
  image_max_kb: 50
  iframe_hosts: [www.youtube-nocookie.com]
  public_contacts: [humas@bbkkmedan.go.id, "(061) 6941343"]
  public_email_domains: [bbkkmedan.go.id]
"""

GOOD = """\
---
title: Pemeriksaan Kesehatan Jemaah Haji
date: 2026-05-20 08:30
category: Berita
tags: [haji, bandara]
summary: Petugas memeriksa dokumen kesehatan jemaah.
author: Rina Siregar
images:
  - src: images/foto.png
    alt: Petugas memeriksa dokumen
---
Petugas bekerja di bandara. ![Antrean jemaah](../images/foto.png)

Lihat [profil]({filename}/pages/profil.md), [kontak](../pages/kontak.md) dan
[halaman profil](/pages/profil.html). Hubungi humas@bbkkmedan.go.id atau (061) 6941343.

<figure><img src="{static}/images/foto.png" alt="Foto"><figcaption>Foto</figcaption></figure>

```html
<script>contoh kode, bukan HTML mentah</script>
```
"""

PAGE = "---\ntitle: {title}\n---\nIsi halaman.\n"


def article(**fields: str) -> str:
    """A valid article with some fields replaced (``None``-like "" removes a field)."""
    base = {
        "title": "Judul Berita",
        "date": "2026-05-20",
        "category": "Berita",
        "summary": "Ringkasan singkat.",
        "author": "Rina",
    }
    base.update(fields)
    head = "".join(f"{k}: {v}\n" for k, v in base.items() if v != "")
    return f"---\n{head}---\nIsi berita.\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "situs"
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "pages").mkdir()
    (root / "content" / "images").mkdir()
    (root / "terbit.yml").write_text(SETTINGS, encoding="utf-8")
    Image.new("RGB", (16, 16), "teal").save(root / "content" / "images" / "foto.png")
    (root / "content" / "articles" / "haji.md").write_text(GOOD, encoding="utf-8")
    (root / "content" / "pages" / "profil.md").write_text(PAGE.format(title="Profil"))
    (root / "content" / "pages" / "kontak.md").write_text(PAGE.format(title="Kontak"))
    monkeypatch.chdir(root)
    return root


Run = Callable[..., tuple[int, str]]


@pytest.fixture
def terbit(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``terbit ARGS`` in-process; returns (exit code, stdout+stderr)."""

    def run(*args: str) -> tuple[int, str]:
        def call() -> int:
            try:
                main(list(args))
            except SystemExit as done:
                return int(done.code or 0)
            return 0

        code = contextvars.copy_context().run(call)  # --lang must not leak into other tests
        out, err = capsys.readouterr()
        text = out + err
        assert "Traceback" not in text
        assert "kesalahan internal" not in text.lower()
        return code, text

    return run


def write(root: Path, rel: str, data: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def problems(terbit: Run, *args: str) -> list[dict]:
    code, out = terbit("check", "--format", "json", *args)
    found = json.loads(out)
    assert code == (1 if found else 0)
    return found


def codes_at(found: list[dict], path: str) -> set[tuple[int | None, str]]:
    return {(p["line"], p["code"]) for p in found if p["path"] == path}


# --- whole-command behaviour ------------------------------------------------------------------


def test_clean_content_passes(repo: Path, terbit: Run) -> None:
    code, out = terbit("check")
    assert code == 0, out
    assert out.strip() == "Tidak ada masalah; 3 berkas diperiksa"
    code, out = terbit("--lang", "en", "check")
    assert (code, out.strip()) == (0, "No problems; 3 files checked")


def test_problem_lines_summary_and_languages(repo: Path, terbit: Run) -> None:
    write(repo, "content/articles/a.md", article(category="Gosip"))
    write(repo, "content/articles/b.md", "tanpa front matter\n")
    code, out = terbit("check")
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0].startswith(
        "content/articles/a.md:4: 'category': kategori 'Gosip' tidak dikenal"
    )
    assert lines[1].startswith("content/articles/b.md:1: berkas tidak diawali front matter")
    assert lines[-1] == "2 masalah di 2 berkas; 5 berkas diperiksa"
    code, out = terbit("check", "--lang", "en")
    assert code == 1
    assert "content/articles/a.md:4: 'category': unknown category 'Gosip'" in out
    assert out.strip().splitlines()[-1] == "2 problems in 2 files; 5 files checked"


def test_json_format_for_machines(repo: Path, terbit: Run) -> None:
    write(repo, "content/articles/a.md", article(title="123"))
    found = problems(terbit)
    assert found == [
        {
            "path": "content/articles/a.md",
            "line": 2,
            "code": "string_type",
            "message": "'title' harus berupa teks",
            "severity": "error",
        }
    ]


def test_given_paths_only_and_usage_errors(repo: Path, terbit: Run) -> None:
    write(repo, "content/articles/a.md", "")
    assert terbit("check", "content/pages")[0] == 0
    assert terbit("check", "content/articles/a.md")[0] == 1
    code, out = terbit("check", "content/nope.md")
    assert code == 2 and "content/nope.md: jalur ini tidak ada" in out
    assert terbit("check", "--format", "xml")[0] == 2
    (repo / "terbit.yml").write_text("content:\n  image_max_kb: banyak\n")
    code, out = terbit("check")
    assert code == 2 and "terbit.yml:2:" in out


def test_installed_console_script(repo: Path) -> None:
    write(repo, "content/articles/a.md", "---\ntitle: [\n---\n")
    script = Path(sys.executable).with_name("terbit")
    result = subprocess.run(
        [str(script), "check"], cwd=repo, capture_output=True, text=True, timeout=60,
        env={**os.environ, "TERBIT_LANG": "en"},
    )  # fmt: skip
    assert result.returncode == 1
    assert "content/articles/a.md:3: invalid YAML" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


# --- front matter and YAML --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "code", "words"),
    [
        ("judul tanpa pagar\n", 1, "front_matter", "tidak diawali front matter"),
        ("---\ntitle: Judul\ndate: 2026-05-20\n", 1, "front_matter", "tidak pernah ditutup"),
        ("---\ntitle: Judul\n  date: x: y\n---\n", 3, "yaml", "YAML tidak valid"),
        ("---\ntitle: [a, b\n---\nisi\n", 3, "yaml", "YAML tidak valid"),
        ("---\n- satu\n- dua\n---\n", 2, "yaml", "pemetaan kunci: nilai"),
        ("---\ntitle: A\ntitle: B\n---\n", 3, "yaml", "ditulis dua kali"),
        ("---\ntitle: !!python/name:os.system\n---\n", 2, "yaml", "tidak diizinkan"),
        # Tags on lists are refused too: nothing but plain values is ever built.
        ("---\ntitle: !!python/object/apply:os.system [id]\n---\n", 2, "yaml", "tidak diizinkan"),
    ],
)
def test_broken_front_matter(repo: Path, terbit: Run, text: str, line: int, code: str, words: str):
    write(repo, "content/articles/rusak.md", text)
    found = problems(terbit)
    hit = [p for p in found if p["path"] == "content/articles/rusak.md"]
    assert (hit[0]["line"], hit[0]["code"]) == (line, code)
    assert words in hit[0]["message"]


def test_alias_bomb_is_refused_quickly(repo: Path, terbit: Run) -> None:
    bomb = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        bomb.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]")
    write(repo, "content/articles/bom.md", "\n".join([*bomb, "---", "isi"]) + "\n")
    found = problems(terbit)
    assert codes_at(found, "content/articles/bom.md") == {(2, "yaml")}
    assert "anchor/alias" in found[0]["message"]


def test_deep_nesting_and_huge_files(repo: Path, terbit: Run) -> None:
    write(repo, "content/articles/dalam.md", "---\ntitle: " + "[" * 20000 + "]" * 20000 + "\n---\n")
    write(repo, "content/articles/bertingkat.md", "---\nx:\n" + "".join(
        " " * (2 * i) + f"k{i}:\n" for i in range(1, 200)) + "---\n")  # fmt: skip
    write(repo, "content/articles/besar.md", article() + "kata " * 400_000)
    found = problems(terbit)
    assert codes_at(found, "content/articles/besar.md") == {(1, "file_too_big")}
    assert codes_at(found, "content/articles/bertingkat.md") == {(51, "yaml")}
    assert (
        "terlalu dalam" in next(p for p in found if p["path"].endswith("bertingkat.md"))["message"]
    )
    # 40 KB of brackets is over no size cap; the depth guard refuses it at the line.
    assert codes_at(found, "content/articles/dalam.md") == {(2, "yaml")}


def test_fields_missing_or_wrong_type(repo: Path, terbit: Run) -> None:
    text = "---\ntitle: 2026\ndate: 2026-05-20\ntags: haji\nfeatured: mungkin\nsluug: x\n---\nisi\n"
    write(repo, "content/articles/a.md", text)
    write(repo, "content/pages/p.md", "---\nsummary: tanpa judul\n---\nisi\n")
    found = problems(terbit)
    assert codes_at(found, "content/articles/a.md") == {
        (2, "string_type"),
        (2, "missing"),  # category, summary, author: reported at the start of the block
        (4, "list_type"),
        (5, "bool_parsing"),
        (6, "extra_forbidden"),
    }
    messages = " | ".join(p["message"] for p in found)
    for field in ("category", "summary", "author"):
        assert f"kolom '{field}' wajib diisi" in messages
    assert "kolom 'sluug' tidak dikenal" in messages
    assert codes_at(found, "content/pages/p.md") == {(2, "missing")}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-02-30", "2026-02-30"),
        ("2026-13-01", "2026-13-01"),
        ('"2026-02-29 08:30"', "2026-02-29 08:30"),
        ('"2026-05-20 25:00"', "2026-05-20 25:00"),
    ],
)
def test_impossible_dates(repo: Path, terbit: Run, value: str, shown: str) -> None:
    write(repo, "content/articles/a.md", article(date=value, category="Gosip"))
    found = problems(terbit)
    assert codes_at(found, "content/articles/a.md") == {
        (3, "date_impossible"),
        (4, "unknown_category"),
    }
    assert f"tanggal {shown} tidak ada di kalender" in found[0]["message"]


def test_date_format_and_order(repo: Path, terbit: Run) -> None:
    write(repo, "content/articles/a.md", article(date="20 Mei 2026"))
    write(repo, "content/articles/b.md", article(modified="2026-05-01"))
    found = problems(terbit)
    assert codes_at(found, "content/articles/a.md") == {(3, "date_format")}
    assert codes_at(found, "content/articles/b.md") == {(7, "modified_before")}


def test_duplicate_slugs_across_files(repo: Path, terbit: Run) -> None:
    write(repo, "content/articles/lama.md", article(slug="haji"))  # haji.md already has "haji"
    write(repo, "content/articles/en/haji.md", article(lang="en"))  # a translation: allowed
    found = problems(terbit)
    dups = [p for p in found if p["code"] == "duplicate_slug"]
    assert {(p["path"], p["line"]) for p in dups} == {
        ("content/articles/haji.md", 2),  # no slug field: the title line
        ("content/articles/lama.md", 7),
    }
    assert "juga dipakai oleh content/articles/haji.md:2" in dups[1]["message"]
    # Checking only the new draft still compares it with everything in content/.
    found = problems(terbit, "content/articles/lama.md")
    assert codes_at(found, "content/articles/lama.md") == {(7, "duplicate_slug")}


def test_unknown_author_when_roles_exist(repo: Path, terbit: Run) -> None:
    roles = """\
people:
  - id: rina
    name: Rina Siregar
    nip: "199403122020122002"
    email: rina@bbkkmedan.go.id
    roles: [staf]
"""
    write(repo, "roles.yml", roles)
    write(repo, "content/articles/a.md", article(author="rina"))
    found = problems(terbit)
    # haji.md names a plain author, which roles.yml does not know.
    assert codes_at(found, "content/articles/haji.md") == {(7, "author_unknown")}
    assert "id yang ada: rina" in found[0]["message"]
    assert codes_at(found, "content/articles/a.md") == set()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"people:\n  - id: rina\n    name: Rina Sir\xe9gar\n", (3, "roles")),
        (b"", (1, "roles")),
        (None, (None, "roles")),  # a folder where the file should be
    ],
)
def test_unreadable_roles_file_is_reported_not_ignored(
    repo: Path, terbit: Run, data: bytes | None, expected: tuple[int | None, str]
) -> None:
    if data is None:
        (repo / "roles.yml").mkdir()
    else:
        write(repo, "roles.yml", data)
    found = problems(terbit)
    # Authors cannot be checked against a broken roles.yml; the check says so instead of passing.
    assert codes_at(found, "roles.yml") == {expected}


# --- files ------------------------------------------------------------------------------------


def test_non_utf8_and_empty_files(repo: Path, terbit: Run) -> None:
    latin = article(title="Kabar").encode() + "baris enam\ncaf\xe9 tujuh\n".encode("latin-1")
    write(repo, "content/articles/latin.md", latin)
    write(repo, "content/articles/kosong.md", "")
    write(repo, "content/articles/spasi.md", " \n\n\t\n")
    write(repo, "content/articles/biner.md", b"---\ntitle: x\n---\n\x00\x01")
    found = problems(terbit)
    assert codes_at(found, "content/articles/latin.md") == {(10, "not_utf8")}
    latin_msg = next(p["message"] for p in found if p["path"].endswith("latin.md"))
    assert "byte tidak valid 0xe9" in latin_msg
    assert codes_at(found, "content/articles/kosong.md") == {(1, "empty")}
    assert codes_at(found, "content/articles/spasi.md") == {(1, "empty")}
    assert codes_at(found, "content/articles/biner.md") == {(4, "nul")}


def test_symlinked_drafts_leaving_the_repository(repo: Path, tmp_path: Path, terbit: Run) -> None:
    outside = write(tmp_path, "luar/rahasia.md", article())
    os.symlink(outside, repo / "content/articles/tautan.md")
    os.symlink(outside.parent, repo / "content/articles/folder")
    os.symlink("haji.md", repo / "content/articles/salinan.md")
    os.symlink("putar-b.md", repo / "content/articles/putar-a.md")
    os.symlink("putar-a.md", repo / "content/articles/putar-b.md")
    os.symlink("putar.png", repo / "content/images/putar.png")
    write(repo, "content/pages/gambar.md", "---\ntitle: G\n---\n![Putar](../images/putar.png)\n")
    code, out = terbit("check")
    assert code == 1 and out.strip().endswith("; 9 berkas diperiksa")
    found = problems(terbit)
    assert codes_at(found, "content/articles/putar-a.md") == {(None, "symlink_broken")}
    assert codes_at(found, "content/pages/gambar.md") == {(4, "image_missing")}
    assert codes_at(found, "content/articles/tautan.md") == {(None, "symlink_outside")}
    assert codes_at(found, "content/articles/folder") == {(None, "symlink_outside")}
    # A relative link that stays inside the repository is an ordinary draft here (slug from
    # its own name); absolute links are refused (test_draft_check_hostile_input), and the
    # server refuses every link in a change.
    assert codes_at(found, "content/articles/salinan.md") == set()
    code, out = terbit("check", str(outside))
    assert code == 1 and "di luar repositori" in out


# --- images and links -------------------------------------------------------------------------


def test_images_missing_without_alt_or_too_big(repo: Path, terbit: Run) -> None:
    (repo / "content/images/besar.bin").write_bytes(os.urandom(60 * 1024))
    os.replace(repo / "content/images/besar.bin", repo / "content/images/besar.png")
    text = (
        article()[: -len("Isi berita.\n")]
        + "![](../images/foto.png)\n"  # line 11: no alt
        + "![Tiada](../images/tiada.png)\n"  # line 12: missing
        + '<img src="{static}/images/foto.png">\n\n'  # line 13: raw <img> without alt
        + "![Besar](../images/besar.png)\n"  # line 15: over 50 KB
    )
    text = text.replace(
        "author: Rina\n", "author: Rina\nimages:\n  - src: images/hilang.png\n    alt: ''\n"
    )
    write(repo, "content/articles/a.md", text)
    found = problems(terbit)
    assert codes_at(found, "content/articles/a.md") == {
        (8, "image_missing"),  # front matter src
        (9, "string_too_short"),  # front matter alt ''
        (11, "image_no_alt"),
        (12, "image_missing"),
        (13, "image_no_alt"),
        (15, "image_too_big"),
    }
    big = next(p for p in found if p["code"] == "image_too_big")
    assert big["message"] == (
        "gambar ../images/besar.png berukuran 60 KB, maksimum 50 KB; perkecil atau kompres"
    )


def test_paths_leaving_content_or_repository(repo: Path, tmp_path: Path, terbit: Run) -> None:
    write(repo, "rahasia.png", b"x")
    write(tmp_path, "luar.png", b"x")
    os.symlink(tmp_path / "luar.png", repo / "content/images/tautan.png")
    body = (
        "![a](../../rahasia.png)\n"  # 11: in the repo, outside content/
        "![b](../../../luar.png)\n"  # 12: outside the repository
        "![c](../images/tautan.png)\n"  # 13: symlink out
        "![d](C:\\Users\\rina\\foto.png)\n"  # 14: absolute Windows path
        "[e]({filename}/../../../etc/passwd)\n"  # 15
        "[f](file:///etc/passwd)\n"  # 16: the sanitiser drops file: links
    )
    meta = "images:\n  - src: /etc/passwd\n    alt: sandi\n"
    write(
        repo,
        "content/articles/a.md",
        article().replace("---\nIsi berita.\n", meta + "---\n" + body),
    )
    found = problems(terbit)
    assert codes_at(found, "content/articles/a.md") == {
        (8, "path_absolute"),  # front matter src /etc/passwd
        (11, "path_outside_content"),
        (12, "path_outside_repo"),
        (13, "symlink_outside"),
        (14, "path_absolute"),
        (15, "path_outside_repo"),
        (16, "unsupported_link"),
    }


def test_broken_internal_links(repo: Path, terbit: Run) -> None:
    body = (
        "[a]({filename}/articles/tiada.md)\n"  # 8
        "[b](tiada.md)\n"  # 9
        "[c](/tentang-kami.html)\n"  # 10
        "[d](/images/tiada.png)\n"  # 11
        "[ok](haji.md) [ok](/kategori/x/../../pages/profil.html) [ok](https://kemkes.go.id/x)\n"
        "[ok](#bagian) [ok](/) [ok](/kategori/berita/) [ok](/images/foto.png) [ok](/profil/)\n"
        "[ok](/topik/bandara/) [ok](/artikel/haji/) [ok](/arsip/) [ok](/feeds/all.atom.xml)\n"
        '<a href="../pages/tiada.md">e</a>\n'  # 15
        "[ref][r] [f](/artikel/tiada/)\n\n[r]: {filename}/pages/tiada.md\n"  # 16
    )
    write(repo, "content/articles/a.md", article().replace("Isi berita.\n", body))
    found = problems(terbit)
    assert codes_at(found, "content/articles/a.md") == {
        (8, "link_broken"),
        (9, "link_broken"),
        (10, "link_broken"),
        (11, "link_broken"),
        (15, "link_broken"),
        (16, "link_broken"),
    }
    assert "tautan internal rusak: /tentang-kami.html tidak ada" in {p["message"] for p in found}
    assert sum(p["line"] == 16 for p in found) == 2  # the reference link and /artikel/tiada/
    # Checked alone, the draft still knows the tags and slugs of the others ("bandara", "haji").
    assert problems(terbit, "content/articles/a.md") == found


# --- personal data and raw HTML ---------------------------------------------------------------


def test_personal_data_is_reported_with_its_line(repo: Path, terbit: Run) -> None:
    body = (
        "Pelapor NIK 1271014501900001 hadir.\n"  # 9: NIK (woman, born 5 Jan 1990)
        "NIP 199403122020122002 dan nomor surat 1234567890123456.\n"  # 10: neither is a NIK
        "Hubungi 0812-3456-7890 atau +62 813 1111 2222.\n"  # 11: two phones
        "Kantor (061) 6941343, humas@bbkkmedan.go.id, ppid@sub.bbkkmedan.go.id.\n"  # 12: public
        "E-mail pribadi rina.siregar@gmail.com.\n"  # 13
        "Hotline 0811-6000-111 dan posko@kemkes.go.id.\n"  # 14: declared public above
    )
    meta = "public_contacts: [0811-6000-111, posko@kemkes.go.id]\n"
    write(
        repo,
        "content/articles/a.md",
        article().replace("---\nIsi berita.\n", meta + "---\n" + body),
    )
    found = problems(terbit)
    at = [(p["line"], p["code"]) for p in found if p["path"] == "content/articles/a.md"]
    assert sorted(at) == [
        (9, "personal_nik"),
        (11, "personal_phone"),
        (11, "personal_phone"),
        (13, "personal_email"),
    ]
    text = " ".join(p["message"] for p in found)
    assert "1271014501900001" not in text  # the report does not republish the number
    assert "1271**********01" in text
    _, out = terbit("check", "--lang", "en")
    assert "looks like an NIK" in out and "private e-mail address r***@gmail.com" in out


def test_raw_html_that_would_be_removed(repo: Path, terbit: Run) -> None:
    body = (
        "Teks biasa.\n\n"  # 8
        '<p onclick="alert(1)">klik</p>\n\n'  # 10
        "<script>\nalert(document.cookie)\n</script>\n\n"  # 12
        '<iframe src="https://evil.example/x"></iframe>\n\n'  # 16
        '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>\n\n'  # 18: allowed
        "Teks [klik](javascript:alert(1)) dan <img src=x onerror=alert(1) alt=x>.\n\n"  # 20
        "    <script>kode terindentasi</script>\n\n"  # 22: code block, not HTML
        "`<script>` dalam kode\n"
    )
    write(repo, "content/articles/a.md", article().replace("Isi berita.\n", body))
    found = problems(terbit)
    got = {(p["line"], p["message"]) for p in found if p["path"] == "content/articles/a.md"}
    prefix = "HTML mentah ini akan dibuang saat situs dibangun: "
    assert got == {
        (10, prefix + "atribut onclick"),
        (12, prefix + "elemen <script>"),
        (16, prefix + "iframe dari evil.example"),
        (20, "tautan javascript: tidak diizinkan (dapat menjalankan skrip); hapus tautan ini"),
        (20, prefix + "atribut onerror"),
        (20, "gambar tidak ditemukan: x"),
    }


def test_many_problems_in_one_file_are_capped(repo: Path, terbit: Run) -> None:
    rows = "".join(f"| Pasien {i} | 0812-3456-{i:04d} |\n" for i in range(150))
    write(repo, "content/articles/a.md", article().replace("Isi berita.\n", rows))
    code, out = terbit("check")
    lines = out.strip().splitlines()
    assert code == 1 and len(lines) == 102
    assert lines[0].startswith("content/articles/a.md:8: nomor telepon 0812-****-**00")
    assert lines[100] == (
        "content/articles/a.md: … dan 50 masalah lain di berkas ini (hanya 100 yang pertama "
        "ditampilkan)"
    )
    assert lines[101] == "150 masalah di 1 berkas; 4 berkas diperiksa"


# --- nothing crashes --------------------------------------------------------------------------


def test_garbage_never_crashes_and_every_file_is_reported(repo: Path, terbit: Run) -> None:
    import random

    rng = random.Random(20261128)
    garbage = {
        "acak.md": bytes(rng.randrange(256) for _ in range(3000)),
        "pagar.md": b"---\n---\n",
        "titik.md": b"---\n:\n---\n",
        "tab.md": b"---\ntitle:\t[\x0c]\n---\n",
        "bom.md": b"\xef\xbb\xbf---\ntitle: 1\n---\n",
        "surrogat.md": b"---\ntitle: \xed\xa0\x80\n---\n",
        "dokumen.md": b"---\ntitle: a\n---\n---\nb: 1\n---\n",
        "tanggal.md": b"---\ndate: 2026-02-30\nmodified: 2026-13-45\n---\n",
        "gambar.md": b"---\nimages: [1, {src: 2}, {src: '\x00'}]\n---\n![x](\n",
        "html.md": b"---\ntitle: x\n---\n<a href='<<<'><img src=''><<iframe src=java\tscript:x>",
    }
    for name, data in garbage.items():
        write(repo, f"content/articles/{name}", data)
    found = problems(terbit)
    assert all(p["code"] != "internal" for p in found), found
    reported = {Path(p["path"]).name for p in found}
    assert set(garbage) <= reported


def test_correction_fields_are_text_and_only_one(repo: Path, terbit: Run) -> None:
    """``ralat:``/``pembaruan:`` (issue 15 §3): a summary in words, one of the two, located."""
    write(repo, "content/articles/a.md", article(ralat="Jam layanan yang benar 08.00-16.00."))
    write(repo, "content/articles/b.md", article(ralat="Salah tanggal.", pembaruan="Ditambah."))
    write(repo, "content/articles/c.md", article(pembaruan="[1, 2]"))
    write(repo, "content/articles/d.md", article(ralat='""'))
    found = problems(terbit)
    assert codes_at(found, "content/articles/a.md") == set()
    assert codes_at(found, "content/articles/b.md") == {(8, "both_notes")}
    assert codes_at(found, "content/articles/c.md") == {(7, "not_text")}
    assert codes_at(found, "content/articles/d.md") == {(7, "blank")}
    code, out = terbit("check")
    assert code == 1
    assert "content/articles/b.md:8: 'pembaruan': pilih salah satu: 'ralat'" in out
    code, out = terbit("--lang", "en", "check")
    assert code == 1
    assert "content/articles/b.md:8: 'pembaruan': choose one: 'ralat'" in out
