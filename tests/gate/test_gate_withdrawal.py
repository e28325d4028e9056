"""The withdrawal path (issue 15 §2): a change whose only file is the withdrawals list, opened
by the Katimker or the head, passes on one approval of the head commit by a member of the other
approving role; the review steps are not part of it. Anything else takes the ordinary path."""

from __future__ import annotations

from dataclasses import replace

from pipeline.config.roles import load_roles
from pipeline.config.sop import load_sop
from pipeline.errors import ConfigError
from pipeline.gate import evaluate, render
from tests.support.gate import NOTA, ROOT, commit, review

SARI = "sari.lubis@bbkkmedan.go.id"
HEAD = "d1" * 20


def policy():
    roles = load_roles((ROOT / "roles.yml").read_text(encoding="utf-8"))
    sop = load_sop((ROOT / "sop.yml").read_text(encoding="utf-8"), known_roles=roles.titles)
    return sop, roles


def withdrawal(author: str = "sari", email: str = SARI, reviews=None, files=None):
    from pipeline.change.model import Change
    from tests.support.gate import at

    return Change(
        id="40", title="Penarikan artikel", author=author, author_login=email, base="main",
        base_sha="b" * 40, head_sha=HEAD, opened_at=at(5), commits=[commit(HEAD, 0, email)],
        reviews=reviews if reviews is not None else [review("andi", "approve", HEAD, 20)],
        files=files or ["content/withdrawn.yml"], nota_dinas_text=NOTA,
    )  # fmt: skip


def test_the_katimker_opens_and_the_head_alone_approves():
    sop, roles = policy()
    report = evaluate(withdrawal(), sop=sop, roles=roles)
    assert report.passed, report.problems
    assert report.withdrawal is not None
    assert (report.withdrawal.opened_by, report.withdrawal.approved_by) == ("sari", "andi")
    for number in (3, 4, 5):
        step = report.step(number)
        assert step.skipped and step.state == "pending" and step.elapsed_minutes is None
    assert "jalur penarikan" in render(report)


def test_the_head_opens_and_the_katimker_alone_approves():
    """The case CODEOWNERS must allow on GitHub (the list is owned by withdrawal.approve)."""
    sop, roles = policy()
    change = withdrawal(author="andi", email="andi.harahap@bbkkmedan.go.id",
                        reviews=[review("sari", "approve", HEAD, 20)])  # fmt: skip
    report = evaluate(change, sop=sop, roles=roles)
    assert report.passed, report.problems
    assert report.withdrawal is not None
    assert (report.withdrawal.opened_by, report.withdrawal.approved_by) == ("andi", "sari")


def test_staff_may_not_open_a_withdrawal():
    sop, roles = policy()
    change = withdrawal(author="rina", email="rina.siregar@bbkkmedan.go.id")
    report = evaluate(change, sop=sop, roles=roles)
    assert not report.passed
    assert any("penarikan hanya boleh diajukan oleh" in p and "rina" in p for p in report.problems)


def test_the_opener_cannot_approve_their_own_withdrawal_nor_can_the_admin():
    sop, roles = policy()
    for who in ("sari", "dewi", "rina"):
        report = evaluate(withdrawal(reviews=[review(who, "approve", HEAD, 20)]), sop=sop,
                          roles=roles)  # fmt: skip
        assert not report.passed, who
        assert any("penarikan memerlukan persetujuan" in p for p in report.problems), who


def test_an_approval_of_an_older_commit_does_not_count():
    sop, roles = policy()
    report = evaluate(withdrawal(reviews=[review("andi", "approve", "e0" * 20, 20)]), sop=sop,
                      roles=roles)  # fmt: skip
    assert not report.passed


def test_a_change_with_any_other_file_takes_the_ordinary_path():
    sop, roles = policy()
    files = ["content/withdrawn.yml", "content/articles/baru.md"]
    report = evaluate(withdrawal(files=files), sop=sop, roles=roles)
    assert not report.passed and report.withdrawal is None
    assert any("langkah 3" in p for p in report.problems)
    # The list touched by an ordinary change is outside the content model: the head's approval.
    assert "content/withdrawn.yml" in report.protected_files


def test_without_the_rule_in_sop_yml_the_list_is_a_protected_file():
    sop, roles = policy()
    report = evaluate(withdrawal(), sop=replace(sop, withdrawal=None), roles=roles)
    assert not report.passed and report.withdrawal is None


def test_an_unknown_role_in_the_rule_is_refused_with_its_line():
    roles = load_roles((ROOT / "roles.yml").read_text(encoding="utf-8"))
    text = (
        (ROOT / "sop.yml")
        .read_text(encoding="utf-8")
        .replace("approve: [katimker_lpzi, kepala_satker]", "approve: [katimker, kepala_satker]")
    )
    try:
        load_sop(text, known_roles=roles.titles)
    except ConfigError as error:
        assert "sop.yml:" in str(error) and "katimker" in str(error)
    else:
        raise AssertionError("an unknown role must be refused")
