"""Located, safe YAML: lines for every value, aliases and duplicates refused."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from pipeline.config.settings import Settings, load_settings, parse_settings
from pipeline.config.yamlsrc import load, read_text
from pipeline.errors import ConfigError, InputError


def test_lines_are_remembered_for_nested_values() -> None:
    doc = load("a: 1\nb:\n  - x\n  - y: 2\n", "f.yml")
    assert doc.data == {"a": 1, "b": ["x", {"y": 2}]}
    assert doc.line_of(("b", 1, "y")) == 4
    assert doc.line_of(("b", 9)) == 2  # a missing item points at its parent


def test_line_offset_shifts_lines_for_front_matter() -> None:
    doc = load("title: x\ndate: 2026-11-28\n", "a.md", line_offset=1)
    assert doc.line_of(("date",)) == 3


def test_alias_bomb_is_refused_quickly_without_memory_blowup() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        levels.append(f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    tracemalloc.start()
    with pytest.raises(ConfigError) as refused:
        load("\n".join(levels) + "\n", "bomb.yml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20_000_000
    assert "anchor/alias" in refused.value.message
    assert refused.value.line == 1


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: [\n", 2, "YAML tidak valid"),
        ("a: 1\na: 2\n", 2, "ditulis dua kali"),
        ("d: 2026-02-30\n", 1, "tanggal '2026-02-30' tidak ada di kalender"),
        ("a: 1\n---\nb: 2\n", 3, "satu dokumen"),
    ],
)
def test_bad_yaml_is_located(text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as bad:
        load(text, "f.yml")
    assert bad.value.path == "f.yml"
    assert bad.value.line == line
    assert words in bad.value.message


def test_error_type_can_be_input_error_for_drafts() -> None:
    with pytest.raises(InputError):
        load("a: [\n", "content/x.md", error=InputError)


def test_settings_defaults_when_empty() -> None:
    assert parse_settings("") == Settings()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("site:\n  nam: X\n", 2, "tidak dikenal"),
        ("deploy:\n  target: ftp\n", 2, "'local', 'rsync', 'github-pages'"),
        ("content:\n  image_max_kb: -1\n", 2, "lebih dari 0"),
        ("- 1\n", 1, "pemetaan"),
    ],
)
def test_settings_errors_are_located_in_indonesian(text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as bad:
        parse_settings(text)
    assert (bad.value.path, bad.value.line) == ("terbit.yml", line)
    assert words in bad.value.message


def test_settings_errors_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERBIT_LANG", "en")
    with pytest.raises(ConfigError) as bad:
        parse_settings("site:\n  nam: X\n")
    assert "unknown field 'site.nam'" in bad.value.message


def test_deep_nesting_is_refused_before_parsing() -> None:
    with pytest.raises(ConfigError) as bad:
        load("a: " + "[" * 5000 + "]" * 5000 + "\n", "deep.yml")
    assert "terlalu dalam" in bad.value.message
    assert bad.value.line == 1


@pytest.mark.parametrize("value", ["!!python/object/apply:os.system [id]", "!custom x"])
def test_unsafe_or_custom_tags_are_refused(value: str) -> None:
    with pytest.raises(ConfigError) as bad:
        load(f"ok: 1\na: {value}\n", "tag.yml")
    assert bad.value.line == 2
    assert "tidak diizinkan" in bad.value.message


@pytest.mark.parametrize(
    ("text", "line", "indonesian", "english"),
    [
        ("title: Judul: sub\n", 1, "tanda ':' tidak boleh di sini", "a ':' is not allowed"),
        ("a: [1, 2\n", 2, "tanda ']' penutup tidak ditemukan", "the closing ']' is missing"),
        ('a: "x\n', 2, "tanda kutip tidak ditutup", "a quote is never closed"),
        ("a:\n\t- b\n", 2, "karakter '\\t' tidak boleh di awal nilai", "cannot start a value"),
        ("a:\n  - x\n  y: 2\n", 3, "indentasi atau susunan daftar", "inconsistent indentation"),
    ],
)
def test_common_yaml_mistakes_are_explained_in_both_languages(
    text: str, line: int, indonesian: str, english: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError) as bad:
        load(text, "f.yml")
    assert bad.value.line == line
    assert bad.value.message == f"YAML tidak valid: {bad.value.message.split(': ', 1)[1]}"
    assert indonesian in bad.value.message
    monkeypatch.setenv("TERBIT_LANG", "en")
    with pytest.raises(ConfigError) as bad:
        load(text, "f.yml")
    assert bad.value.message.startswith("invalid YAML: ") and english in bad.value.message


def test_unexplained_yaml_problem_keeps_its_own_words_and_a_hint() -> None:
    with pytest.raises(ConfigError) as bad:
        load("a: *b\n", "f.yml")  # an alias to nothing: refused as an alias first
    assert "anchor/alias" in bad.value.message
    with pytest.raises(ConfigError) as bad:
        load("a: 'x' y\n", "f.yml")
    assert bad.value.message.endswith("periksa indentasi dan tanda kutip")


def test_read_text_locates_what_cannot_be_a_text_file(tmp_path: Path) -> None:
    folder = tmp_path / "roles.yml"
    folder.mkdir()
    with pytest.raises(ConfigError) as bad:
        read_text(folder, "roles.yml")
    assert str(bad.value) == "roles.yml: ini folder, bukan berkas"
    latin = tmp_path / "sop.yml"
    latin.write_bytes(
        "nama: SOP\nkegiatan: Pemeriksaan kesehatan\nkota: Medan \xe9\n".encode("latin-1")
    )
    with pytest.raises(InputError) as bad:
        read_text(latin, "sop.yml", error=InputError)
    assert str(bad.value).startswith("sop.yml:3: berkas bukan teks UTF-8 (byte tidak valid 0xe9)")
    bom = tmp_path / "bom.yml"
    bom.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_text(bom) == "a: 1\n"


def test_broken_settings_file_is_a_located_usage_error(tmp_path: Path) -> None:
    (tmp_path / "terbit.yml").write_bytes(b"site:\n  name: Balai \xff\n")
    with pytest.raises(ConfigError) as bad:
        load_settings(tmp_path)
    assert (bad.value.path, bad.value.line) == ("terbit.yml", 2)
    assert "bukan teks UTF-8" in bad.value.message
