"""The gate's "Pemeriksaan halaman" line: the server's check of the change's pages in a real
browser (axe WCAG 2.1 A/AA, internal links and images) at the current head commit.

Only a check the server key signed, of exactly the head commit, counts; a finding already on
main's same page is reported but does not block (issue 15 §5).
"""

from __future__ import annotations

from pipeline.change.model import Change, PageCheck, PageFinding
from pipeline.gate.messages import short_sha
from pipeline.gate.report import StepStatus
from pipeline.i18n import Catalog

PROOF = "page_check"
SHOWN = 5  # findings named in the line; the problem lists them all

MSG = Catalog(
    {
        "activity": ("Pemeriksaan halaman", "Page check"),
        "off": (
            "TIDAK DIPERIKSA: pemeriksaan halaman dimatikan di terbit.yml (forge.page_check: "
            "false); aksesibilitas dan tautan halaman perubahan ini tidak diperiksa",
            "NOT CHECKED: the page check is switched off in terbit.yml (forge.page_check: "
            "false); the accessibility and links of this change's pages are not checked",
        ),
        "pending": (
            "belum diperiksa: server belum memeriksa halaman commit {sha}",
            "not checked yet: the server has not checked the pages of commit {sha}",
        ),
        "older": (
            "pemeriksaan terakhir untuk commit lama {sha}",
            "the last check was of an older commit {sha}",
        ),
        "ignored": (
            "{n} catatan pemeriksaan tanpa tanda tangan server diabaikan",
            "{n} check record(s) without the server's signature ignored",
        ),
        "clean": (
            "{n} halaman diperiksa pada commit {sha}: tidak ada temuan baru",
            "{n} page(s) checked at commit {sha}: no new findings",
        ),
        "known": (
            "{n} temuan sudah ada di main (tidak menghalangi)",
            "{n} finding(s) already on main (not blocking)",
        ),
        "found": (
            "{n} temuan baru pada commit {sha}: {first}",
            "{n} new finding(s) at commit {sha}: {first}",
        ),
        "finding": ("{page}: {rule} ({target})", "{page}: {rule} ({target})"),
        "problem_pending": (
            "pemeriksaan halaman belum selesai untuk commit {sha}; tunggu server memeriksanya "
            "(atau jalankan `terbit check-pages --change {id}` di server)",
            "the page check has not finished for commit {sha}; wait for the server to check "
            "it (or run `terbit check-pages --change {id}` on the server)",
        ),
        "problem_found": (
            "pemeriksaan halaman menemukan {n} masalah baru (aksesibilitas/tautan rusak):\n"
            "    {lines}",
            "the page check found {n} new problem(s) (accessibility/broken links):\n    {lines}",
        ),
    }
)


def finding_text(finding: PageFinding) -> str:
    return MSG("finding", page=finding.page, rule=finding.rule, target=finding.target)


def latest(change: Change) -> PageCheck | None:
    """The newest check that counts: signed by the server key, of the current head."""
    valid = [c for c in change.page_checks if c.signed and c.head == change.head_sha]
    return valid[-1] if valid else None


def page_check_line(change: Change, enabled: bool, problems: list[str]) -> StepStatus | None:
    """The line (None for a merged change merged without a check); what blocks is appended
    to ``problems`` while the change is open."""
    status = StepStatus(
        number=0,
        kegiatan=MSG("activity"),
        role="",
        role_title="",
        proof=PROOF,
        state="done",
        gate=True,
        minutes=0,
    )
    if not enabled:
        status.reason = MSG("off")
        return status
    check = latest(change)
    open_change = change.state == "open"
    if check is None:
        if not open_change:
            return None
        status.state = "pending"
        head = short_sha(change.head_sha)
        reasons = [MSG("pending", sha=head)]
        older = [c for c in change.page_checks if c.signed]
        if older:
            reasons.append(MSG("older", sha=short_sha(older[-1].head)))
        forged = [c for c in change.page_checks if not c.signed]
        if forged:
            reasons.append(MSG("ignored", n=len(forged)))
        status.reason = "; ".join(reasons)
        problems.append(MSG("problem_pending", sha=head, id=change.id))
        return status
    status.at = check.at
    blocking = [finding_text(f) for f in check.new] + check.problems
    head = short_sha(check.head)
    if blocking:
        status.state = "refused"
        shown = "; ".join(blocking[:SHOWN]) + (" …" if len(blocking) > SHOWN else "")
        status.reason = MSG("found", n=len(blocking), sha=head, first=shown)
        if open_change:
            problems.append(MSG("problem_found", n=len(blocking), lines="\n    ".join(blocking)))
    else:
        status.reason = MSG("clean", n=len(check.pages), sha=head)
    if check.known:
        status.reason += "; " + MSG("known", n=len(check.known))
    return status
