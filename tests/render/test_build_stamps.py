"""The content files' stamps kept between builds (``tuning.Stamps``): a file is read again
whenever it may have changed since it was hashed, and only then."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pytest

from pipeline.render import tuning

OLD_NS = 1_600_000_000 * 10**9  # a change long before any hashing here


class Reads:
    """Counts the files hashed (``tuning._md5``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = tuning._md5

        def counted(path: str) -> bytes:
            self.paths.append(path)
            return real(path)

        monkeypatch.setattr(tuning, "_md5", counted)

    def take(self) -> list[str]:
        paths, self.paths = sorted(self.paths), []
        return paths


def _stamps(content: Path, kept: Path) -> dict[str, bytes]:
    """One build's stamps, as the clearing child reads them and keeps them for the next."""
    stamps = tuning.Stamps(content, kept)
    stamps.save()
    return stamps.found


def _content(tmp_path: Path, count: int = 5) -> Path:
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    for i in range(count):
        (content / "articles" / f"a{i}.md").write_text(f"title: A{i}\n\nIsi {i}.\n", "utf-8")
    return content


def _settled(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As if every file was last changed long ago: hashed now, it is not racy."""
    monkeypatch.setattr(tuning, "RACY_NS", -(10**18))  # any change time counts as old


def _md5s(content: Path) -> dict[str, bytes]:
    return {str(p): hashlib.md5(p.read_bytes()).digest() for p in content.rglob("*") if p.is_file()}


def _hashed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Reads]:
    """Five settled drafts hashed once, their stamps kept; reads counted from here."""
    content, kept = _content(tmp_path), tmp_path / tuning.STAMPS_FILE
    _settled(content, monkeypatch)
    reads = Reads(monkeypatch)
    _stamps(content, kept)
    reads.take()
    return content, kept, reads


def test_a_second_pass_reads_only_the_files_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, kept = _content(tmp_path), tmp_path / "cache" / tuning.STAMPS_FILE
    kept.parent.mkdir()
    _settled(content, monkeypatch)
    reads = Reads(monkeypatch)
    assert _stamps(content, kept) == _md5s(content)
    assert len(reads.take()) == 5
    assert _stamps(content, kept) == _md5s(content)
    assert reads.take() == []  # nothing read again
    edited = content / "articles" / "a1.md"
    edited.write_text("title: A1\n\nIsi baru.\n", "utf-8")
    new = content / "articles" / "baru.md"
    new.write_text("title: Baru\n", "utf-8")
    (content / "articles" / "a2.md").unlink()
    assert _stamps(content, kept) == _md5s(content)
    assert reads.take() == sorted([str(edited), str(new)])


def test_an_edit_that_keeps_the_size_and_the_time_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change time gives it away: no one can set it back (``utime`` moves it on)."""
    content, kept, reads = _hashed_once(tmp_path, monkeypatch)
    draft = content / "articles" / "a3.md"
    before = draft.stat()
    draft.write_text(draft.read_text("utf-8").replace("Isi", "Ini"), "utf-8")
    os.utime(draft, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert draft.stat().st_size == before.st_size
    assert draft.stat().st_mtime_ns == before.st_mtime_ns
    assert _stamps(content, kept) == _md5s(content)
    assert reads.take() == [str(draft)]


def test_a_file_changed_just_before_it_was_hashed_is_hashed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file changed within the same tick of the kernel's clock as it was hashed could change
    again without a new time: its stamp is never reused (the default margin)."""
    content, kept = _content(tmp_path, 2), tmp_path / tuning.STAMPS_FILE
    reads = Reads(monkeypatch)
    _stamps(content, kept)
    assert len(reads.take()) == 2
    _stamps(content, kept)
    assert len(reads.take()) == 2  # written a moment ago: read again
    for path in content.rglob("*.md"):
        os.utime(path, ns=(OLD_NS, OLD_NS))  # the change time is now: still racy
    _stamps(content, kept)
    assert len(reads.take()) == 2


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not a pickle",
        pickle.dumps({"format": 99, "files": {}}),
        pickle.dumps({"format": tuning.STAMPS_FORMAT, "files": []}),
        pickle.dumps(["a list"]),
    ],
    ids=["empty", "garbage", "other-format", "wrong-shape", "not-a-dict"],
)
def test_a_damaged_stamps_file_means_reading_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    content, kept = _content(tmp_path), tmp_path / tuning.STAMPS_FILE
    _settled(content, monkeypatch)
    kept.write_bytes(damage)
    reads = Reads(monkeypatch)
    assert _stamps(content, kept) == _md5s(content)
    assert len(reads.take()) == 5
    assert _stamps(content, kept) == _md5s(content)
    assert reads.take() == []  # written again whole


def test_a_stamp_kept_for_another_file_at_the_same_path_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, kept, reads = _hashed_once(tmp_path, monkeypatch)
    draft = content / "articles" / "a0.md"
    replacement = tmp_path / "a0.md"
    replacement.write_text("title: A0\n\nLain.\n", "utf-8")
    os.replace(replacement, draft)  # another inode at the same path
    assert _stamps(content, kept) == _md5s(content)
    assert reads.take() == [str(draft)]
