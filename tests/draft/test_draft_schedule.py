"""``publish_at`` in the content schema and the warning for a future ``date`` (issue 15 §4):
the real command on real files, the clock set with ``TERBIT_NOW``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.draft.test_draft_check_cli import Run, article, repo, terbit, write

__all__ = ["repo", "terbit"]  # the fixtures, shared with the command's own tests

NOW = "2026-12-01T10:00:00+07:00"


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERBIT_NOW", NOW)


@pytest.mark.parametrize(
    "value",
    ['"2027-01-15 08:00"', "2027-01-15T08:00:00+07:00", "2027-01-15 01:00:00Z"],
)
def test_publish_at_in_office_time_or_with_a_zone_is_accepted(repo: Path, terbit: Run, value):
    write(repo, "content/articles/jadwal.md", article(date="2027-01-15", publish_at=value))
    code, out = terbit("check")
    assert code == 0, out
    assert "peringatan" not in out


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"besok pagi"', "tulis waktu terbit sebagai"),
        ('"2027-01-15"', "tulis waktu terbit sebagai"),  # a day is not a moment
        ('"2027-02-30 08:00"', "tidak ada di kalender"),
    ],
)
def test_a_bad_publish_at_is_refused_where_it_is(repo: Path, terbit: Run, value, expected):
    write(repo, "content/articles/jadwal.md", article(publish_at=value))
    code, out = terbit("check")
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith("content/articles/jadwal.md"))
    assert line.startswith("content/articles/jadwal.md:7: 'publish_at': "), line
    assert expected in line


def test_a_future_date_without_publish_at_is_warned_not_refused(repo: Path, terbit: Run):
    write(repo, "content/articles/nanti.md", article(date="2027-01-15"))
    code, out = terbit("check")
    assert code == 0, out  # a warning never stops the writer
    warned = [x for x in out.splitlines() if x.startswith("content/articles/nanti.md")]
    assert len(warned) == 1
    assert warned[0].startswith("content/articles/nanti.md:3: tanggal 2027-01-15 masih akan")
    assert "publish_at: 2027-01-15 08:00" in warned[0] and warned[0].endswith("[peringatan]")
    code, out = terbit("--lang", "en", "check")
    assert "the date 2027-01-15 is still ahead" in out and "[warning]" in out
    code, out = terbit("check", "--format", "json")
    assert code == 0
    found = json.loads(out)
    assert [(f["code"], f["severity"]) for f in found] == [("future_date", "warning")]


def test_a_past_date_or_a_scheduled_one_is_not_warned(repo: Path, terbit: Run):
    write(repo, "content/articles/kemarin.md", article(date='"2026-12-01 09:00"'))
    write(repo, "content/articles/terjadwal.md",
          article(date="2027-01-15", publish_at='"2027-01-15 08:00"'))  # fmt: skip
    code, out = terbit("check")
    assert (code, out.strip()) == (0, "Tidak ada masalah; 5 berkas diperiksa")


def test_the_images_a_draft_shows_are_found_where_the_build_takes_them_from() -> None:
    from pipeline.draft.schedule import draft_images

    text = (
        "---\ntitle: T\nimages:\n  - src: /images/sampul.png\n    alt: A\n---\n"
        "![a]({static}/images/teks%20satu.png) ![b](../images/relatif.jpg?v=2)\n"
        "<img alt='c' src='/images/absolut.webp'> ![d](https://contoh.id/x.png)\n"
        "![e](data:image/png;base64,AAAA) ![f](../../luar.png)\n"
    )
    assert draft_images(text, "articles/berita.md") == {
        "images/sampul.png",
        "images/teks satu.png",
        "images/relatif.jpg",
        "images/absolut.webp",
    }
