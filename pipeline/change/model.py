"""Forge-independent domain objects for a change and its history.

Both forges (the embedded Git forge and GitHub) translate what they store into these objects;
the gate, ``status``, publishing and the completion record only ever see these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pipeline.change.data_dukung import SupportingFile
from pipeline.vcs import CommitInfo  # a change's commits are Git's, with their proven writer

ReviewState = Literal["approve", "request_changes", "comment"]
ChangeState = Literal["open", "merged", "closed"]


@dataclass(frozen=True)
class Review:
    """A review bound to the commit it looked at."""

    id: str
    reviewer: str  # person id from roles.yml (forges map logins/keys to ids)
    state: ReviewState
    commit: str  # the head commit the reviewer saw
    at: datetime
    body: str = ""
    # Signature check result: True verified, False bad/missing, None not applicable (GitHub,
    # or signatures switched off). ``signature_note`` says why in the user's language.
    signature_ok: bool | None = None
    signature_note: str = ""
    dismissed: bool = False


@dataclass(frozen=True)
class Push:
    """A move of the change's head (new commits or a force-push)."""

    head: str
    at: datetime
    forced: bool = False
    by: str | None = None  # person id when known


@dataclass(frozen=True)
class PageFinding:
    """One finding of a page check: an axe rule and the element it names, or a broken internal
    link or image (rule ``broken-link``, target its address); ``page`` is the site path."""

    page: str
    rule: str
    target: str


@dataclass(frozen=True)
class PageCheck:
    """The server's review-time check of a change's pages at one head commit (issue 15 §5)."""

    id: str  # the record's commit
    head: str  # the head commit whose pages were checked
    at: datetime
    signed: bool  # carries the server key's signature (anything else never counts)
    pages: list[str] = field(default_factory=list)
    new: list[PageFinding] = field(default_factory=list)  # not on main's same pages: they block
    known: list[PageFinding] = field(default_factory=list)  # on main already: reported only
    problems: list[str] = field(default_factory=list)  # pages that could not be checked
    tools: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """A request to publish: the nota dinas plus the commits and their reviews."""

    id: str
    title: str
    author: str | None  # person id of the submitter, when known
    author_login: str  # the raw account (e-mail, GitHub login) for display
    base: str  # target branch, e.g. "main"
    base_sha: str  # tip of the target branch the change is compared with
    head_sha: str
    opened_at: datetime
    commits: list[CommitInfo] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    pushes: list[Push] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # paths the change touches vs. base
    nota_dinas_text: str = ""  # the raw nota dinas (PR description / submit form)
    state: ChangeState = "open"
    merged_at: datetime | None = None
    merge_sha: str | None = None
    merged_by: str | None = None
    # Set when the change was withdrawn by its author or rejected by a reviewer (state "closed").
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_reason: str = ""
    url: str | None = None  # where people can open it (GitHub PR URL, or None offline)
    # The SOP's data dukung, from the signed records of the change (embedded forge only).
    data_dukung: list[SupportingFile] = field(default_factory=list)
    # The server's page checks, oldest first (embedded forge only).
    page_checks: list[PageCheck] = field(default_factory=list)


__all__ = [
    "Change",
    "ChangeState",
    "CommitInfo",
    "PageCheck",
    "PageFinding",
    "Push",
    "Review",
    "ReviewState",
    "SupportingFile",
]
