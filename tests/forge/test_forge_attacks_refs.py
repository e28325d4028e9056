"""Attacks on main and on the review records: the server's hook refuses each and says why.

Every scenario runs against a real server repository with the real hooks and real SSH
signatures, pushing what an attacker would type instead of the `terbit` commands.
"""

from __future__ import annotations

import itertools

import pytest

from pipeline.forge.local.store.events import head_ref, meta_ref
from tests.support.forge import Kit, article, git

pytestmark = pytest.mark.xdist_group("forge-office-refs")


# -- main moves only by the merge of a change that passed ----------------------------------


def test_direct_push_to_main_is_refused(kit: Kit) -> None:
    kit.draft("dewi")
    ok, output = kit.push("dewi", "HEAD:refs/heads/main")
    assert not ok
    assert "dorongan langsung ke main ditolak" in output


def test_deleting_main_is_refused(kit: Kit) -> None:
    ok, output = kit.push("dewi", ":refs/heads/main")
    assert not ok
    assert "cabang main tidak boleh dihapus" in output


def test_non_fast_forward_of_main_is_refused(kit: Kit) -> None:
    repo = kit.forge("dewi").repo
    kit.forge("dewi").sync()
    tree = repo.tree_of("origin/main")
    rival = repo.commit_tree_signed(
        tree or "", [], "Sejarah lain\n", name="Dewi", email="dewi@x.test", key=None
    )
    ok, output = kit.push("dewi", f"+{rival}:refs/heads/main")
    assert not ok
    assert "main hanya boleh maju" in output


def test_merge_of_an_unknown_change_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    ok, output = kit.bypass_merge(change_id, trailer="99999")
    assert not ok
    assert "perubahan #99999 tidak dikenal di server" in output


def test_merge_whose_tree_differs_from_the_approved_head_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    kit.approve_all(change_id)
    forge = kit.forge("dewi")
    forge.sync()
    # The admin slips an extra file into the merge commit itself.
    extra = forge.repo.hash_blob("disusupkan\n")
    approved = forge.repo.merge_tree(forge.base_tip(), kit.change(change_id).head_sha) or ""
    entries = [(m, s, n) for m, _k, s, n in forge.repo.ls_tree(approved)]
    tree = forge.repo.mktree([*entries, ("100644", extra, "susupan.txt")])
    ok, output = kit.bypass_merge(change_id, tree=tree)
    assert not ok
    assert "isi commit merge berbeda" in output


def test_merge_of_another_head_than_the_reviewed_one_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    kit.approve_all(change_id)
    kit.commit("rina", "content/articles/belum-diperiksa.md", article("b"))
    unreviewed = kit.forge("rina").repo.head() or ""
    git(kit.office.clone_path("rina"), "push", "-q", "origin", "HEAD:refs/heads/draft/lain")
    git(kit.office.clone_path("dewi"), "fetch", "-q", "origin", "draft/lain")
    ok, output = kit.bypass_merge(change_id, head=unreviewed)
    assert not ok
    assert "tidak memuat kepala perubahan" in output


def test_unsigned_merge_commit_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    kit.approve_all(change_id)
    ok, output = kit.bypass_merge(change_id, signed=False)
    assert not ok
    assert "commit merge tidak ditandatangani" in output


def test_merging_twice_and_reviewing_after_merge_are_refused(kit: Kit) -> None:
    change_id = kit.submit()
    kit.approve_all(change_id)
    kit.merge(change_id)
    assert kit.change(change_id).state == "merged"
    ok, output = kit.bypass_merge(change_id, head=kit.change(change_id).head_sha)
    assert not ok
    assert f"perubahan #{change_id} sudah digabung" in output
    sha = kit.raw_event(
        "sari", change_id, "review",
        {"state": "approve", "commit": kit.change(change_id).head_sha, "body": ""},
    )  # fmt: skip
    ok, output = kit.push("sari", f"{sha}:{meta_ref(change_id)}")
    assert not ok
    assert "sudah digabung; catatan baru tidak diterima" in output


# -- review records are append-only ---------------------------------------------------------


def test_rewriting_review_records_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    kit.review("sari", change_id, "request_changes", "Judul salah")
    opened = kit.forge("rina").chain(change_id)[0].sha
    ok, output = kit.push("rina", f"+{opened}:{meta_ref(change_id)}")  # drop the request
    assert not ok
    assert "tidak boleh ditulis ulang" in output
    assert kit.change(change_id).reviews[-1].state == "request_changes"


def test_deleting_review_records_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    ok, output = kit.push("rina", f":{meta_ref(change_id)}")
    assert not ok
    assert f"catatan ulasan perubahan #{change_id} tidak boleh dihapus" in output
    ok, output = kit.push("rina", f":{head_ref(change_id)}")
    assert not ok
    assert f"kepala perubahan #{change_id} tidak boleh dihapus" in output


def test_replaying_a_review_onto_another_change_is_refused(kit: Kit) -> None:
    first = kit.submit()
    kit.review("sari", first)
    approval = kit.forge("rina").chain(first)[-1]
    second = kit.submit()
    forge = kit.forge("rina")
    tip = forge.ref(meta_ref(second)) or ""
    # The signed bytes of the approval for the first change, as a record of the second.
    blobs = [("100644", forge.repo.hash_blob(approval.raw), "event.json")]
    blobs.append(("100644", forge.repo.hash_blob(approval.signature or b""), "event.sig"))
    replay = forge.repo.commit_tree_signed(
        forge.repo.mktree(blobs), [tip], "replay\n", name="Rina", email="r@x.test", key=None
    )
    ok, output = kit.push("rina", f"{replay}:{meta_ref(second)}")
    assert not ok
    assert f"catatan milik perubahan #{first}, bukan #{second}" in output or ("berantai" in output)


def test_server_only_records_cannot_be_pushed(kit: Kit) -> None:
    change_id = kit.submit()
    head = kit.change(change_id).head_sha
    sha = kit.raw_event("rina", change_id, "merged", {"merge_sha": head})
    ok, output = kit.push("rina", f"{sha}:{meta_ref(change_id)}")
    assert not ok
    assert "jenis catatan 'merged' tidak boleh dikirim ke server" in output


def test_refs_outside_the_known_namespaces_are_refused(kit: Kit) -> None:
    kit.draft("rina")
    ok, output = kit.push("rina", "HEAD:refs/heads/rilis")
    assert not ok
    assert "ref 'refs/heads/rilis' tidak diizinkan" in output
    ok, output = kit.push("rina", "HEAD:refs/heads/draft/boleh")
    assert ok, output


def test_two_reviewers_pushing_at_once_both_land_in_order(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.forge.local.client import actions as client

    change_id = kit.submit()
    real_push = client._push
    raced: list[str] = []

    def racing(forge, *refspecs):  # type: ignore[no-untyped-def]
        if not raced:  # while Sari's push is on its way, Andi's lands first
            raced.append("andi")
            kit.review("andi", change_id, "comment", "Saya baca juga")
        return real_push(forge, *refspecs)

    monkeypatch.setattr(client, "_push", racing)
    kit.review("sari", change_id, "comment", "Sudah saya periksa")
    reviews = kit.change(change_id).reviews
    assert [(r.reviewer, r.signature_ok) for r in reviews] == [("andi", True), ("sari", True)]
    chain = kit.forge("dewi").chain(change_id)
    assert all(s.parents == (p.sha,) for p, s in itertools.pairwise(chain))


def test_merge_retries_when_the_server_moved_main_meanwhile(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.forge.local.client import actions as client
    from pipeline.vcs import Repo

    change_id = kit.submit()
    kit.approve_all(change_id)
    server = Repo(kit.office.server)
    real_push = client._push
    moved: list[str] = []

    def racing(forge, *refspecs):  # type: ignore[no-untyped-def]
        if not moved:  # publishing commits a record on the server just before our push lands
            tip = server.rev_parse("refs/heads/main") or ""
            record = server.commit_tree(
                server.tree_of(tip) or "", [tip], "Catatan\n", name="Terbit", email="t@x.test"
            )
            server.update_ref("refs/heads/main", record, tip)
            moved.append(record)
        return real_push(forge, *refspecs)

    monkeypatch.setattr(client, "_push", racing)
    merge = kit.merge(change_id)
    assert server.parents(merge)[0] == moved[0]
    assert kit.change(change_id).state == "merged"


def test_resubmitting_without_the_remembered_id_updates_the_same_change(kit: Kit) -> None:
    change_id = kit.submit()
    repo = kit.forge("rina").repo
    branch = repo.current_branch()
    git(kit.office.clone_path("rina"), "config", "--unset", f"branch.{branch}.terbit-change")
    kit.commit("rina", "content/articles/lanjutan.md", article("l"))
    assert kit.resubmit() == change_id  # found through the change head in this branch
    assert len(kit.change(change_id).pushes) == 2


def test_a_record_naming_a_head_that_was_not_pushed_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    # A push record pointing at a commit the server never receives would break every reader.
    sha = kit.raw_event("rina", change_id, "push", {"head": "b" * 40, "old": None, "forced": True})
    ok, output = kit.push("rina", f"{sha}:{meta_ref(change_id)}")
    assert not ok
    assert f"catatan perubahan #{change_id} menyebut kepala bbbbbbbbbb" in output
    assert "tidak ikut dikirim" in output
