"""The front matter of a draft: articles and pages, as TEAM's contract fixes it.

Categories come from ``terbit.yml``; ``author`` must be a person id from ``roles.yml`` when the
repository has one (a plain name otherwise). Both arrive through pydantic's validation context,
so one model serves every office.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from pipeline.config.validate import Strict, problems_of
from pipeline.config.yamlsrc import Doc
from pipeline.errors import Problem
from pipeline.i18n import Catalog

Kind = Literal["article", "page"]

SUMMARY_MAX = 300
TITLE_MAX = 200
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATETIME_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")

MSG = Catalog(
    {
        "date_format": (
            'tulis sebagai TTTT-BB-HH atau "TTTT-BB-HH JJ:MM" (mis. 2026-05-20 08:30)',
            'write it as YYYY-MM-DD or "YYYY-MM-DD HH:MM" (e.g. 2026-05-20 08:30)',
        ),
        "date_impossible": (
            "tanggal {value} tidak ada di kalender (bulan 1-12, hari sesuai bulan, jam 00-23)",
            "the date {value} does not exist (month 1-12, day within the month, hour 00-23)",
        ),
        "category": (
            "kategori '{value}' tidak dikenal; pilih salah satu: {known}",
            "unknown category '{value}'; choose one of: {known}",
        ),
        "author_unknown": (
            "penulis '{value}' tidak ada di roles.yml; id yang ada: {known}",
            "author '{value}' is not in roles.yml; known ids: {known}",
        ),
        "slug": (
            "slug '{value}' hanya boleh huruf kecil, angka, dan tanda hubung (mis. vaksin-haji)",
            "slug '{value}' may only hold lowercase letters, digits and hyphens (e.g. vaksin-haji)",
        ),
        "too_long": (
            "terlalu panjang ({length} karakter, maksimum {limit})",
            "too long ({length} characters, at most {limit})",
        ),
        "blank": ("tidak boleh kosong", "must not be empty"),
        "not_text": (
            "tulis ringkasan perubahannya sebagai teks (mis. ralat: Jam layanan yang benar "
            "08.00-16.00)",
            "write the summary of the change as text (e.g. ralat: The opening hours are 8-16)",
        ),
        "both_notes": (
            "pilih salah satu: 'ralat' (memperbaiki kesalahan) atau 'pembaruan' (menambah "
            "informasi), bukan keduanya",
            "choose one: 'ralat' (a correction) or 'pembaruan' (an update), not both",
        ),
        "publish_at_format": (
            'tulis waktu terbit sebagai "TTTT-BB-HH JJ:MM" (waktu kantor) atau dengan zona '
            "waktu (mis. 2027-01-15 08:00 atau 2027-01-15T08:00:00+07:00)",
            'write the publication time as "YYYY-MM-DD HH:MM" (office time) or with a time '
            "zone (e.g. 2027-01-15 08:00 or 2027-01-15T08:00:00+07:00)",
        ),
        "modified_before": (
            "{modified} lebih awal dari 'date' ({date})",
            "{modified} is earlier than 'date' ({date})",
        ),
    }
)


def _fail(code: str, message: str) -> PydanticCustomError:
    """A validation error with its own code (for ``--format json``) and a finished message."""
    return PydanticCustomError(code, "{detail}", {"detail": message})


def parse_when(value: Any) -> dt.date | dt.datetime:
    """A YAML date or datetime, or ``"YYYY-MM-DD HH:MM"`` text; errors in the user's words."""
    if isinstance(value, dt.datetime | dt.date):
        return value
    if not isinstance(value, str):
        raise _fail("date_format", MSG("date_format"))
    match = DATETIME_RE.match(value.strip())
    if not match:
        raise _fail("date_format", MSG("date_format"))
    year, month, day, hour, minute, second = match.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day))
        return dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
        )
    except ValueError:
        raise _fail("date_impossible", MSG("date_impossible", value=value.strip())) from None


def parse_publish_at(value: Any) -> dt.datetime:
    """``publish_at``: a moment, with a time; without a zone it is office time (the reader
    and the schedule add the zone of ``site.timezone``)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and not DATETIME_RE.match(value.strip()):
        try:
            return dt.datetime.fromisoformat(value.strip())  # with an offset, e.g. +07:00
        except ValueError:
            raise _fail("publish_at_format", MSG("publish_at_format")) from None
    try:
        when = parse_when(value)
    except PydanticCustomError as bad:
        if bad.type == "date_impossible":
            raise
        raise _fail("publish_at_format", MSG("publish_at_format")) from None
    if not isinstance(when, dt.datetime):
        raise _fail("publish_at_format", MSG("publish_at_format"))
    return when


def _text(value: str, limit: int) -> str:
    if not value:
        raise _fail("blank", MSG("blank"))
    if len(value) > limit:
        raise _fail("too_long", MSG("too_long", length=len(value), limit=limit))
    return value


class Image(Strict):
    src: str = Field(min_length=1)
    alt: str = Field(min_length=1)
    caption: str | None = None


class _Meta(Strict):
    title: str
    date: Any = None
    modified: Any = None
    category: str | None = None
    tags: list[str] = Field(default_factory=list)
    summary: str | None = None
    author: str | None = None
    slug: str | None = None
    featured: bool = False
    images: list[Image] = Field(default_factory=list)
    nota_dinas: str | None = None
    # The summary of a change to a published article, shown dated on its page (docs/site.md).
    ralat: Any = None
    pembaruan: Any = None
    public_contacts: list[str] = Field(default_factory=list)
    # Scheduled publication (embargo): nowhere on the site before this moment (docs/drafts.md).
    publish_at: Any = None
    lang: Literal["id", "en"] | None = None
    # Pelican's own switches, which an editor may legitimately set.
    status: Literal["draft", "published", "hidden"] | None = None
    template: str | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _text(value, TITLE_MAX)

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str | None) -> str | None:
        return None if value is None else _text(value, SUMMARY_MAX)

    @field_validator("ralat", "pembaruan", mode="before")
    @classmethod
    def _note(cls, value: Any, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise _fail("not_text", MSG("not_text"))
        if info.field_name == "pembaruan" and info.data.get("ralat") is not None:
            raise _fail("both_notes", MSG("both_notes"))
        return _text(" ".join(value.split()), SUMMARY_MAX)

    @field_validator("date", "modified", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        return None if value is None else parse_when(value)

    @field_validator("publish_at", mode="before")
    @classmethod
    def _publish_at(cls, value: Any) -> Any:
        return None if value is None else parse_publish_at(value)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None, info: ValidationInfo) -> str | None:
        known = (info.context or {}).get("categories")
        if value is not None and known is not None and value not in known:
            raise _fail("unknown_category", MSG("category", value=value, known=", ".join(known)))
        return value

    @field_validator("author")
    @classmethod
    def _author(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        _text(value, TITLE_MAX)
        people = (info.context or {}).get("people")
        if people is not None and value not in people:
            known = ", ".join(sorted(people)) or "-"
            raise _fail("author_unknown", MSG("author_unknown", value=value, known=known))
        return value

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not SLUG_RE.match(value):
            raise _fail("slug", MSG("slug", value=value))
        return value

    @field_validator("tags", "public_contacts")
    @classmethod
    def _items(cls, value: list[str]) -> list[str]:
        for item in value:
            _text(item, TITLE_MAX)
        return value

    @field_validator("modified")
    @classmethod
    def _order(cls, value: Any, info: ValidationInfo) -> Any:
        start = info.data.get("date")
        if value is not None and start is not None and _as_datetime(value) < _as_datetime(start):
            raise _fail("modified_before", MSG("modified_before", modified=value, date=start))
        return value


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)


class ArticleMeta(_Meta):
    date: Any
    category: str
    summary: str
    author: str

    @field_validator("date")
    @classmethod
    def _present(cls, value: Any) -> Any:
        if value is None:
            raise _fail("blank", MSG("blank"))
        return value


class PageMeta(_Meta):
    pass


def validate_meta(
    doc: Doc,
    kind: Kind,
    *,
    categories: list[str] | None = None,
    people: set[str] | None = None,
) -> tuple[_Meta | None, list[Problem]]:
    """The typed front matter, or ``None`` and every located problem."""
    model = ArticleMeta if kind == "article" else PageMeta
    context = {"categories": categories, "people": people}
    try:
        return model.model_validate(doc.data, context=context), []
    except ValidationError as bad:
        return None, problems_of(bad, doc)
