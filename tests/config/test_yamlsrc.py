"""Located, safe YAML: lines for every value, aliases and duplicates refused."""

from __future__ import annotations

import tracemalloc

import pytest

from pipeline.config.settings import Settings, parse_settings
from pipeline.config.yamlsrc import load
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
        ("d: 2026-02-30\n", 1, "day is out of range"),
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
