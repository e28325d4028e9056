"""Every gate rule with a passing and a failing case, including the attacks of issue 3."""

from __future__ import annotations

from dataclasses import replace

from pipeline.change.model import Push
from pipeline.config.sop import load_sop
from pipeline.gate import evaluate
from tests.support.gate import at, commit, demo_change, review

C1, C2, C3 = "c1" * 20, "c2" * 20, "c3" * 20


def judge(change, sop, roles, **kw):
    return evaluate(change, sop=sop, roles=roles, **kw)


def states(report) -> dict[int, str]:
    return {s.number: s.state for s in report.steps}


def test_demo_path_passes_with_each_step_by_its_role(change, sop, roles):
    report = judge(change, sop, roles)
    assert report.passed, report.problems
    done = {s.number: s.by for s in report.steps if s.state == "done"}
    assert done == {1: "rina", 2: "rina", 3: "sari", 4: "andi", 5: "sari"}
    assert states(report)[6] == "pending"  # deploy happens after the merge
    assert report.step(3).corrections == 1  # the change request before the approval
    assert report.problems == []


def test_self_approval_by_commit_author_refused(with_reviews, sop, roles):
    change = with_reviews(
        review("sari", "approve", C2, 160),
        review("andi", "approve", C2, 165),
        review("sari", "approve", C2, 180),
        commits=[commit(C1, 0), commit(C2, 150, email="Sari.Lubis@bbkkmedan.go.id")],
    )
    report = judge(change, sop, roles)
    assert not report.passed
    assert report.step(3).state == "refused"
    assert "sari ikut menulis perubahan ini" in report.step(3).reason
    assert any("langkah 3 belum disetujui" in p for p in report.problems)


def test_submitter_may_not_approve_even_without_commits_of_their_own(change, sop, roles):
    report = judge(replace(change, author="sari"), sop, roles)
    assert not report.passed
    assert "tidak boleh menyetujuinya sendiri" in report.step(3).reason


def test_forged_author_email_still_self_approval_via_signer(with_reviews, sop, roles):
    # The commit claims Rina's e-mail, but its verified signer is Sari, who then approves.
    forged = commit(C2, 150, email="rina.siregar@bbkkmedan.go.id", signer="sari")
    change = with_reviews(
        review("sari", "approve", C2, 160),
        review("andi", "approve", C2, 165),
        review("sari", "approve", C2, 180),
        commits=[commit(C1, 0), forged],
    )
    report = judge(change, sop, roles)
    assert not report.passed
    assert {report.step(3).state, report.step(5).state} == {"refused"}
    assert "sari ikut menulis" in report.step(5).reason


def test_approval_by_non_member_is_not_counted(with_reviews, sop, roles):
    change = with_reviews(
        review("budi", "approve", C2, 160),
        review("andi", "approve", C2, 165),
        review("budi", "approve", C2, 180),
    )
    report = judge(change, sop, roles)
    assert not report.passed
    assert states(report)[3] == "pending" and states(report)[5] == "pending"
    assert any("budi bukan anggota peran yang diminta SOP" in n for n in report.notes)


def test_approval_by_member_of_the_wrong_role_proves_only_its_own_step(with_reviews, sop, roles):
    # The head (Kepala Satker) cannot stand in for Katimker's checks.
    change = with_reviews(
        review("andi", "approve", C2, 160),
        review("andi", "approve", C2, 165),
        review("andi", "approve", C2, 180),
    )
    report = judge(change, sop, roles)
    assert not report.passed
    assert states(report)[3] == "pending" and states(report)[5] == "pending"
    assert any("Katimker Layanan Publik dan Zona Integritas" in p for p in report.problems)


def test_unknown_reviewer_is_not_counted(with_reviews, sop, roles):
    change = with_reviews(*demo_change().reviews, review("mallory", "approve", C2, 181))
    report = judge(change, sop, roles)
    assert report.passed  # nothing lost, nothing gained
    assert any("'mallory' tidak terdaftar di roles.yml" in n for n in report.notes)


def test_unsigned_review_does_not_count_and_says_why(change, sop, roles):
    reviews = list(change.reviews)
    reviews[-1] = replace(reviews[-1], signature_ok=None, signature_note="")
    report = judge(replace(change, reviews=reviews), sop, roles)
    assert not report.passed
    assert report.step(5).state == "refused"
    assert "tanda tangan ulasan tidak sah: tidak ditandatangani" in report.step(5).reason


def test_review_signed_by_another_key_is_refused_with_the_forge_note(change, sop, roles):
    note = "tanda tangan tidak cocok dengan kunci 'sari' di roles.yml"
    reviews = list(change.reviews)
    reviews[-1] = replace(reviews[-1], signature_ok=False, signature_note=note)
    report = judge(replace(change, reviews=reviews), sop, roles)
    assert not report.passed
    assert note in report.step(5).reason


def test_signatures_off_counts_unsigned_reviews_with_a_loud_note(change, sop, roles):
    reviews = [replace(r, signature_ok=None) for r in change.reviews]
    reviews[-1] = replace(reviews[-1], signature_ok=False, signature_note="kunci lain")
    unsigned = replace(change, reviews=reviews)
    assert not judge(unsigned, sop, roles).passed
    report = judge(unsigned, sop, roles, signatures_required=False)
    assert report.passed
    assert report.notes == [
        "PERINGATAN: ulasan sari (28-11-2026 11:00) tanda tangannya tidak sah (kunci lain) "
        "tetapi dihitung karena pemeriksaan tanda tangan dimatikan (forge.signatures: off)"
    ]


def test_final_check_before_the_last_push_is_void(change, sop, roles):
    pushed = replace(
        change,
        head_sha=C3,
        commits=[*change.commits, commit(C3, 185)],
        pushes=[*change.pushes, Push(head=C3, at=at(185))],
    )
    report = judge(pushed, sop, roles)
    assert not report.passed
    assert report.step(5).state == "pending"  # waits for a fresh approval
    assert "padahal commit terakhir kini c3c3c3c" in report.step(5).reason
    assert states(report)[3] == "done" and states(report)[4] == "done"  # not bound to head
    again = replace(pushed, reviews=[*pushed.reviews, review("sari", "approve", C3, 190)])
    assert judge(again, sop, roles).passed


def test_force_push_after_approval_voids_it(change, sop, roles):
    forced = replace(
        change,
        head_sha="f0" * 20,
        commits=[change.commits[0], commit("f0" * 20, 185)],
        pushes=[*change.pushes, Push(head="f0" * 20, at=at(185), forced=True)],
    )
    report = judge(forced, sop, roles)
    assert not report.passed
    assert report.step(5).state == "pending"


def test_push_back_to_the_approved_commit_still_needs_a_new_approval(change, sop, roles):
    # Force-push away and back to the same commit: the approval predates the last push.
    moved = replace(
        change,
        pushes=[*change.pushes, Push(head="f0" * 20, at=at(182), forced=True),
                Push(head=C2, at=at(184), forced=True)],
    )  # fmt: skip
    report = judge(moved, sop, roles)
    assert not report.passed
    assert "sebelum push terakhir" in report.step(5).reason


def test_which_steps_are_bound_to_the_head_is_configuration(with_reviews, sop, roles):
    def bound(numbers: set[int]):
        return replace(sop, steps=[replace(s, bound_to_head=s.number in numbers) if s.is_gate
                                   else s for s in sop.steps])  # fmt: skip

    # Check and disposition on the first version; the final check on the head.
    early = with_reviews(
        review("sari", "approve", C1, 100),
        review("andi", "approve", C1, 110),
        review("sari", "approve", C2, 180),
    )
    assert judge(early, sop, roles).passed  # shipped: only step 5 is bound
    report = judge(early, bound({4, 5}), roles)
    assert not report.passed and states(report) == {**states(report), 3: "done", 4: "pending"}
    assert "padahal commit terakhir kini c2c2c2c" in report.step(4).reason
    # Unbinding the final check lets an approval of an older commit prove it.
    stale = with_reviews(
        review("sari", "approve", C1, 100),
        review("andi", "approve", C1, 110),
        review("sari", "approve", C1, 120),
    )
    assert not judge(stale, sop, roles).passed
    assert judge(stale, bound(set()), roles).passed


def test_disposition_before_the_check_violates_the_order(with_reviews, sop, roles):
    change = with_reviews(
        review("andi", "approve", C2, 155),
        review("sari", "approve", C2, 160),
        review("sari", "approve", C2, 180),
    )
    report = judge(change, sop, roles)
    assert not report.passed
    assert report.step(3).state == "done"
    assert report.step(4).state == "pending"
    assert "urutan SOP" in report.step(4).reason


def test_final_check_before_the_disposition_violates_the_order(with_reviews, sop, roles):
    change = with_reviews(
        review("sari", "approve", C2, 160),
        review("sari", "approve", C2, 170),
        review("andi", "approve", C2, 175),
    )
    report = judge(change, sop, roles)
    assert not report.passed
    assert report.step(5).state == "pending"
    assert "urutan SOP" in report.step(5).reason


def test_relaxed_sop_accepts_any_order(with_reviews, sop, roles):
    change = with_reviews(review("andi", "approve", C2, 155), review("sari", "approve", C2, 160))
    assert not judge(change, sop, roles).passed
    report = judge(change, replace(sop, ordered=False), roles)
    assert report.passed, report.problems


def test_changes_requested_after_approval_blocks_until_approved_again(change, sop, roles):
    asked = replace(
        change, reviews=[*change.reviews, review("sari", "request_changes", C2, 190, body="Foto")]
    )
    report = judge(asked, sop, roles)
    assert not report.passed
    assert report.step(5).state == "refused"
    assert report.step(5).by is None
    assert any('sari (Katimker Layanan Publik dan Zona Integritas) meminta perbaikan' in p
               and '"Foto"' in p for p in report.problems)  # fmt: skip
    again = replace(asked, reviews=[*asked.reviews, review("sari", "approve", C2, 200)])
    assert judge(again, sop, roles).passed


def test_request_by_the_head_blocks_until_the_head_approves_again(change, sop, roles):
    asked = replace(change, reviews=[*change.reviews, review("andi", "request_changes", C2, 185)])
    assert not judge(asked, sop, roles).passed
    again = replace(asked, reviews=[*asked.reviews, review("andi", "approve", C2, 186)])
    assert judge(again, sop, roles).passed


def test_request_changes_that_does_not_count_does_not_block(change, sop, roles):
    extra = [
        review("budi", "request_changes", C2, 190),  # staff hold no gate role
        review("sari", "request_changes", C2, 191, signature_ok=False),  # not verified
        review("sari", "request_changes", C2, 192, dismissed=True),
    ]
    assert judge(replace(change, reviews=[*change.reviews, *extra]), sop, roles).passed


def test_dismissed_and_comment_reviews_do_not_approve(change, sop, roles):
    reviews = list(change.reviews)
    reviews[-1] = replace(reviews[-1], dismissed=True)
    report = judge(replace(change, reviews=reviews), sop, roles)
    assert not report.passed and "dibatalkan" in report.step(5).reason
    reviews[-1] = replace(reviews[-1], dismissed=False, state="comment")
    assert not judge(replace(change, reviews=reviews), sop, roles).passed


def test_protected_paths_need_the_heads_approval_on_the_head(change, sop, roles):
    # Kepala Satker disposed the first version; the pipeline edit came afterwards.
    touched = replace(
        change,
        files=["content/articles/x.md", "pipeline/gate/rules.py"],
        reviews=[
            review("sari", "approve", C1, 60),
            review("andi", "approve", C1, 70),
            review("sari", "approve", C2, 180),
        ],
    )
    report = judge(touched, sop, roles)
    assert not report.passed
    assert report.protected_files == ["pipeline/gate/rules.py"]
    assert report.extra[0].state == "pending"
    assert any("berkas terlindung" in p and "Kepala Satker" in p for p in report.problems)
    # The same change without the protected file passes: the rule, not the reviews, refused.
    assert judge(replace(touched, files=["content/articles/x.md"]), sop, roles).passed
    fixed = replace(touched, reviews=[*touched.reviews, review("andi", "approve", C2, 181)])
    assert judge(fixed, sop, roles).passed


def test_protected_paths_cover_workflows_settings_and_theme(sop):
    for path in (
        "sop.yml",
        "roles.yml",
        ".github/workflows/publish.yml",
        "theme/base.html",
        "pelicanconf.py",
        "publishconf.py",
        "terbit.yml",
        "pipeline/cli/gate.py",
    ):
        assert sop.is_protected(path), path  # fmt: skip
    for path in ("content/articles/a.md", "content/sop.yml", "docs/pipeline/x.md"):
        assert not sop.is_protected(path), path


def test_inactive_member_no_longer_counts(change, sop, roles):
    people = [replace(p, active=False) if p.id == "sari" else p for p in roles.people]
    report = judge(change, sop, replace(roles, people=people))
    assert not report.passed
    assert "sari tidak lagi aktif" in report.step(3).reason
    assert "tidak ada anggota aktif peran Katimker" in report.step(3).reason


def test_missing_nota_dinas_fails(change, sop, roles):
    report = judge(replace(change, nota_dinas_text=""), sop, roles)
    assert not report.passed
    assert report.step(2).state == "refused"
    assert report.problems[0].startswith("nota dinas tidak sah: nota dinas:1: nota dinas kosong")


def test_invalid_nota_dinas_fails_with_its_line(change, sop, roles):
    bad = change.nota_dinas_text.replace("ND-12/LPZI/XI/2026", "dua belas")
    report = judge(replace(change, nota_dinas_text=bad), sop, roles)
    assert not report.passed
    assert "nota dinas:2: nomor 'DUA BELAS' tidak sesuai format" in report.problems[0]


def test_change_without_commits_or_closed_fails(change, sop, roles):
    assert (
        "perubahan tidak berisi commit apa pun"
        in judge(replace(change, commits=[]), sop, roles).problems
    )
    assert "perubahan sudah ditutup" in judge(replace(change, state="closed"), sop, roles).problems


def test_commit_by_an_unlisted_email_is_noted(change, sop, roles):
    outsider = replace(change, commits=[*change.commits[:1], commit(C2, 150, email="x@luar.test")])
    report = judge(outsider, sop, roles)
    assert report.passed  # a note, not a veto: the reviewers saw the commit
    assert (
        "commit c2c2c2c ditulis dengan e-mail x@luar.test yang tidak terdaftar" in (report.notes[0])
    )


def test_a_change_request_by_an_author_is_no_veto(change, sop, roles):
    # Sari co-wrote the change; her own "request changes" cannot block it forever.
    cowritten = replace(
        change,
        commits=[*change.commits, commit(C3, 151, email="sari.lubis@bbkkmedan.go.id")],
        reviews=[review("sari", "request_changes", C2, 185)],
    )
    report = judge(cowritten, sop, roles)
    assert not any("meminta perbaikan" in p for p in report.problems)


def test_more_than_one_member_of_a_role_may_share_its_steps(change, sop, roles):
    # A second Katimker (inactive people excluded) can give the final check.
    people = [*roles.people, replace(roles.by_id["sari"], id="tono", email="tono@bbkkmedan.go.id",
                                     github=None)]  # fmt: skip
    reviews = [*change.reviews[:3], review("tono", "approve", C2, 180)]
    report = judge(replace(change, reviews=reviews), sop, replace(roles, people=people))
    assert report.passed and report.step(5).by == "tono"


OTHER_OFFICE = """\
ordered: true
steps:
  - {number: 1, kegiatan: Draf, role: staf, minutes: 60, proof: draft_commit}
  - {number: 2, kegiatan: Nota dinas, role: staf, minutes: 30, proof: change_opened}
  - {number: 3, kegiatan: Periksa, role: katimker_lpzi, minutes: 60, proof: review}
  - {number: 4, kegiatan: Tata letak, role: admin_website, minutes: 20, proof: approval}
  - {number: 5, kegiatan: Setuju, role: kepala_satker, minutes: 10, proof: approval,
     bound_to_head: true}
"""


def test_another_office_changes_the_file_not_the_code(with_reviews, roles):
    sop = load_sop(OTHER_OFFICE, known_roles=roles.titles)
    first = with_reviews(review("sari", "approve", C2, 160), review("andi", "approve", C2, 165))
    report = judge(first, sop, roles)
    assert not report.passed
    assert "langkah 4 belum disetujui oleh Admin Website" in report.problems
    # The web admin signs off after the head already approved: the order of this SOP holds.
    late = with_reviews(*first.reviews, review("dewi", "approve", C2, 170))
    report = judge(late, sop, roles)
    assert states(report)[4] == "done" and states(report)[5] == "pending"
    assert judge(with_reviews(*late.reviews, review("andi", "approve", C2, 175)), sop, roles).passed
