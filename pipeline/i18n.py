"""User-facing text in Indonesian (default) and English.

Each module keeps its own ``Catalog`` next to the code that speaks, so messages stay close to
their use. The language lives in a context variable, not a mutable global.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from datetime import date
from typing import Literal

Lang = Literal["id", "en"]
LANGS: tuple[Lang, ...] = ("id", "en")

_lang: ContextVar[Lang | None] = ContextVar("terbit_lang", default=None)


def get_lang() -> Lang:
    chosen = _lang.get()
    if chosen is not None:
        return chosen
    env = os.environ.get("TERBIT_LANG", "id").strip().lower()[:2]
    return "en" if env == "en" else "id"


def set_lang(lang: str | None) -> None:
    if lang:
        _lang.set("en" if lang.lower().startswith("en") else "id")


class Catalog:
    """Messages keyed by id; each value is ``(indonesian, english)`` with ``str.format`` fields."""

    def __init__(self, messages: dict[str, tuple[str, str]]) -> None:
        self._messages = messages

    def __call__(self, key: str, /, **fields: object) -> str:
        indonesian, english = self._messages[key]
        template = english if get_lang() == "en" else indonesian
        return template.format(**fields) if fields else template

    def keys(self) -> list[str]:
        return list(self._messages)


MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def long_date(value: date, lang: Lang | None = None) -> str:
    """``28 November 2026`` in Indonesian (or English) for a date or datetime."""
    months = MONTHS_EN if (lang or get_lang()) == "en" else MONTHS_ID
    day, month, year = value.day, value.month, value.year
    return f"{day} {months[month - 1]} {year}"
