"""The completion record: its files, its digest, and committing it exactly once under races."""

from __future__ import annotations

import copy
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml

from pipeline.record.model import digest, dump
from pipeline.record.render import to_html, to_markdown, to_pdf
from pipeline.record.store import commit_message, commit_record, is_record_commit
from pipeline.vcs import Repo
from tests.support.record import TZ, as_record, sample


def test_digest_changes_with_any_field() -> None:
    record = sample()
    tampered = copy.deepcopy(record)
    tampered["steps"][0]["pelaksana"]["name"] = "Orang Lain"
    assert digest(tampered) != record["digest"]
    assert yaml.safe_load(dump(record))["digest"] == record["digest"]


def test_markdown_is_the_sop_table_with_signatures() -> None:
    text = to_markdown(as_record(sample()), TZ)
    assert "LEMBAR PENYELESAIAN PEKERJAAN" in text
    assert "| No. | Kegiatan | Pelaksana | Kelengkapan | Waktu | Output | Keterangan |" in text
    assert "melebihi mutu baku 25 menit" in text
    assert "Vaksinasi \\| Jemaah" in text  # a table cell cannot break the table
    assert "27/11/2026 08.00 – 09.00" in text  # Medan time (WIB)
    assert "Medan, 28 November 2026" in text and "Yang menyelesaikan," in text
    assert "NIP 199607302022032001" in text


def test_pdf_is_a4_and_marks_an_incomplete_record(tmp_path: Path) -> None:
    html = to_html(as_record(sample(status="incomplete")), TZ)
    assert "BELUM LENGKAP" in html and "gambar tidak termuat" in html
    assert to_pdf(as_record(sample()), tmp_path, TZ).startswith(b"%PDF-")
    from weasyprint import HTML

    page = HTML(string=to_html(as_record(sample()), TZ)).render().pages[0]
    assert (round(page.width * 25.4 / 96), round(page.height * 25.4 / 96)) == (210, 297)  # A4 mm


def test_commit_once_with_trailers_and_replace_incomplete(make_repo) -> None:
    path = make_repo("site")
    (path / "a.txt").write_text("a")
    subprocess.run(["git", "-C", str(path), "add", "a.txt"], check=True)
    subprocess.run(["git", "-C", str(path), "commit", "-qm", "awal"], check=True)
    repo = Repo(path)
    incomplete = sample(status="incomplete")
    folder = f"records/{incomplete['id']}"
    files = {"record.yml": dump(incomplete).encode()}
    first = commit_record(repo, folder, files, commit_message(incomplete), name="Terbit",
                          email="terbit@localhost")  # fmt: skip
    assert first and is_record_commit(repo, first)
    assert (path / folder / "record.yml").is_file()  # the checkout followed main
    complete = sample()
    files = {"record.yml": dump(complete).encode()}
    second = commit_record(repo, folder, files, commit_message(complete), name="Terbit",
                           email="terbit@localhost")  # fmt: skip
    assert second and repo.parents(second) == [first]
    again = commit_record(repo, folder, files, commit_message(complete), name="Terbit",
                          email="terbit@localhost")  # fmt: skip
    assert again is None and repo.rev_parse("HEAD") == second
    assert repo.is_clean()


WRITER = """
import sys
from pipeline.record.store import commit_record
from pipeline.vcs import Repo
repo, n = Repo(sys.argv[1]), sys.argv[2]
commit_record(repo, f"records/r{n}", {"record.yml": f"id: r{n}\\n".encode()},
              f"catatan {n}\\n\\nTerbit-Record: r{n}\\n", name="Terbit", email="t@localhost")
"""


def test_racing_writers_lose_no_record(make_repo) -> None:
    path = make_repo("server", bare=True)
    repo = Repo(path)
    tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # the empty tree
    root = repo.commit_tree(tree, [], "awal", name="A", email="a@x.test",
                            when=datetime(2026, 11, 28, tzinfo=UTC))  # fmt: skip
    repo.update_ref("refs/heads/main", root)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)]) for n in range(6)
    ]
    assert all(w.wait(timeout=60) == 0 for w in writers)
    names = {row[3] for row in repo.ls_tree("refs/heads/main", "records")}
    assert names == {f"r{n}" for n in range(6)}
    history = repo.run("rev-list", "--first-parent", "refs/heads/main").split()
    assert len(history) == 7  # one commit per record, linear


def test_an_unknown_record_status_reads_as_incomplete(make_repo) -> None:
    from types import SimpleNamespace

    from pipeline.config.settings import Settings
    from pipeline.record.store import outcome_for

    path = make_repo("site")
    (path / "a.txt").write_text("a")
    subprocess.run(["git", "-C", str(path), "add", "a.txt"], check=True)
    subprocess.run(["git", "-C", str(path), "commit", "-qm", "awal"], check=True)
    repo = Repo(path)
    forge = SimpleNamespace(repo=repo, base_tip=lambda: repo.rev_parse("HEAD"),
                            settings=Settings())  # fmt: skip
    change = SimpleNamespace(id="7", merge_sha="a" * 40)
    assert outcome_for(forge, change) is None  # no record yet
    odd = sample(status="disetujui")  # hand-edited: not a state Terbit writes
    commit_record(repo, f"records/{odd['id']}", {"record.yml": dump(odd).encode()},
                  commit_message(odd), name="Terbit", email="terbit@localhost")  # fmt: skip
    outcome = outcome_for(forge, change)
    assert outcome is not None and outcome["status"] == "incomplete"
    assert outcome_for(forge, SimpleNamespace(id="7", merge_sha=None)) is None


def test_a_pdf_made_after_the_warm_up_is_the_pdf_a_fresh_process_makes(tmp_path: Path) -> None:
    """Issue 16, P3: the publication service loads WeasyPrint and the record's fonts when it
    starts (``warm_pdf``), and a publication in a fresh process on a thread during its build
    (``warm_pdf_meanwhile``), so the record does not wait 1–3 s for them; the record's PDF is
    byte for byte the one a process that never warmed up makes."""
    import subprocess
    import sys

    script = (
        "import sys; from pathlib import Path; "
        "from tests.support.record import sample, as_record; "
        "from pipeline.record import render; "
        "sys.argv[1] == 'warm' and render.warm_pdf(); "
        "sys.argv[1] == 'meanwhile' and render.warm_pdf_meanwhile(); "
        "pdf = render.to_pdf(as_record(sample()), Path(sys.argv[2]), 'Asia/Jakarta'); "
        "Path(sys.argv[3]).write_bytes(pdf)"
    )
    root = Path(__file__).resolve().parents[2]
    for how in ("cold", "warm", "meanwhile"):
        subprocess.run(
            [sys.executable, "-c", script, how, str(tmp_path), str(tmp_path / f"{how}.pdf")],
            cwd=root, check=True,
        )  # fmt: skip
    assert (tmp_path / "warm.pdf").read_bytes() == (tmp_path / "cold.pdf").read_bytes()
    # Warmed on a thread and asked for at once: ``to_pdf`` waits for the thread, same bytes.
    assert (tmp_path / "meanwhile.pdf").read_bytes() == (tmp_path / "cold.pdf").read_bytes()
