"""The SOP's data dukung on the embedded forge: attached by the submitter in a signed record,
judged by their bytes on both sides, listed and saved for the reviewers, refused after merge.

Real office: a bare server with its hooks, SSH-signed records, clones per person; the hostile
cases are raw pushes an attacker would type instead of `terbit`.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from pipeline.change.nota_dinas import template
from pipeline.clock import now
from pipeline.errors import InputError
from pipeline.forge.local.client import actions as client
from pipeline.forge.local.store import metachain
from pipeline.forge.local.store.events import ATTACH_DIR, EVENT_FILE, SIG_FILE, Event, meta_ref
from pipeline.forge.local.store.signing import sign
from tests.support.forge import Kit

pytestmark = pytest.mark.xdist_group("forge-data-dukung")

# A small, real PDF (what a scan of the signed nota dinas is) with a marker to look for.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% DATADUKUNG-RAHASIA-7731\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def raw_attach(
    kit: Kit,
    change_id: str,
    files: dict[str, tuple[str, bytes]],
    listed: list[dict[str, object]] | None = None,
    *,
    who: str = "rina",
) -> tuple[bool, str]:
    """Push a hand-made ``attach`` record (tree entries: name -> (mode, bytes)), signed by
    ``who``: what an attacker could send instead of `terbit data-dukung`."""
    forge = kit.forge(who)
    forge.sync()
    repo = forge.repo
    tip = forge.ref(meta_ref(change_id))
    if listed is None:
        listed = [
            {"name": name, "type": "application/pdf", "size": len(data),
             "sha256": hashlib.sha256(data).hexdigest()}
            for name, (_mode, data) in files.items()
        ]  # fmt: skip
    event = Event("attach", change_id, who, now(), tip, {"files": listed})
    signature = sign(event.to_bytes(), kit.office.key_path(who))
    rows = [(mode, repo.hash_blob(data), name) for name, (mode, data) in files.items()]
    tree = repo.mktree(
        [
            ("100644", repo.hash_blob(event.to_bytes()), EVENT_FILE),
            ("100644", repo.hash_blob(signature), SIG_FILE),
            ("040000", repo.mktree(rows), ATTACH_DIR),
        ]
    )
    person = kit.office.people[who]
    sha = repo.commit_tree(tree, [tip] if tip else [], "attach\n", name=person.name,
                           email=person.email)  # fmt: skip
    return kit.push(who, f"{sha}:{meta_ref(change_id)}")


def test_the_submitter_attaches_and_reviewers_read_them_signed(kit: Kit) -> None:
    change_id = kit.submit()
    photo = png()
    client.attach(
        kit.forge("rina"), kit.office.who("rina"), change_id,
        [("ND scan (ttd).pdf", PDF), ("foto asli.png", photo)],
    )  # fmt: skip
    change = kit.change(change_id, who="sari")  # the Katimker's clone sees them
    docs = {d.name: d for d in change.data_dukung}
    assert set(docs) == {"ND scan (ttd).pdf", "foto asli.png"}
    pdf = docs["ND scan (ttd).pdf"]
    assert pdf.media_type == "application/pdf" and pdf.size == len(PDF)
    assert pdf.sha256 == hashlib.sha256(PDF).hexdigest()
    assert pdf.by == "rina" and pdf.signature_ok is True
    assert docs["foto asli.png"].media_type == "image/png"
    assert kit.forge("sari").data_dukung_bytes(pdf) == PDF
    assert kit.forge("sari").data_dukung_bytes(docs["foto asli.png"]) == photo


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("kak.pdf", b"<html><script>alert(1)</script></html>", "bukan jenis yang diterima"),
        ("gambar.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "bukan jenis"),
        ("scan.png", PDF, "tidak cocok dengan isinya"),
        ("kosong.pdf", b"", "kosong"),
        ("...", PDF, "tidak dapat dipakai"),
    ],
)
def test_the_client_refuses_what_is_not_a_document(
    kit: Kit, name: str, data: bytes, expected: str
) -> None:
    change_id = kit.submit()
    with pytest.raises(InputError, match=expected):
        client.attach(kit.forge("rina"), kit.office.who("rina"), change_id, [(name, data)])
    assert kit.change(change_id).data_dukung == []


def test_a_hostile_name_is_reduced_to_one_plain_file_name(kit: Kit) -> None:
    change_id = kit.submit()
    client.attach(
        kit.forge("rina"), kit.office.who("rina"), change_id, [("../../output/x\n.pdf", PDF)]
    )
    assert [d.name for d in kit.change(change_id).data_dukung] == ["x.pdf"]


def test_only_the_submitter_attaches_and_only_while_open(kit: Kit) -> None:
    change_id = kit.submit()
    with pytest.raises(InputError, match="hanya pengaju"):
        client.attach(kit.forge("sari"), kit.office.who("sari"), change_id, [("a.pdf", PDF)])
    ok, out = raw_attach(kit, change_id, {"a.pdf": ("100644", PDF)}, who="sari")
    assert not ok and "hanya boleh dilampirkan oleh pengaju" in out, out
    client.attach(kit.forge("rina"), kit.office.who("rina"), change_id, [("a.pdf", PDF)])
    with pytest.raises(InputError, match="sudah ada"):
        client.attach(kit.forge("rina"), kit.office.who("rina"), change_id, [("A.pdf", PDF)])
    kit.approve_all(change_id)
    kit.merge(change_id)
    with pytest.raises(InputError, match="sudah digabung"):
        client.attach(kit.forge("rina"), kit.office.who("rina"), change_id, [("b.pdf", PDF)])
    ok, out = raw_attach(kit, change_id, {"b.pdf": ("100644", PDF)})
    assert not ok and "sudah digabung" in out, out
    assert [d.name for d in kit.change(change_id).data_dukung] == ["a.pdf"]


def test_the_server_judges_every_byte_of_a_raw_attach(kit: Kit) -> None:
    change_id = kit.submit()
    html = b"<!doctype html><script>alert(1)</script>"
    cases = [
        ({"x.pdf": ("100644", html)}, None, "bukan jenis yang diterima"),  # HTML named .pdf
        ({".htaccess": ("100644", PDF)}, None, "tidak dapat dipakai"),  # not a plain name
        ({"a\\..\\b.pdf": ("100644", PDF)}, None, "tidak cocok"),  # a folder in disguise
        ({"link.pdf": ("120000", b"../../../etc/passwd")}, None, "tidak cocok"),  # a symlink
        (
            {"a.pdf": ("100644", PDF)},
            [{"name": "a.pdf", "type": "application/pdf", "size": len(PDF), "sha256": "0" * 64}],
            "tidak cocok",
        ),  # the bytes are not the ones the signed record names
        (
            {"a.pdf": ("100644", PDF), "extra.pdf": ("100644", PDF)},
            [
                {
                    "name": "a.pdf",
                    "type": "application/pdf",
                    "size": len(PDF),
                    "sha256": hashlib.sha256(PDF).hexdigest(),
                }
            ],
            "extra.pdf",
        ),
    ]
    for files, listed, expected in cases:
        ok, out = raw_attach(kit, change_id, files, listed)
        assert not ok, files
        assert "remote: terbit" in out and expected in out, out
    # Files beside any other record are refused too (only notices and data dukung carry any).
    forge = kit.forge("rina")
    tip = forge.ref(meta_ref(change_id))
    comment = {"state": "comment", "commit": kit.change(change_id).head_sha, "body": "x"}
    event = Event("review", change_id, "rina", now(), tip, comment)
    sha = metachain.append(
        forge.repo, event, signature=sign(event.to_bytes(), kit.office.key_path("rina")),
        name="Rina", email=kit.office.people["rina"].email, named={"a.pdf": PDF},
    )  # fmt: skip
    ok, out = kit.push("rina", f"{sha}:{meta_ref(change_id)}")
    assert not ok and "tidak boleh membawa berkas" in out, out
    assert kit.change(change_id).data_dukung == []


def test_the_size_limit_comes_from_terbit_yml(kit: Kit) -> None:
    change_id = kit.submit()
    big = PDF + b"%" + b"x" * (10240 * 1024)
    with pytest.raises(InputError, match="melebihi batas 10240 KB"):
        client.attach(kit.forge("rina"), kit.office.who("rina"), change_id, [("besar.pdf", big)])
    ok, out = raw_attach(kit, change_id, {"besar.pdf": ("100644", big)})
    assert not ok and "melebihi batas" in out, out


def terbit(kit: Kit, *args: str, ok: bool = True) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=kit.office.clone_path("rina"), capture_output=True, text=True, check=False,
        env={**os.environ, "TERBIT_PUBLISH": "off", "TERBIT_LANG": "id"}, timeout=120,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert (done.returncode == 0) == ok, output
    assert "Traceback" not in output
    return output


def test_cli_submit_with_data_dukung_then_list_and_save(kit: Kit, tmp_path: Path) -> None:
    kit.draft()
    nota = tmp_path / "nota.md"
    nota.write_text(
        template(nomor="ND-88/LPZI/XI/2026", dari="Tim", hal="Permohonan",
                 tanggal=date(2026, 11, 28)), encoding="utf-8",
    )  # fmt: skip
    scan = tmp_path / "nota-ttd.pdf"
    scan.write_bytes(PDF)
    fake = tmp_path / "foto.jpg"
    fake.write_bytes(b"<html></html>")
    out = terbit(kit, "submit", "--nota", str(nota), "--data-dukung", str(fake), ok=False)
    assert "foto.jpg" in out and "bukan jenis yang diterima" in out
    out = terbit(kit, "submit", "--nota", str(nota), "--data-dukung", str(scan))
    change_id = out.split("#", 1)[1].split()[0]
    assert "1 data dukung dilampirkan" in out
    extra = tmp_path / "foto.png"
    extra.write_bytes(png())
    out = terbit(kit, "data-dukung", change_id, str(extra))
    assert "nota-ttd.pdf" in out and "foto.png" in out
    status = terbit(kit, "status", change_id, ok=False)  # open: the gate still waits
    assert "nota-ttd.pdf" in status and hashlib.sha256(PDF).hexdigest()[:12] in status
    saved = tmp_path / "unduh"
    terbit(kit, "data-dukung", change_id, "--simpan", str(saved))
    assert (saved / "nota-ttd.pdf").read_bytes() == PDF
    assert (saved / "foto.png").read_bytes() == extra.read_bytes()
