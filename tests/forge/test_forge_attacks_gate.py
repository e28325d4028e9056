"""Attacks on the SOP gate through the embedded forge: each is refused, and says why.

Every scenario runs against a real server repository with the real hooks and real SSH
signatures. Gate violations are tried twice: through `terbit merge` (the client refuses) and by
pushing a hand-made merge straight to main (the server's pre-receive must refuse it too).
"""

from __future__ import annotations

import pytest

from pipeline.forge.local.store.events import head_ref, meta_ref
from tests.support.forge import Kit, article, refused_both_ways

pytestmark = pytest.mark.xdist_group("forge-office-gate")


# -- who may approve ------------------------------------------------------------------------


def test_approval_by_a_non_member_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    kit.review("sari", change_id)
    # Someone outside roles.yml signs an approval with their own key and pushes it.
    stranger = kit.office.root / "keys" / "orang-luar"
    from pipeline.forge.local.store.signing import generate_key

    generate_key(stranger, "orang luar")
    sha = kit.raw_event(
        "budi", change_id, "review",
        {"state": "approve", "commit": kit.change(change_id).head_sha, "body": ""},
        by="mallory", key=stranger,
    )  # fmt: skip
    ok, output = kit.push("budi", f"{sha}:{meta_ref(change_id)}")
    assert not ok  # the server takes no record its person did not sign
    assert "tidak ditandatangani oleh mallory" in output
    assert [r.reviewer for r in kit.change(change_id).reviews] == ["sari"]
    kit.review("sari", change_id)
    refused_both_ways(kit, change_id, "langkah 4 belum disetujui oleh Kepala Satker")


def test_approval_by_the_wrong_role_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    for who in ("budi", "budi", "dewi"):  # staff and admin try to stand in for the reviewers
        kit.review(who, change_id)
    message = kit.merge_refused(change_id)
    assert "budi bukan anggota peran yang diminta SOP" in message
    refused_both_ways(kit, change_id, "langkah 3 belum disetujui oleh Katimker")


def test_unsigned_review_is_refused_and_counts_for_nothing(kit: Kit) -> None:
    change_id = kit.submit()
    kit.review("sari", change_id)
    head = kit.change(change_id).head_sha
    sha = kit.raw_event(
        "andi", change_id, "review", {"state": "approve", "commit": head, "body": ""}, key=None
    )
    ok, output = kit.push("andi", f"{sha}:{meta_ref(change_id)}")
    assert not ok and "tidak ditandatangani oleh andi" in output
    kit.review("sari", change_id)
    assert all(r.reviewer != "andi" for r in kit.change(change_id).reviews)
    refused_both_ways(kit, change_id, "langkah 4 belum disetujui oleh Kepala Satker")


def test_review_signed_with_another_key_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    kit.review("sari", change_id)
    head = kit.change(change_id).head_sha
    # Budi writes "andi approves" and signs it with his own key.
    sha = kit.raw_event(
        "budi", change_id, "review", {"state": "approve", "commit": head, "body": ""},
        by="andi", key=kit.office.key_path("budi"),
    )  # fmt: skip
    ok, output = kit.push("budi", f"{sha}:{meta_ref(change_id)}")
    assert not ok and "tidak ditandatangani oleh andi" in output
    kit.review("sari", change_id)
    assert all(r.reviewer != "andi" for r in kit.change(change_id).reviews)
    refused_both_ways(kit, change_id, "langkah 4 belum disetujui oleh Kepala Satker")


# -- when an approval counts ----------------------------------------------------------------


def test_approval_before_the_last_push_is_void(kit: Kit) -> None:
    change_id = kit.submit()
    kit.approve_all(change_id)
    kit.commit("rina", "content/articles/tambahan.md", article("x"))
    kit.resubmit()
    refused_both_ways(kit, change_id, "langkah 5 belum disetujui oleh Katimker")
    assert "perlu persetujuan ulang" in kit.merge_refused(change_id)


def test_force_push_after_approval_is_recorded_and_voids_it(kit: Kit) -> None:
    change_id = kit.submit()
    kit.approve_all(change_id)
    repo = kit.forge("rina").repo
    root = kit.office.clone_path("rina")
    (root / "content" / "articles" / "diam-diam.md").write_text(article("y"))
    repo.run("add", "--all")
    repo.run("commit", "--quiet", "--amend", "--no-edit")
    kit.resubmit()
    change = kit.change(change_id)
    assert change.pushes[-1].forced is True
    refused_both_ways(kit, change_id, "langkah 5 belum disetujui oleh Katimker")


def test_moving_the_change_head_without_a_record_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    kit.approve_all(change_id)
    kit.commit("rina", "content/articles/selundup.md", article("z"))
    ok, output = kit.push("rina", f"+HEAD:{head_ref(change_id)}")
    assert not ok
    assert "hanya boleh diganti bersama catatannya" in output


def test_order_of_the_sop_is_enforced(kit: Kit) -> None:
    change_id = kit.submit()
    for who in ("andi", "sari"):  # the disposition comes before the check
        kit.review(who, change_id)
    message = kit.merge_refused(change_id)
    assert "urutan SOP mengharuskan langkah 4" in message
    refused_both_ways(kit, change_id, "langkah 4 belum disetujui oleh Kepala Satker")


def test_changes_requested_after_approval_block_the_merge(kit: Kit) -> None:
    change_id = kit.submit()
    kit.approve_all(change_id)
    kit.review("sari", change_id, "request_changes", "Foto belum diberi keterangan")
    refused_both_ways(kit, change_id, "meminta perbaikan")
    assert "Foto belum diberi keterangan" in kit.merge_refused(change_id)


# -- policy comes from main, never from the change -----------------------------------------


def test_roles_edited_in_the_same_change_grant_nothing(kit: Kit) -> None:
    roles = (kit.office.clone_path("rina") / "roles.yml").read_text()
    promoted = roles.replace("roles: [staf]", "roles: [staf, katimker_lpzi, kepala_satker]", 1)
    assert promoted != roles
    change_id = kit.submit("rina", files={"roles.yml": promoted})
    kit.review("budi", change_id)  # a colleague "approves" with the roles the change grants
    message = kit.merge_refused(change_id)
    assert "budi bukan anggota peran yang diminta SOP" in message
    assert "berkas terlindung" in message
    refused_both_ways(kit, change_id, "langkah 3 belum disetujui oleh Katimker")


def test_protected_paths_need_the_heads_approval_on_the_last_commit(kit: Kit) -> None:
    change_id = kit.submit("rina", files={"theme/templates/base.html": "<html></html>\n"})
    kit.review("sari", change_id)
    kit.review("andi", change_id)
    kit.commit("rina", "theme/templates/base.html", "<html><body></body></html>\n")
    kit.resubmit()
    kit.review("sari", change_id)  # the final check is on the new head, the head's is not
    refused_both_ways(kit, change_id, "berkas terlindung dan belum disetujui Kepala Satker")


def test_forged_author_email_is_caught_by_the_commit_signature(kit: Kit) -> None:
    # Sari writes the draft in Rina's name (author e-mail of Rina) but signs with her own key.
    kit.draft("rina")
    repo = kit.forge("rina").repo
    root = kit.office.clone_path("rina")
    (root / "content" / "articles" / "ghost.md").write_text(article("g"))
    repo.run("add", "--all")
    rina = kit.office.people["rina"]
    repo.run(
        "-c", f"user.signingkey={kit.office.key_path('sari')}", "commit", "--quiet",
        f"--author={rina.name} <{rina.email}>", "-m", "Ditulis Sari atas nama Rina",
    )  # fmt: skip
    change_id = kit.resubmit(new=True)
    ghost = kit.change(change_id).commits[-1]
    assert ghost.author_email == rina.email and ghost.signer == "sari"
    kit.approve_all(change_id)
    refused_both_ways(kit, change_id, "sari ikut menulis perubahan ini")


def test_a_draft_cannot_switch_signatures_off_for_itself(kit: Kit) -> None:
    # terbit.yml in the change says "off"; the policy is read from main, which says "required".
    change_id = kit.submit(
        "rina", files={"terbit.yml": "forge:\n  kind: local\n  signatures: off\n"}
    )
    head = kit.change(change_id).head_sha
    sha = kit.raw_event(
        "sari", change_id, "review", {"state": "approve", "commit": head, "body": ""}, key=None
    )
    ok, output = kit.push("sari", f"{sha}:{meta_ref(change_id)}")
    assert not ok and "tidak ditandatangani oleh sari" in output
    assert kit.change(change_id).reviews == []
