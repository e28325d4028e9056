"""The draft form of the browser editor: what the writer typed, the draft file it makes, and
which field or body line a check's finding concerns.

The front matter is written by ``yaml.safe_dump`` (never by pasting text together), one key a
line in a fixed order, so a finding's line number maps back to the field it came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_BODY = 200_000  # characters; a long article is ~20,000
MAX_FIELD = 1_000
# Front matter keys in the order they are written (``featured`` only when ticked).
FIELDS = ("title", "date", "category", "tags", "summary", "author", "featured")


@dataclass
class DraftForm:
    """The fields of the editor exactly as typed (kept to fill the form again on an error)."""

    slug: str = ""
    title: str = ""
    category: str = ""
    tags: str = ""  # comma-separated
    summary: str = ""
    date: str = ""
    featured: bool = False
    body: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, object]) -> DraftForm:
        def text(name: str, limit: int = MAX_FIELD) -> str:
            return str(form.get(name, "") or "").replace("\r\n", "\n")[:limit]

        return cls(
            slug=text("slug").strip(),
            title=text("title").strip(),
            category=text("category").strip(),
            tags=text("tags"),
            summary=text("summary").strip(),
            date=text("date").strip(),
            featured=form.get("featured") in ("1", "on", "true"),
            body=text("body", MAX_BODY),
        )

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    def front_matter(self, author: str) -> dict[str, object]:
        data: dict[str, object] = {
            "title": self.title,
            "date": self.date,
            "category": self.category,
            "tags": self.tag_list(),
            "summary": self.summary,
            "author": author,
        }
        if self.featured:
            data["featured"] = True
        return data

    def lines(self, author: str) -> tuple[str, dict[int, str], int]:
        """The draft file's text, the field of each front-matter line, and the file line
        where the body starts."""
        head = ["---"]
        where: dict[int, str] = {}
        for key, value in self.front_matter(author).items():
            dumped = yaml.safe_dump(
                {key: value}, allow_unicode=True, default_flow_style=True, width=1_000_000
            ).strip()
            # Flow style wraps a mapping in braces; the key line itself is what we keep.
            dumped = dumped.removeprefix("{").removesuffix("}")
            for part in dumped.splitlines():
                head.append(part)
                where[len(head)] = key
        head += ["---", ""]
        body_start = len(head) + 1
        return "\n".join(head) + "\n" + self.body.rstrip("\n") + "\n", where, body_start


@dataclass(frozen=True)
class Remark:
    """A check's finding placed in the form: beside a field, or at a line of the body."""

    field: str  # a key of FIELDS, "body", or "" (the draft as a whole)
    line: int | None  # line of the body (1-based) when field == "body"
    message: str
