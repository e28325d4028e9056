"""Benchmark: how many bytes one completion record adds to the repository.

    .venv/bin/python -m benchmarks.record_size [--sign]

Runs a real publication (``terbit demo --no-serve`` in a fresh folder: the embedded server with
its hooks, a real Pelican build, real Chromium screenshots, the record's PDF), then measures
the record commit on the server: the packed size of the objects it adds (what a clone or a
push carries, ``git pack-objects`` over ``rev-list --objects RECORD --not RECORD^``), and each
file's size as written and as stored by git (zlib), with the PDF's embedded image bytes and
whether its signature holds. ``--sign`` signs the PDF (PAdES) with a throwaway test
certificate, as an office with its certificate configured would.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_BYTES = 150 * 1024  # issue 16, P4


def _git(git_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(
        ["git", "--git-dir", str(git_dir), *args], input=stdin, capture_output=True, check=True
    )
    return done.stdout


def pdf_image_bytes(pdf: bytes) -> int:
    """Bytes of the image streams inside ``pdf`` (as stored, still encoded)."""
    from pyhanko.pdf_utils.generic import StreamObject
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    total = 0
    for revision in range(reader.xrefs.total_revisions):
        for ref in reader.xrefs.explicit_refs_in_revision(revision):
            obj = reader.get_object(ref)
            if isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Image":
                total += len(obj.encoded_data)
    return total


def _signature(pdf: bytes, trust: Path | None) -> str:
    from pipeline.config.settings import SigningSettings
    from pipeline.record.signature import check_pdf

    # Without trust roots pyHanko logs the unbuilt certificate path with a traceback.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    check = check_pdf(pdf, SigningSettings(trust=[str(trust)]) if trust else None)
    if not check.signed:
        return "unsigned"
    trusted = ", chains to the CA" if trust else ""
    return "; ".join(check.problems) or f"valid (PAdES, whole file{trusted})"


def growth(git_dir: Path, commit: str, trust: Path | None = None) -> dict[str, Any]:
    """What ``commit`` adds on top of its first parent: packed bytes and every new file
    (``trust``: the CA certificate the PDF's signature must chain to)."""
    listed = _git(git_dir, "rev-list", "--objects", commit, "--not", f"{commit}^")
    ids = [line.split(" ", 1)[0] for line in listed.decode().splitlines() if line]
    pack = _git(git_dir, "pack-objects", "--stdout", "-q", stdin="\n".join(ids).encode() + b"\n")
    paths = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in listed.decode().splitlines()
             if " " in line}  # fmt: skip
    check = _git(git_dir, "cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize) "
                 "%(objectsize:disk)", stdin="\n".join(ids).encode() + b"\n")  # fmt: skip
    files = []
    for line in check.decode().splitlines():
        sha, kind, size, disk = line.split()
        if kind == "blob":
            row: dict[str, Any] = {"file": paths[sha].rsplit("/", 1)[-1], "bytes": int(size),
                                   "stored": int(disk)}  # fmt: skip
            if row["file"].endswith(".pdf"):
                pdf = _git(git_dir, "cat-file", "blob", sha)
                row["pdf_images"] = pdf_image_bytes(pdf)
                row["pdf_signature"] = _signature(pdf, trust)
            files.append(row)
    return {"commit": commit, "objects": len(ids), "pack_bytes": len(pack),
            "files": sorted(files, key=lambda r: r["file"])}  # fmt: skip


def record_commit(git_dir: Path) -> str:
    """The newest record commit on main (the pipeline marks its commits with a trailer)."""
    out = _git(git_dir, "log", "-1", "--format=%H", "--grep=^Terbit-Record:", "refs/heads/main")
    return out.decode().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="run the demo in this folder and keep it")
    parser.add_argument("--sign", action="store_true", help="sign the PDF (test certificate)")
    args = parser.parse_args()
    print(json.dumps(measure(args.keep, args.sign), indent=2))


def measure(keep: Path | None = None, sign: bool = False) -> dict[str, Any]:
    """One demo office's record commit: what it adds to the repository, against P4."""
    with tempfile.TemporaryDirectory(prefix="terbit-record-size-") as tmp:
        office = keep or Path(tmp) / "demo"
        env = {**os.environ, "TERBIT_LANG": "id"}
        ca = None
        if sign:
            from tests.support.pki import PASSPHRASE, make_office_pki

            ca, p12 = make_office_pki(Path(tmp))
            env |= {"TERBIT_SIGN_PKCS12": str(p12), "TERBIT_SIGN_PASSPHRASE": PASSPHRASE}
        subprocess.run(
            [sys.executable, "-m", "pipeline", "demo", "--no-serve", "--dir", str(office)],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        server = office / "server.git"
        result = growth(server, record_commit(server), ca)
    result["target_bytes"] = TARGET_BYTES
    result["within_target"] = result["pack_bytes"] <= TARGET_BYTES
    return result


if __name__ == "__main__":
    main()
