"""GitHub payloads -> Terbit's forge-independent ``Change`` (pure functions, no I/O).

GitHub authenticates every reviewer, so reviews carry ``signature_ok=None``; a commit's signer
is the author's GitHub login (mapped to a person) only when GitHub verified the signature.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pipeline.change.model import Change, CommitInfo, Push, Review

Payload = dict[str, Any]
PersonOf = Callable[[str | None], str | None]  # GitHub login -> person id from roles.yml

REVIEW_STATES = {
    "APPROVED": "approve",
    "CHANGES_REQUESTED": "request_changes",
    "COMMENTED": "comment",
}
# review_dismissed events keep the state the review had before it was dismissed (lower case).
DISMISSED_STATES = {"approved": "approve", "changes_requested": "request_changes"}
# The first line of a PR comment that approves a merged pull request (docs/github.md).
LATE_APPROVAL = ("/setuju", "/approve")


def when(text: str | None) -> datetime | None:
    """GitHub's ISO 8601 timestamps (``2026-11-24T01:30:00Z``) as aware datetimes."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def login(user: Payload | None) -> str | None:
    return user.get("login") if isinstance(user, dict) else None


def commit_info(item: Payload, person_of: PersonOf) -> CommitInfo:
    commit = item.get("commit") or {}
    author = commit.get("author") or {}
    committer = commit.get("committer") or {}
    verified = bool((commit.get("verification") or {}).get("verified"))
    account = login(item.get("author"))
    authored = when(author.get("date"))
    committed = when(committer.get("date")) or authored
    return CommitInfo(
        sha=item["sha"],
        author_name=author.get("name") or account or "",
        author_email=author.get("email") or "",
        authored_at=authored or committed,  # type: ignore[arg-type]
        committed_at=committed,  # type: ignore[arg-type]
        message=commit.get("message") or "",
        signer=person_of(account) if verified and account else None,
        account=person_of(account) if account else None,
    )


def reviews_of(
    items: list[Payload],
    timeline: list[Payload],
    person_of: PersonOf,
    lifters: frozenset[str] = frozenset(),
) -> list[Review]:
    """Submitted reviews, oldest first; dismissed ones keep their former state, flagged.

    A request for changes stays in force when someone other than its reviewer or one of
    ``lifters`` (the head's role) dismissed it: any collaborator with write access may dismiss
    a review on GitHub, and the author must not be able to wave a correction away.
    """
    dismissals = [
        event
        for event in timeline
        if event.get("event") == "review_dismissed" and event.get("dismissed_review")
    ]
    before_dismissal = {
        int(event["dismissed_review"]["review_id"]): event["dismissed_review"].get("state", "")
        for event in dismissals
    }
    dismissed_by = {
        int(event["dismissed_review"]["review_id"]): person_of(login(event.get("actor")))
        for event in dismissals
    }
    reviews = []
    for item in items:
        state = item.get("state")
        at = when(item.get("submitted_at"))
        if state == "PENDING" or at is None:
            continue  # a draft review nobody else can see yet
        account = login(item.get("user"))
        dismissed = state == "DISMISSED"
        if dismissed:
            mapped = DISMISSED_STATES.get(before_dismissal.get(int(item["id"]), ""), "comment")
            by = dismissed_by.get(int(item["id"]))
            reviewer = person_of(account)
            if mapped == "request_changes" and (by is None or by not in {reviewer, *lifters}):
                dismissed = False  # still blocking: not lifted by its reviewer or the head
        else:
            mapped = REVIEW_STATES.get(state or "", "comment")
        reviews.append(
            Review(
                id=str(item["id"]),
                reviewer=person_of(account) or f"github:{account}",
                state=mapped,  # type: ignore[arg-type]
                commit=item.get("commit_id") or "",
                at=at,
                body=item.get("body") or "",
                signature_ok=None,
                dismissed=dismissed,
            )
        )
    reviews.sort(key=lambda review: review.at)
    return reviews


def late_approvals(
    comments: list[Payload], *, merged_at: datetime | None, head: str, person_of: PersonOf
) -> list[Review]:
    """Approvals of a merged pull request, given as PR comments whose first line is
    ``/setuju``: the retrospective review of sop.yml's expedited path.

    GitHub refuses an approving review once a pull request is closed ("Can only approve open
    pull requests", 422), so the comment stands in for it; GitHub authenticates its author as
    it does a reviewer. Only comments written after the merge count, bound to the head that
    was merged, and only unedited ones: anyone with write access may edit another's comment.
    """
    if merged_at is None:
        return []
    found: list[Review] = []
    for item in comments:
        at, edited = when(item.get("created_at")), when(item.get("updated_at"))
        if at is None or at <= merged_at or (edited is not None and edited != at):
            continue
        lines = (item.get("body") or "").strip().splitlines()
        if not lines or lines[0].strip().lower() not in LATE_APPROVAL:
            continue
        account = login(item.get("user"))
        found.append(
            Review(
                id=f"komentar-{item['id']}",
                reviewer=person_of(account) or f"github:{account}",
                state="approve",
                commit=head,
                at=at,
                body="\n".join(lines[1:]).strip(),
                signature_ok=None,
            )
        )
    return found


def pushes_of(
    timeline: list[Payload], person_of: PersonOf, reviews: list[Payload] | None = None
) -> list[Push]:
    """Moves of the head: each ``committed`` event, and each force-push with who did it.

    GitHub gives no push time for ordinary pushes, only the committer's own clock. A review of
    a commit proves the commit was pushed by then, so a fast laptop clock cannot make a valid
    approval look older than the push it approved.
    """
    seen: dict[str, datetime] = {}
    for review in reviews or []:
        at = when(review.get("submitted_at"))
        sha = review.get("commit_id")
        if at and sha and (sha not in seen or at < seen[sha]):
            seen[sha] = at
    pushes = []
    for event in timeline:
        kind = event.get("event")
        if kind == "committed":
            at = when((event.get("committer") or {}).get("date"))
            sha = event.get("sha")
            if at and sha:
                pushes.append(Push(head=sha, at=min(at, seen.get(sha, at))))
        elif kind == "head_ref_force_pushed":
            at = when(event.get("created_at"))
            if at and event.get("commit_id"):
                pushes.append(
                    Push(
                        head=event["commit_id"],
                        at=at,
                        forced=True,
                        by=person_of(login(event.get("actor"))),
                    )
                )
    pushes.sort(key=lambda push: push.at)
    return pushes


def files_of(items: list[Payload]) -> list[str]:
    """Paths the PR touches; a rename touches both its old and its new path."""
    paths: list[str] = []
    for item in items:
        for key in ("previous_filename", "filename"):
            path = item.get(key)
            if path and path not in paths:
                paths.append(path)
    return paths


def change_of(
    pr: Payload,
    *,
    commits: list[Payload],
    reviews: list[Payload],
    files: list[Payload],
    timeline: list[Payload],
    person_of: PersonOf,
    lifters: frozenset[str] = frozenset(),
    comments: list[Payload] | None = None,
) -> Change:
    """``comments``: the PR's comments, read for the approvals given after its merge."""
    author_login = login(pr.get("user")) or ""
    if pr.get("merged") or pr.get("merged_at"):
        state = "merged"
    elif pr.get("state") == "closed":
        state = "closed"
    else:
        state = "open"
    return Change(
        id=str(pr["number"]),
        title=pr.get("title") or "",
        author=person_of(author_login),
        author_login=author_login,
        base=pr["base"]["ref"],
        base_sha=pr["base"]["sha"],
        head_sha=pr["head"]["sha"],
        opened_at=when(pr["created_at"]),  # type: ignore[arg-type]
        commits=[commit_info(item, person_of) for item in commits],
        reviews=sorted(
            reviews_of(reviews, timeline, person_of, lifters)
            + late_approvals(
                (comments or []) if state == "merged" else [],
                merged_at=when(pr.get("merged_at")),
                head=pr["head"]["sha"],
                person_of=person_of,
            ),
            key=lambda review: review.at,
        ),
        pushes=pushes_of(timeline, person_of, reviews),
        files=files_of(files),
        nota_dinas_text=(pr.get("body") or "").replace("\r\n", "\n"),
        state=state,  # type: ignore[arg-type]
        merged_at=when(pr.get("merged_at")),
        merge_sha=pr.get("merge_commit_sha") if state == "merged" else None,
        merged_by=person_of(login(pr.get("merged_by"))) or login(pr.get("merged_by")),
        url=pr.get("html_url"),
    )
