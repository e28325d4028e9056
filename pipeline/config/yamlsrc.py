"""Safe YAML with line numbers.

Documents are composed into nodes with PyYAML's SafeLoader and turned into plain Python values
while remembering the line of every key and item, so validation can say ``file:line``. Anchors
and aliases are refused outright: nothing an office writes needs them, and it rules out alias
bombs ("billion laughs") before any value is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import yaml

from pipeline.errors import ConfigError, TerbitError
from pipeline.i18n import Catalog

MAX_BYTES = 1_000_000
# Nothing an office writes nests deeper than a few levels; PyYAML's scanner slows down sharply
# with nesting and its composer recurses, so absurd depth is refused before parsing.
MAX_DEPTH = 32
MAX_INDENT = 96
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}

Path = tuple[str | int, ...]

MSG = Catalog(
    {
        "alias": (
            "YAML memakai anchor/alias ('&' atau '*'); hapus dan tulis nilainya langsung",
            "YAML uses an anchor/alias ('&' or '*'); remove it and write the value out",
        ),
        "syntax": (
            "YAML tidak valid: {problem}; periksa indentasi dan tanda kutip",
            "invalid YAML: {problem}; check indentation and quotes",
        ),
        "syntax_plain": ("YAML tidak valid: {problem}", "invalid YAML: {problem}"),
        "too_big": (
            "berkas terlalu besar ({size} byte, maksimum {limit})",
            "file too large ({size} bytes, at most {limit})",
        ),
        "dup_key": (
            "kunci '{key}' ditulis dua kali (juga di baris {other})",
            "key '{key}' appears twice (also on line {other})",
        ),
        "bad_key": (
            "kunci harus berupa teks sederhana",
            "keys must be plain text",
        ),
        "too_deep": (
            "YAML bersarang terlalu dalam (lebih dari {limit} tingkat); sederhanakan strukturnya",
            "YAML nested too deeply (more than {limit} levels); simplify the structure",
        ),
        "tag": (
            "tag YAML '{tag}' tidak diizinkan; tulis nilainya sebagai teks, angka, daftar",
            "YAML tag '{tag}' is not allowed; write the value as plain text, number or list",
        ),
        "multi_doc": (
            "hanya satu dokumen YAML yang diizinkan",
            "only one YAML document is allowed",
        ),
        "bad_date": (
            "tanggal '{value}' tidak ada di kalender",
            "date '{value}' does not exist in the calendar",
        ),
        "not_utf8": (
            "berkas bukan teks UTF-8 (byte tidak valid 0x{byte:02x}); simpan ulang sebagai UTF-8",
            "the file is not UTF-8 text (invalid byte 0x{byte:02x}); save it again as UTF-8",
        ),
        "is_dir": (
            "ini folder, bukan berkas",
            "this is a folder, not a file",
        ),
        "unreadable": ("berkas tidak dapat dibaca: {error}", "cannot read the file: {error}"),
    }
)


# PyYAML explains in English; the usual mistakes get a translated explanation (others pass
# through as written so nothing is hidden).
PROBLEMS = Catalog(
    {
        "colon": (
            "tanda ':' tidak boleh di sini; beri tanda kutip pada nilai yang memuat ': ' "
            "atau periksa indentasi",
            "a ':' is not allowed here; quote a value that contains ': ' or check indentation",
        ),
        "unclosed_bracket": ("tanda '{0}' penutup tidak ditemukan", "the closing '{0}' is missing"),
        "unclosed_quote": ("tanda kutip tidak ditutup", "a quote is never closed"),
        "bad_char": (
            "karakter {0} tidak boleh di awal nilai; beri tanda kutip (indentasi memakai spasi)",
            "character {0} cannot start a value; quote the value (indent with spaces)",
        ),
        "indent": (
            "indentasi atau susunan daftar tidak konsisten",
            "inconsistent indentation or list layout",
        ),
        "no_value": ("nilai diharapkan, tetapi ditemukan '{0}'", "a value was expected, not '{0}'"),
    }
)
_PROBLEM_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"mapping values are not allowed"), "colon"),
    (re.compile(r"expected ',' or '(.)', but got '<stream end>'"), "unclosed_bracket"),
    (re.compile(r"found unexpected end of stream"), "unclosed_quote"),
    (re.compile(r"found character (.+) that cannot start any token"), "bad_char"),
    (re.compile(r"expected <block end>, but found '(?:\?|-|<block \w+ start>)'"), "indent"),
    (re.compile(r"expected the node content, but found '(.+)'"), "no_value"),
)


def _explain(problem: str) -> str:
    for pattern, key in _PROBLEM_PATTERNS:
        if match := pattern.search(problem):
            return MSG("syntax_plain", problem=PROBLEMS(key).format(*match.groups()))
    return MSG("syntax", problem=problem)


@dataclass
class Doc:
    """Plain data plus the 1-based line of each value, keyed by its path from the root."""

    data: Any
    path: str
    lines: dict[Path, int] = field(default_factory=dict)
    line_offset: int = 0

    def line_of(self, where: Path) -> int | None:
        """Line of the deepest known prefix of ``where`` (a missing key points at its parent)."""
        probe = tuple(where)
        while True:
            if probe in self.lines:
                return self.lines[probe] + self.line_offset
            if not probe:
                return None
            probe = probe[:-1]


def decode(data: bytes, path: str, *, error: type[TerbitError] = ConfigError) -> str:
    """UTF-8 text of ``data`` (a leading BOM dropped); ``error`` at the line of a bad byte."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as bad:
        line = data[: bad.start].count(b"\n") + 1
        raise error(MSG("not_utf8", byte=data[bad.start]), path=path, line=line) from None


def read_text(
    file: FilePath, shown: str | None = None, *, error: type[TerbitError] = ConfigError
) -> str:
    """The text of a configuration file, or ``error`` naming it when it cannot be read as one
    (a folder, unreadable, not UTF-8) instead of a traceback."""
    shown = shown or str(file)
    if file.is_dir():
        raise error(MSG("is_dir"), path=shown)
    try:
        data = file.read_bytes()
    except OSError as bad:
        raise error(MSG("unreadable", error=bad.strerror or bad), path=shown) from None
    return decode(data, shown, error=error)


def _guard_depth(text: str, path: str, offset: int, error: type[TerbitError]) -> None:
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1 + offset):
        if len(line) - len(line.lstrip(" ")) > MAX_INDENT:
            raise error(MSG("too_deep", limit=MAX_DEPTH), path=path, line=number)
        # Brackets inside quotes count too: that only errs towards refusing absurd input.
        for char in line:
            if char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise error(MSG("too_deep", limit=MAX_DEPTH), path=path, line=number)
            elif char in "]}":
                depth = max(0, depth - 1)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _build(node: yaml.Node, where: Path, lines: dict[Path, int], path: str, offset: int) -> Any:
    lines[where] = _line(node)
    if node.tag not in _PLAIN_TAGS:
        raise ConfigError(MSG("tag", tag=node.tag), path=path, line=_line(node) + offset)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConfigError(MSG("bad_key"), path=path, line=_line(key_node) + offset)
            key = yaml.SafeLoader.construct_scalar(_CONSTRUCTOR, key_node)
            key = str(key)
            if key in seen:
                raise ConfigError(
                    MSG("dup_key", key=key, other=seen[key] + offset),
                    path=path,
                    line=_line(key_node) + offset,
                )
            seen[key] = _line(key_node)
            result[key] = _build(value_node, (*where, key), lines, path, offset)
            lines[(*where, key)] = _line(key_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*where, i), lines, path, offset) for i, item in enumerate(node.value)]
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    except ValueError as bad:  # e.g. an impossible date such as 2026-02-30
        line = _line(node) + offset
        if node.tag.endswith(":timestamp"):
            raise ConfigError(MSG("bad_date", value=node.value), path=path, line=line) from None
        raise ConfigError(MSG("syntax", problem=str(bad)), path=path, line=line) from None


_CONSTRUCTOR = yaml.SafeLoader("")
# libyaml's parser (same events and marks) when PyYAML was built with it: 20-50x faster, which
# matters when `terbit verify` or the compliance report reads hundreds of records.
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_aliases(text: str, path: str, offset: int, loader: type = yaml.SafeLoader) -> None:
    for event in yaml.parse(text, Loader=loader):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            mark = event.start_mark  # the parser always sets it; the stubs allow None
            line = mark.line + 1 + offset if mark is not None else None
            raise ConfigError(MSG("alias"), path=path, line=line)


def load_fast(text: str, path: str) -> Doc | None:
    """Plain data without line numbers, parsed by libyaml, for machine-written files read in
    bulk (records); None when anything is unusual (aliases, tags, errors, no libyaml): the
    caller then uses ``load``, which explains the problem with its line."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None or len(text) > MAX_BYTES:
        return None
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return None
            tag = getattr(event, "tag", None)  # None unless written explicitly
            if tag is not None and tag not in _PLAIN_TAGS:
                return None
        data = yaml.load(text, Loader=loader)
    except (yaml.YAMLError, ValueError):
        return None
    return Doc(data=data, path=path)


def load(
    text: str, path: str, *, line_offset: int = 0, error: type[TerbitError] = ConfigError
) -> Doc:
    """Parse one YAML document. ``line_offset`` shifts lines (front matter after ``---``).

    Raises ``error`` (ConfigError by default; drafts use InputError) with the file and line.
    """
    size = len(text.encode("utf-8", "replace"))
    if size > MAX_BYTES:
        raise error(MSG("too_big", size=size, limit=MAX_BYTES), path=path, line=1)
    _guard_depth(text, path, line_offset, error)
    try:
        try:
            _refuse_aliases(text, path, line_offset, _PARSER)
            nodes = list(yaml.compose_all(text, Loader=_PARSER))
        except yaml.YAMLError:
            # Broken YAML: parse again in Python for its (explained) messages and lines.
            _refuse_aliases(text, path, line_offset)
            nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except ConfigError as refused:
        raise error(refused.message, path=path, line=refused.line) from None
    except yaml.MarkedYAMLError as bad:
        mark = bad.problem_mark or bad.context_mark
        line = mark.line + 1 + line_offset if mark else None
        raise error(_explain(bad.problem or bad.context or "?"), path=path, line=line) from None
    except yaml.YAMLError as bad:
        raise error(MSG("syntax", problem=str(bad)), path=path, line=None) from None
    if len(nodes) > 1:
        raise error(MSG("multi_doc"), path=path, line=_line(nodes[1]) + line_offset)
    lines: dict[Path, int] = {}
    if not nodes or nodes[0] is None:
        return Doc(data=None, path=path, lines=lines, line_offset=line_offset)
    try:
        data = _build(nodes[0], (), lines, path, line_offset)
    except ConfigError as refused:
        raise error(refused.message, path=path, line=refused.line) from None
    except yaml.constructor.ConstructorError as bad:
        mark = bad.problem_mark
        raise error(
            MSG("syntax", problem=bad.problem or "?"),
            path=path,
            line=mark.line + 1 + line_offset if mark else None,
        ) from None
    return Doc(data=data, path=path, lines=lines, line_offset=line_offset)
