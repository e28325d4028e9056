"""The Markdown body: links and images it points to, and raw HTML the sanitiser would remove.

markdown-it-py tokenises the body (CommonMark, the same block structure Python-Markdown sees
for raw HTML), so text inside code blocks is never mistaken for HTML or links.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pipeline.draft.checks.base import Context, Draft, Finding
from pipeline.draft.checks.refs import Ref, check_ref
from pipeline.draft.sanitize import elements, sanitize_located
from pipeline.i18n import Catalog

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

MSG = Catalog(
    {
        "html_removed": (
            "HTML mentah ini akan dibuang saat situs dibangun: {what}",
            "this raw HTML will be removed when the site is built: {what}",
        ),
    }
)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Loaded with the first body checked: every push's hook imports this module and a review's
    # push checks no draft (python -X importtime: 22 ms of start-up).
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    # See every link as written: no URL filtering or percent-encoding of {filename} etc.
    # markdown-it-py's documented hooks are these attributes; mypy sees methods replaced.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    return md


def _inline(children: list[Any], first_line: int) -> Iterator[tuple[Any, int]]:
    line = first_line
    for child in children:
        yield child, line
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type in ("html_inline", "text", "code_inline"):
            line += child.content.count("\n")


def _tokens(body: str, body_line: int) -> Iterator[tuple[Any, int]]:
    """Every token that matters, with its 1-based line in the whole file."""
    for token in _markdown().parse(body):
        start = body_line + (token.map[0] if token.map else 0)
        if token.type == "inline" and token.children:
            yield from _inline(token.children, start)
        elif token.type == "html_block":
            yield token, start


def _html(ctx: Context, draft: Draft, html: str, line: int) -> list[Finding]:
    findings = []
    hosts = ctx.settings.iframe_hosts
    _, removals = sanitize_located(html, iframe_hosts=hosts)
    for removal in removals:
        at = line + removal.line - 1
        findings.append(
            draft.find(at, "html_removed", MSG("html_removed", what=removal.description))
        )
    for tag, attrs, offset in elements(html):
        at = line + offset - 1
        if tag == "img":
            alt = attrs.get("alt", "")
            findings += check_ref(ctx, draft, Ref(at, attrs.get("src", ""), "image", alt))
        elif tag == "a" and "href" in attrs:
            findings += check_ref(ctx, draft, Ref(at, attrs["href"], "link"))
    return findings


def check_body(ctx: Context, draft: Draft) -> list[Finding]:
    assert draft.parsed is not None
    findings: list[Finding] = []
    for token, line in _tokens(draft.parsed.body, draft.parsed.body_line):
        if token.type == "image":
            ref = Ref(line, str(token.attrs.get("src", "")), "image", token.content)
            findings += check_ref(ctx, draft, ref)
        elif token.type == "link_open":
            findings += check_ref(ctx, draft, Ref(line, str(token.attrs.get("href", "")), "link"))
        elif token.type in ("html_inline", "html_block"):
            findings += _html(ctx, draft, token.content, line)
    return findings


def check_meta_images(ctx: Context, draft: Draft) -> list[Finding]:
    """Front matter ``images``: checked even when other fields are wrong."""
    images = draft.raw.get("images")
    if not isinstance(images, list) or draft.parsed is None:
        return []
    findings: list[Finding] = []
    doc = draft.parsed.doc
    for index, item in enumerate(images):
        if not isinstance(item, dict) or not isinstance(item.get("src"), str):
            continue  # the schema check already says what is wrong
        line = doc.line_of(("images", index, "src")) or 1
        # Missing/empty alt is the schema's finding; don't report it twice.
        ref = Ref(line, item["src"], "image", None, from_meta=True)
        findings += check_ref(ctx, draft, ref)
    return findings
