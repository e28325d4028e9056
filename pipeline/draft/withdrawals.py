"""The withdrawals list: ``content/withdrawn.yml``, the articles taken off the site (issue 15 §2).

A withdrawal is a change whose only file is this list, with one entry added, approved on
``sop.yml``'s short ``withdrawal:`` path. The list lives on ``main`` next to the drafts, so every
later build reads it again and keeps the article withdrawn: a later merge cannot bring it back
(a rollback of the deploy could, until the next publication). An entry is never removed on the
short path: bringing an article back is an ordinary change through every step.

```yaml
ditarik:
  - slug: pencanangan-zona-integritas      # the article's slug (its file name by default)
    alasan: Data peserta keliru; diganti.  # shown on the notice page
    ganti: pencanangan-zona-integritas-2026  # optional: the replacement, linked from the notice
    tanggal: 2026-12-01
    oleh: sari                             # who asked for it (a person id of roles.yml)
```
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import yaml
from pydantic import Field, field_validator

from pipeline.config import yamlsrc
from pipeline.config.validate import Strict, validate
from pipeline.errors import InputError, Problem
from pipeline.i18n import Catalog

FILE_NAME = "withdrawn.yml"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HEADER = (
    "# Artikel yang ditarik dari situs (jalur penarikan sop.yml; docs/sop.md).\n"
    "# Ditulis oleh `terbit withdraw`; entri tidak dihapus di jalur ini.\n"
)

MSG = Catalog(
    {
        "slug": (
            "slug '{slug}' tidak sah: huruf kecil, angka dan tanda hubung",
            "slug '{slug}' is invalid: lower-case letters, digits and hyphens",
        ),
        "twice": (
            "artikel '{slug}' sudah ditarik (baris {other})",
            "the article '{slug}' is already withdrawn (line {other})",
        ),
        "removed": (
            "entri penarikan '{slug}' dihapus; mengembalikan artikel adalah perubahan biasa "
            "melalui semua langkah SOP, bukan jalur penarikan",
            "the withdrawal of '{slug}' was removed; bringing an article back is an ordinary "
            "change through every SOP step, not the withdrawal path",
        ),
        "changed": (
            "entri penarikan '{slug}' diubah; entri yang sudah tayang tidak diubah",
            "the withdrawal of '{slug}' was changed; a published withdrawal is not edited",
        ),
        "unknown": (
            "tidak ada artikel dengan slug '{slug}' di situs",
            "there is no article with the slug '{slug}' on the site",
        ),
    }
)


class EntryModel(Strict):
    slug: str
    alasan: str = Field(min_length=5, max_length=500)
    ganti: str | None = None
    tanggal: date | None = None
    oleh: str | None = None

    @field_validator("slug", "ganti")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not SLUG_RE.match(value):
            raise ValueError(MSG("slug", slug=value))
        return value


class ListModel(Strict):
    ditarik: list[EntryModel] = Field(default_factory=list)


@dataclass(frozen=True)
class Withdrawal:
    slug: str
    alasan: str
    ganti: str | None = None
    tanggal: date | None = None
    oleh: str | None = None
    line: int | None = None  # where the entry starts in the file

    @property
    def url(self) -> str:
        """Where the article was (``ARTICLE_URL`` of ``pelicanconf.py``)."""
        return f"artikel/{self.slug}/"


def path_in(content_path: str = "content") -> str:
    return f"{content_path.strip('/')}/{FILE_NAME}"


def parse(text: str, path: str = f"content/{FILE_NAME}") -> list[Withdrawal]:
    """The entries of the list; InputError at the line of every problem."""
    if not text.strip():
        return []
    doc = yamlsrc.load(text, path, error=InputError)
    model = validate(ListModel, doc, error=InputError)
    out: list[Withdrawal] = []
    seen: dict[str, int | None] = {}
    problems: list[Problem] = []
    for index, entry in enumerate(model.ditarik):
        line = doc.line_of(("ditarik", index))
        if entry.slug in seen:
            other = seen[entry.slug]
            problems.append(Problem(path, line, MSG("twice", slug=entry.slug, other=other)))
        seen.setdefault(entry.slug, line)
        out.append(Withdrawal(entry.slug, entry.alasan.strip(), entry.ganti, entry.tanggal,
                              entry.oleh, line))  # fmt: skip
    if problems:
        first = problems[0]
        raise InputError(first.message, path=path, line=first.line, problems=problems[1:])
    return out


def appended(text: str, entry: Withdrawal) -> str:
    """``text`` (the list as it is on main, may be empty) with ``entry`` added at the end."""
    items = [_data(w) for w in parse(text)] if text.strip() else []
    items.append(_data(entry))
    body = yaml.safe_dump({"ditarik": items}, sort_keys=False, allow_unicode=True, width=100)
    return HEADER + body


def _data(w: Withdrawal) -> dict[str, object]:
    data: dict[str, object] = {"slug": w.slug, "alasan": w.alasan}
    if w.ganti:
        data["ganti"] = w.ganti
    if w.tanggal:
        data["tanggal"] = w.tanggal
    if w.oleh:
        data["oleh"] = w.oleh
    return data


def added_only(
    before: list[Withdrawal], after: list[Withdrawal], path: str, slugs: Iterable[str]
) -> list[Problem]:
    """Why ``after`` is not ``before`` plus new entries naming articles that exist."""
    problems: list[Problem] = []
    now = {w.slug: w for w in after}
    for old in before:
        new = now.get(old.slug)
        if new is None:
            problems.append(Problem(path, 1, MSG("removed", slug=old.slug)))
        elif (new.alasan, new.ganti, new.tanggal, new.oleh) != (
            old.alasan, old.ganti, old.tanggal, old.oleh,
        ):  # fmt: skip
            problems.append(Problem(path, new.line, MSG("changed", slug=old.slug)))
    known = set(slugs)
    earlier = {w.slug for w in before}
    for entry in after:
        if entry.slug not in earlier and entry.slug not in known:
            problems.append(Problem(path, entry.line, MSG("unknown", slug=entry.slug)))
    return problems
