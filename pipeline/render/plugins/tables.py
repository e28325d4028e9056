"""Wide tables scroll inside a region keyboard users can reach.

On a phone (390 px) a wide table scrolls sideways. WCAG 2.1 (2.1.1 Keyboard; axe's
``scrollable-region-focusable``) needs such a region to be reachable by keyboard and named for
screen readers, so every table of a rendered body is wrapped in
``<div class="table-scroll" role="region" tabindex="0" aria-label="Tabel: …">``; the label is
the table's caption, else its header cells. The stylesheet makes the wrapper, not the table,
scroll, so the table keeps its table semantics.

This runs on the sanitiser's output (the sanitiser would rightly drop these attributes from a
draft). That output is well-formed, so the standard library's tokenizer finds the real
``<table>`` and ``</table>`` tags (never a "<table" inside an attribute value) and the wrapper is
inserted at their offsets; nothing else of the body is re-serialised.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

from pipeline.render.plugins.theme_text import Strings, strings_for

LABEL_MAX = 120  # a screen reader reads the whole label on entering the region


@dataclass
class _Table:
    start: int  # offset of "<table"
    end: int = -1  # offset just after "</table>"
    caption: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: int = 0  # rows started so far: only the first row's header cells name the table


class _Finder(HTMLParser):
    """Offsets of every table and the words that name it (caption, first-row headers)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self.line_starts.append(index + 1)
        self.tables: list[_Table] = []
        self.open: list[_Table] = []
        self.inside: list[str] = []  # "caption"/"th" of the innermost open table
        self.cell: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            table = _Table(start=self._offset())
            self.tables.append(table)
            self.open.append(table)
            self.inside.append("")
        elif self.open and tag == "tr":
            self.open[-1].rows += 1
        elif self.open and tag in ("caption", "th") and not self.inside[-1]:
            self.inside[-1] = tag
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.open:
            return
        table = self.open[-1]
        if tag == "table":
            table.end = self.text.index(">", self._offset()) + 1
            self.open.pop()
            self.inside.pop()
        elif tag == self.inside[-1]:
            words = " ".join("".join(self.cell).split())
            if tag == "caption":
                table.caption.append(words)
            elif table.rows <= 1 and words:
                table.headers.append(words)
            self.inside[-1] = ""

    def handle_data(self, data: str) -> None:
        if self.open and self.inside[-1]:
            self.cell.append(data)


def _label(table: _Table, text: Strings) -> str:
    what = " ".join(x for x in table.caption if x) or ", ".join(table.headers)
    if not what:
        return text.table
    if len(what) > LABEL_MAX:
        what = what[: LABEL_MAX - 1].rstrip() + "…"
    return text.fmt("table_named", what=what)


def scrollable_tables(body: str, lang: str = "id") -> str:
    """``body`` with every ``<table>…</table>`` inside a focusable, named scrolling region;
    the label is in the site's language ``lang`` (the interface's, like the theme's words)."""
    if "<table" not in body:
        return body
    finder = _Finder(body)
    finder.feed(body)
    finder.close()
    text = strings_for(lang)
    inserts: list[tuple[int, int, str]] = []  # (offset, order, text): closes before opens
    for table in finder.tables:
        if table.end < 0:  # not closed: the sanitiser's output always is; leave it be
            continue
        label = html.escape(_label(table, text), quote=True)
        opening = f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">'
        inserts += [(table.start, 1, opening), (table.end, 0, "</div>")]
    out = body
    for offset, _, piece in sorted(inserts, key=lambda x: (x[0], x[1]), reverse=True):
        out = out[:offset] + piece + out[offset:]
    return out
