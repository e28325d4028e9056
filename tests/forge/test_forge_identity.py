"""Each step is done, and signed, by its own person: the server refuses everyone else.

The attacks an office insider tried (issue 11): the author merging her own change, a change
opened unsigned in a colleague's name, a reviewer slipping her own commit into someone else's
change, an author's push racing the admin's merge, and a change rewriting `records/`. Real
server repository, real hooks, real `ssh-keygen` signatures.
"""

from __future__ import annotations

import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest

from pipeline.change.nota_dinas import template
from pipeline.forge.local.store.events import head_ref, meta_ref
from pipeline.vcs import Repo
from tests.support.forge import Kit, article

pytestmark = pytest.mark.xdist_group("forge-office-identity")


def _nota(kit: Kit) -> str:
    return template(
        nomor=f"ND-{kit.counter}/LPZI/XI/2026", dari="Tim", hal="Permohonan",
        tanggal=date(2026, 11, 28),
    )  # fmt: skip


def _open_raw(kit: Kit, who: str, *, by: str, key: str | None = "own") -> tuple[bool, str]:
    """``who`` pushes a hand-made ``opened`` record (in ``by``'s name) with a new draft."""
    kit.draft(who)
    forge = kit.forge(who)
    head = forge.repo.head() or ""
    change_id = str(max((int(i) for i in forge.change_ids()), default=0) + 1)
    data = {
        "title": "Artikel", "nota_dinas": _nota(kit), "base": "main",
        "base_sha": forge.base_tip(), "head": head, "branch": forge.repo.current_branch(),
    }  # fmt: skip
    sha = kit.raw_event(who, change_id, "opened", data, by=by, key=key, prev=None)
    return kit.push(who, f"{sha}:{meta_ref(change_id)}", f"{head}:{head_ref(change_id)}")


# -- opening a change -----------------------------------------------------------------------


def test_a_change_opened_unsigned_in_a_staff_members_name_is_refused(kit: Kit) -> None:
    ok, output = _open_raw(kit, "sari", by="rina", key=None)
    assert not ok
    assert "remote: terbit: dorongan ditolak" in output
    assert "tidak ditandatangani oleh rina" in output


def test_a_change_signed_by_someone_else_than_it_names_is_refused(kit: Kit) -> None:
    ok, output = _open_raw(kit, "sari", by="rina")  # Sari's key, Rina's name
    assert not ok
    assert "tidak ditandatangani oleh rina" in output


def test_only_the_step_2_role_may_open_a_change(kit: Kit) -> None:
    ok, output = _open_raw(kit, "sari", by="sari")  # signed, but Sari is no staff member
    assert not ok
    assert "hanya Staf Tim Kerja yang boleh mengajukan perubahan (langkah 2)" in output


# -- every record names, and is signed by, its person ----------------------------------------


def test_an_unsigned_review_is_refused_by_the_server(kit: Kit) -> None:
    change_id = kit.submit()
    head = kit.change(change_id).head_sha
    sha = kit.raw_event(
        "andi", change_id, "review", {"state": "approve", "commit": head, "body": ""}, key=None
    )
    ok, output = kit.push("andi", f"{sha}:{meta_ref(change_id)}")
    assert not ok
    assert "tidak ditandatangani oleh andi" in output
    assert kit.change(change_id).reviews == []


def test_a_push_record_signed_by_another_person_is_refused(kit: Kit) -> None:
    change_id = kit.submit()
    kit.commit("rina", "content/articles/lagi.md", "---\ntitle: l\n---\nl\n")
    forge = kit.forge("rina")
    old, new = kit.change(change_id).head_sha, forge.repo.head() or ""
    sha = kit.raw_event(
        "rina", change_id, "push", {"head": new, "old": old, "forced": False},
        key=kit.office.key_path("budi"),
    )  # fmt: skip
    ok, output = kit.push("rina", f"{sha}:{meta_ref(change_id)}", f"{new}:{head_ref(change_id)}")
    assert not ok
    assert "tidak ditandatangani oleh rina" in output


# -- authors never approve, and the merge is the admin's ------------------------------------


def test_the_staff_author_cannot_merge_her_own_approved_change(kit: Kit) -> None:
    change_id = kit.submit("rina")
    kit.approve_all(change_id)
    message = kit.merge_refused(change_id, who="rina")
    assert "penggabungan (langkah 6) hanya oleh Admin Website" in message
    ok, output = kit.bypass_merge(change_id, who="rina")
    assert not ok
    assert "penggabungan (langkah 6) hanya oleh Admin Website" in output
    assert kit.change(change_id).state == "open"


def test_a_katimker_pushing_her_commit_into_a_change_cannot_approve_it(kit: Kit) -> None:
    change_id = kit.submit("rina")
    # Sari fetches Rina's change, adds an unsigned commit in Rina's name and pushes it signed
    # as herself (the server only accepts records signed by the person they name).
    sari = kit.forge("sari")
    sari.sync()
    head = kit.change(change_id, who="sari").head_sha
    sari.repo.run("reset", "--quiet", "--hard")
    sari.repo.switch_new_branch(f"draft/bantu-{kit.counter}", head)
    root = kit.office.clone_path("sari")
    (root / "content" / "articles" / "sisipan.md").write_text(article("Sisipan", "rina"))
    sari.repo.run("add", "--all")
    rina = kit.office.people["rina"]
    sari.repo.run(
        "-c", "commit.gpgsign=false", "commit", "--quiet",
        f"--author={rina.name} <{rina.email}>", "-m", "Tambahan",
    )  # fmt: skip
    new = sari.repo.head() or ""
    sha = kit.raw_event("sari", change_id, "push", {"head": new, "old": head, "forced": False})
    ok, output = kit.push("sari", f"{sha}:{meta_ref(change_id)}", f"{new}:{head_ref(change_id)}")
    assert ok, output
    kit.approve_all(change_id)
    message = kit.merge_refused(change_id)
    assert "sari ikut menulis perubahan ini" in message
    ok, output = kit.bypass_merge(change_id)
    assert not ok
    assert "sari ikut menulis perubahan ini" in output


# -- records/ is the publication's own -------------------------------------------------------


def test_a_change_touching_records_is_refused(kit: Kit) -> None:
    from pipeline.errors import InputError

    with pytest.raises(InputError) as refused:
        kit.submit("rina", files={"records/7-abc/record.yml": "status: complete\n"})
    assert "records/7-abc/record.yml" in str(refused.value)
    assert "hanya ditulis oleh publikasi" in str(refused.value)


def test_a_criss_cross_history_cannot_remove_a_record(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal judges what the change would land (``Repo.landed``), not the diff from one
    merge base: a merge of an older head can take a record out of main unseen by that diff."""
    from pipeline.errors import InputError
    from pipeline.forge.local.client import actions as client
    from pipeline.gate.drafts import ChangeCheck

    forge = kit.forge("rina")
    forge.sync()
    old_main = forge.base_tip()
    draft = kit.submit("rina")  # B: from main before the record
    b_head = kit.change(draft).head_sha
    # The publication's record lands on main (written on the server, as the publication does).
    server = Repo(kit.office.server)
    tree = server.tree_with_files(old_main, {"records/7-abc/record.yml": b"status: complete\n"})
    record = server.run("commit-tree", tree, "-p", old_main, "-m", "Catatan\n\nTerbit-Record: 7")
    server.run("update-ref", "refs/heads/main", record, old_main)
    forge.sync()
    kit.forge("rina").repo.run("switch", "--quiet", "--detach", "origin/main")
    # A: from main with the record, its commits dated earlier than B's so that git names B's
    # head as the merge base of the criss-cross below (it picks the newest of the two).
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-05T08:00:00+07:00")
    later = kit.submit("rina")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    a_head = kit.change(later).head_sha
    for change_id in (later, draft):
        kit.approve_all(change_id)
        kit.merge(change_id)
    # C: from B, then a merge of A whose result leaves the record out (criss-cross).
    repo = kit.forge("rina").repo
    repo.run("switch", "--quiet", "-c", f"draft/silang-{kit.counter}", b_head)
    kit.commit("rina", f"content/articles/silang-{kit.counter}.md", article("Silang"))
    repo.run("merge", "--quiet", "--no-ff", "--no-edit", a_head)
    repo.run("rm", "--quiet", "records/7-abc/record.yml")
    repo.run("commit", "--quiet", "--amend", "--no-edit")
    kit.forge("rina").sync()
    main = kit.forge("rina").base_tip()
    fork = repo.merge_base(main, repo.head() or "")
    assert fork == b_head  # the one merge base git picks does not show the removal …
    assert "records/7-abc/record.yml" not in repo.changed_files(fork, repo.head() or "")
    # … the server refuses anyway, even a client that skips its own pre-check.
    monkeypatch.setattr(client, "check_change", lambda *a: ChangeCheck(), raising=False)
    with pytest.raises(InputError) as refused:
        kit.resubmit("rina", new=True)
    assert "records/7-abc/record.yml" in str(refused.value)
    assert "hanya ditulis oleh publikasi" in str(refused.value)


# -- a push racing the merge -----------------------------------------------------------------

PAUSE = """#!/bin/sh
# Test wrapper: run the real check, then hold a push to main until the test says go.
input=$(cat)
printf '%s\\n' "$input" | "{real}"
rc=$?
case "$input" in
  *" refs/heads/main"*)
    if [ $rc -eq 0 ] && [ ! -e "{folder}/go" ]; then
      touch "{folder}/paused"
      while [ ! -e "{folder}/go" ]; do sleep 0.05; done
    fi ;;
esac
exit $rc
"""


def test_an_authors_push_racing_the_merge_waits_and_main_matches_the_records(
    kit: Kit, tmp_path: Path
) -> None:
    change_id = kit.submit("rina")
    kit.approve_all(change_id)
    hooks = kit.office.server / "hooks"
    real = hooks / "pre-receive.real"
    (hooks / "pre-receive").rename(real)
    (hooks / "pre-receive").write_text(PAUSE.format(real=real, folder=tmp_path))
    (hooks / "pre-receive").chmod(0o755)
    try:
        merging = threading.Thread(target=kit.merge, args=(change_id,))
        merging.start()
        for _ in range(6000):  # the admin's merge passed the check and is about to land
            if (tmp_path / "paused").exists() or not merging.is_alive():
                break
            threading.Event().wait(0.05)
        assert (tmp_path / "paused").exists()
        # Meanwhile Rina pushes one more commit to the change.
        kit.commit("rina", "content/articles/terlambat.md", "---\ntitle: t\n---\nt\n")
        rina = kit.forge("rina")
        old, new = kit.change(change_id, who="rina").head_sha, rina.repo.head() or ""
        sha = kit.raw_event("rina", change_id, "push", {"head": new, "old": old, "forced": False})
        pushing = subprocess.Popen(
            ["git", "push", "--atomic", "origin", f"{sha}:{meta_ref(change_id)}",
             f"{new}:{head_ref(change_id)}"],
            cwd=kit.office.clone_path("rina"), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
            text=True,
        )  # fmt: skip
        assert pushing.stderr is not None
        seen = []
        for line in pushing.stderr:  # until the server says it waits, or the push is over
            seen.append(line)
            if "menunggu dorongan lain selesai" in line:
                break
        (tmp_path / "go").touch()
        merging.join()
        rest = pushing.stderr.read()
        pushing.wait()
    finally:
        (tmp_path / "go").touch()
        real.rename(hooks / "pre-receive")
    output = "".join(seen) + rest
    assert "menunggu dorongan lain selesai" in output, output
    assert pushing.returncode != 0, output
    assert "sudah digabung" in output
    server = Repo(kit.office.server)
    merge = server.rev_parse("refs/heads/main") or ""
    change = kit.change(change_id)
    assert change.state == "merged" and change.head_sha == server.parents(merge)[1]
    events = [s.event.type for s in kit.forge("dewi").chain(change_id) if s.event]
    assert events[-1] == "merged"


# -- `terbit review` says at once when an approval will not count ----------------------------


def _terbit(kit: Kit, who: str, *args: str) -> subprocess.CompletedProcess[str]:
    import os
    import sys

    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=kit.office.clone_path(who), capture_output=True, text=True, check=False,
        env={**os.environ, "TERBIT_PUBLISH": "off", "TERBIT_LANG": "id"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        ("andi", "urutan SOP mengharuskan langkah 4"),  # the disposition before the check
        ("budi", "budi bukan anggota peran yang diminta SOP"),  # staff hold no review role
        ("dewi", "dewi bukan anggota peran yang diminta SOP"),
    ],
)
def test_review_refuses_an_approval_that_would_not_count(kit: Kit, who: str, reason: str) -> None:
    change_id = kit.submit("rina")
    done = _terbit(kit, who, "review", change_id, "--approve")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "tidak akan dihitung, jadi tidak dicatat" in output
    assert reason in output
    assert "Traceback" not in output
    assert kit.change(change_id).reviews == []


def test_review_refuses_approving_a_change_one_wrote(kit: Kit) -> None:
    change_id = kit.submit("rina")
    kit.review("sari", change_id)
    kit.review("andi", change_id)
    # Sari pushes one commit of her own into Rina's change, then gives the final check.
    sari = kit.forge("sari")
    sari.sync()
    head = kit.change(change_id, who="sari").head_sha
    sari.repo.run("reset", "--quiet", "--hard")
    sari.repo.switch_new_branch(f"draft/ikut-{kit.counter}", head)
    kit.commit("sari", "content/articles/ikut.md", article("Ikut", "sari"))
    new = sari.repo.head() or ""
    sha = kit.raw_event("sari", change_id, "push", {"head": new, "old": head, "forced": False})
    assert kit.push("sari", f"{sha}:{meta_ref(change_id)}", f"{new}:{head_ref(change_id)}")[0]
    done = _terbit(kit, "sari", "--lang", "en", "review", change_id, "--approve")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "would not count, so it was not recorded" in output
    assert "sari wrote part of this change and may not approve it" in output
    assert len(kit.change(change_id).reviews) == 2


def test_a_lock_left_by_a_push_that_died_does_not_block_the_office(kit: Kit) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()  # a receive-pack that died while holding the lock
    lock = kit.office.server / "terbit" / "push.lock"
    lock.parent.mkdir(exist_ok=True)
    lock.write_text(f"{gone.pid}\n")
    change_id = kit.submit("rina")
    assert kit.change(change_id).state == "open"
    assert not lock.exists()  # taken over, then given back by post-receive
