"""The stored record format and its signatures, without a server (fast, pure checks)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.cli.demo.office import with_keys, with_site_url
from pipeline.config.roles import load_roles
from pipeline.forge.local.store.events import Event, EventError, parse_event
from pipeline.forge.local.store.signing import Verifier, generate_key, sign
from tests.support.forge import REPO_ROOT

SHA = "a" * 40


def review(**data: object) -> Event:
    body = {"state": "approve", "commit": SHA, "body": "ok", **data}
    return Event("review", "3", "sari", datetime(2026, 11, 28, 1, 2, 3, tzinfo=UTC), SHA, body)


def test_events_are_canonical_json_and_round_trip() -> None:
    event = review()
    raw = event.to_bytes()
    assert raw == review().to_bytes()  # same event, same bytes: what was signed is what is stored
    assert b'"at":"2026-11-28T01:02:03Z"' in raw and b" " not in raw.replace(b"ok", b"")
    parsed = parse_event(raw)
    assert (parsed.type, parsed.change, parsed.by, parsed.prev) == ("review", "3", "sari", SHA)
    assert parsed.get("state") == "approve" and parsed.at == event.at


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"{not json", "bukan JSON"),
        (review(state="setuju").to_bytes(), "status ulasan 'setuju' tidak dikenal"),
        (review(commit="HEAD").to_bytes(), "kolom 'commit'"),
        (review().to_bytes().replace(b'"change":"3"', b'"change":"../1"'), "kolom 'change'"),
        (review().to_bytes().replace(b'"review"', b'"hapus"'), "jenis catatan 'hapus'"),
        (review().to_bytes().replace(b'"v":1', b'"v":2'), "kolom 'v'"),
    ],
)
def test_malformed_records_are_rejected_with_a_reason(raw: bytes, why: str) -> None:
    with pytest.raises(EventError) as bad:
        parse_event(raw)
    assert why in str(bad.value)


def test_signatures_verify_only_for_the_right_person_and_bytes(tmp_path: Path) -> None:
    keys = {who: generate_key(tmp_path / who, who) for who in ("sari", "andi")}
    roles = load_roles(with_keys((REPO_ROOT / "roles.yml").read_text(), keys))
    verifier = Verifier(roles, tmp_path / "verify")
    raw = review().to_bytes()
    signature = sign(raw, tmp_path / "sari")
    assert verifier.check(raw, signature, "sari")[0] is True
    assert verifier.check(raw.replace(b"ok", b"OK"), signature, "sari")[0] is False
    ok, note = verifier.check(raw, signature, "andi")
    assert not ok and "tidak cocok dengan kunci 'andi'" in note
    ok, note = verifier.check(raw, None, "sari")
    assert not ok and "tidak ditandatangani" in note
    ok, note = verifier.check(raw, signature, "rina")  # rina has no key in roles.yml
    assert not ok and "tidak punya kunci SSH" in note


def test_demo_files_keep_comments_while_filling_keys_and_url() -> None:
    roles = (REPO_ROOT / "roles.yml").read_text()
    filled = with_keys(roles, {"rina": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK rina"})
    assert filled.count("# ") == roles.count("# ")
    assert 'ssh_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK rina"' in filled
    assert filled.count("ssh_key: null") == roles.count("ssh_key: null") - 1
    settings = (
        "# pengaturan\nsite:\n  name: X\n  url: http://127.0.0.1:8000\nforge:\n  kind: local\n"
    )
    assert "  url: http://127.0.0.1:4321/\n" in with_site_url(settings, "http://127.0.0.1:4321/")
    assert with_site_url(settings, "u").startswith("# pengaturan\nsite:\n  name: X\n")
