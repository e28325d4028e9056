"""`forge.signatures: off`: unsigned reviews count, and every command says so loudly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.cli.demo.office import create_office
from pipeline.forge.local.store.events import meta_ref
from tests.support.forge import Kit, make_source

pytestmark = pytest.mark.xdist_group("forge-unsigned")


def test_signatures_off_accepts_unsigned_reviews_with_a_loud_warning(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path_factory.mktemp("unsigned")
    monkeypatch.setenv("TERBIT_PUBLISH", "off")
    office = create_office(
        root / "kantor", make_source(root / "src", signatures="off"), seed_message="Isi awal"
    )
    kit = Kit(office, counter=9000)
    change_id = kit.submit()
    head = kit.change(change_id).head_sha
    for who in ("sari", "andi", "sari"):
        sha = kit.raw_event(
            who, change_id, "review", {"state": "approve", "commit": head, "body": ""}, key=None
        )
        assert kit.push(who, f"{sha}:{meta_ref(change_id)}")[0]
    reviews = kit.change(change_id).reviews
    assert all(r.signature_ok is None for r in reviews)
    assert "PERINGATAN: tanda tangan dimatikan" in reviews[0].signature_note
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "status", change_id],
        cwd=office.clone_path("dewi"), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "PERINGATAN: tanda tangan dimatikan (forge.signatures: off)" in done.stderr
    assert "HASIL: LULUS" in done.stdout
    kit.merge(change_id)
    assert kit.change(change_id).state == "merged"
