"""Front matter: fences, YAML (hostile input included), the schema, impossible dates."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import yaml
from pydantic_core import PydanticCustomError

from pipeline.clock import now
from pipeline.config import yamlsrc
from pipeline.draft import frontmatter
from pipeline.draft.checks.base import Context, Draft, Finding
from pipeline.draft.model import parse_when, validate_meta
from pipeline.errors import InputError
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "too_deep": (
            "YAML bersarang terlalu dalam; front matter cukup beberapa tingkat",
            "YAML nested too deeply; front matter needs only a few levels",
        ),
        "future_date": (
            "tanggal {date} masih akan datang, tetapi tanpa 'publish_at' artikel ini tayang "
            "segera setelah digabung dengan tulisan 'Diterbitkan {date}'; untuk menjadwalkan "
            "penerbitan tambahkan mis. publish_at: {example}",
            "the date {date} is still ahead, but without 'publish_at' this article goes live as "
            "soon as it is merged, dated {date}; to schedule it add e.g. publish_at: {example}",
        ),
        "body_empty": (
            "artikel belum berisi teks di bawah front matter",
            "the article has no text below the front matter",
        ),
    }
)

# "date: 2026-02-30" is refused by the YAML loader itself; say it in the schema's words.
_DATE_LINE = re.compile(r"^\s*([\w-]+)\s*:\s*['\"]?(\d{4}-\d{1,2}-\d{1,2}(?:[ T][\d:.]+)?)")


def _quote_bad_date(text: str, line: int | None) -> str | None:
    """``text`` with the impossible date on ``line`` quoted, so the schema can report it."""
    lines = text.splitlines(keepends=True)
    if not line or not 0 < line <= len(lines):
        return None
    match = _DATE_LINE.match(lines[line - 1])
    if not match or lines[line - 1][match.start(2) - 1] in "'\"":
        return None
    try:
        parse_when(match.group(2))
        return None
    except PydanticCustomError:
        pass
    start, end = match.span(2)
    row = lines[line - 1]
    lines[line - 1] = f'{row[:start]}"{row[start:end]}"{row[end:]}'
    return "".join(lines)


def _parse(draft: Draft) -> frontmatter.Parsed:
    text = draft.text or ""
    for _ in range(20):  # each impossible date is one more pass; a draft has a few dates
        try:
            return frontmatter.parse(text, draft.rel)
        except InputError as bad:
            patched = _quote_bad_date(text, bad.line)
            if patched is None:
                raise
            text = patched
    return frontmatter.parse(text, draft.rel)


def check_front_matter(ctx: Context, draft: Draft) -> list[Finding]:
    """Parse and validate; on success ``draft.parsed``/``draft.meta``/``draft.raw`` are set.

    When the YAML itself is broken, ``draft.parsed`` still gets the body (with empty front
    matter) so the body checks run; ``draft.yaml_ok`` stays False.
    """
    assert draft.text is not None
    try:
        _, body, body_line = frontmatter.split(draft.text, draft.rel)
    except InputError as bad:
        return [draft.find(bad.line, "front_matter", bad.message)]
    try:
        draft.parsed = _parse(draft)
    except (InputError, RecursionError) as bad:
        empty = yamlsrc.Doc(data={}, path=draft.rel)
        draft.parsed = frontmatter.Parsed(meta={}, body=body, body_line=body_line, doc=empty)
        if isinstance(bad, RecursionError):
            return [draft.find(2, "yaml", MSG("too_deep"))]
        return [draft.find(bad.line, "yaml", bad.message)]
    draft.yaml_ok = True
    draft.raw = draft.parsed.meta
    meta, problems = validate_meta(
        draft.parsed.doc,
        draft.kind,
        categories=list(ctx.settings.categories),
        people=ctx.people,
    )
    draft.meta = meta
    findings = [draft.find(p.line, p.code or "schema", p.message) for p in problems]
    if draft.kind == "article" and not draft.parsed.body.strip():
        findings.append(draft.find(draft.parsed.body_line - 1, "body_empty", MSG("body_empty")))
    if meta is not None and draft.kind == "article":
        findings += _future_date(ctx, draft, meta.date, meta.publish_at)
    return findings


def _future_date(ctx: Context, draft: Draft, date: object, publish_at: object) -> list[Finding]:
    """A warning (not a refusal) for a ``date`` still ahead without ``publish_at``: the page
    would be live today, claiming a later publication date (issue 15 §4)."""
    if publish_at is not None or not isinstance(date, dt.date):
        return []
    zone = ZoneInfo(ctx.timezone)
    today = now().astimezone(zone)
    if isinstance(date, dt.datetime):
        until = date if date.tzinfo else date.replace(tzinfo=zone)
        ahead = until > today
        example = date.strftime("%Y-%m-%d %H:%M")
    else:
        until = dt.datetime.combine(date, dt.time(), tzinfo=zone)
        ahead = date > today.date()
        example = f"{date.isoformat()} 08:00"
    if not ahead:
        return []
    line = draft.parsed.doc.line_of(("date",)) if draft.parsed else None
    shown = str(date)
    message = MSG("future_date", date=shown, example=example)
    return [Finding(draft.rel, line, "future_date", message, severity="warning", until=until)]


# A top-level key of the front matter and the line it is on (for the slug index's messages).
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
# Past this many flow brackets the guarded parser decides (it caps the depth).
_FAST_MAX_BRACKETS = 32


def quick_meta(text: str, rel: str) -> yamlsrc.Doc | None:
    """The front matter of a draft that is not itself under check (for the slug index)."""
    fast = _fast_meta(text, rel)
    if fast is not None:
        return fast
    try:
        return frontmatter.parse(text, rel).doc
    except (InputError, RecursionError):
        return None


def _fast_meta(text: str, rel: str) -> yamlsrc.Doc | None:
    """libyaml's C parser for a plain front matter (no anchors or aliases, shallow): the slug
    index reads every draft of the site, and the pure-Python parser that records each value's
    line took most of a check's time (a server check of one new article on a site of 1,000).
    None when the front matter needs the guarded parser."""
    loader = getattr(yaml, "CSafeLoader", None)
    try:
        yaml_text, _, _ = frontmatter.split(text, rel)
    except InputError:
        return None
    brackets = yaml_text.count("[") + yaml_text.count("{")
    if loader is None or "&" in yaml_text or "*" in yaml_text or brackets > _FAST_MAX_BRACKETS:
        return None
    if len(yaml_text) > frontmatter.MAX_FRONT_MATTER:
        return None
    try:
        data = yaml.load(yaml_text, Loader=loader)  # CSafeLoader: plain data only
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    lines: dict[tuple[str | int, ...], int] = {}
    for number, line in enumerate(yaml_text.splitlines(), start=1):
        if found := _TOP_KEY.match(line):
            lines.setdefault((found.group(1),), number)
    return yamlsrc.Doc(data=data, path=rel, lines=lines, line_offset=1)
