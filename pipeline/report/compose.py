"""Compose and deliver the activity report of one publication (step 7)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.change.model import Change
from pipeline.change.nota_dinas import parse_nota_dinas
from pipeline.clock import now
from pipeline.config.roles import Roles
from pipeline.config.settings import Settings
from pipeline.errors import TerbitError
from pipeline.evidence.articles import ArticleFact
from pipeline.evidence.progress import Progress
from pipeline.i18n import Catalog
from pipeline.record.assemble import admin_for, policy_for
from pipeline.report.notice import (
    ActivityReport,
    FailureReport,
    PublishedItem,
    build_message,
    failure_message,
    send_email,
)

MSG = Catalog(
    {
        "notice_failed": ("pemberitahuan gagal: {error}", "notice failed: {error}"),
        "no_upload_step": (
            "sop.yml tidak punya langkah dengan proof: deploy; tidak ada peran yang dikirimi "
            "e-mail kegagalan (hanya dicatat pada perubahan)",
            "sop.yml has no step with proof: deploy; no role to e-mail the failure to "
            "(only recorded on the change)",
        ),
        "failed_said": ("gagal: #{change} -> {to}", "failed: #{change} -> {to}"),
        "no_email": (
            "e-mail penulis tidak diketahui; pemberitahuan hanya dicatat pada perubahan",
            "the author's e-mail is unknown; the notice is only recorded on the change",
        ),
    }
)


def compose(
    *,
    settings: Settings,
    change: Change,
    roles: Roles,
    articles: list[ArticleFact],
    urls: dict[str, str],
    release: str,
    published_at: datetime,
    uploader: str | None,
    nota_nomor: str,
    screenshots: list[Path],
    screenshot_problem: str = "",
) -> ActivityReport:
    author = roles.get(change.author)
    admin = roles.get(uploader)
    return ActivityReport(
        site=settings.site.name,
        change_id=change.id,
        change_title=change.title,
        author_name=author.name if author else change.author_login,
        uploader_name=admin.name if admin else (uploader or settings.publish.bot_name),
        published_at=published_at,
        timezone=settings.site.timezone,
        items=[PublishedItem(a.title, urls.get(a.path), a.status) for a in articles],
        release=release,
        nota_nomor=nota_nomor,
        screenshots=screenshots,
        screenshot_problem=screenshot_problem,
    )


def already_noticed(forge: Any, change_id: str, release: str) -> bool:
    """A notice for this release is on the change already (a rerun after a crash)."""
    try:
        notices = forge.notices(change_id)
    except (AttributeError, NotImplementedError):
        return False
    return any(release in n.text for n in notices)  # a failure notice never names a release


def deliver(
    report: ActivityReport,
    *,
    forge: Any,
    settings: Settings,
    author_email: str | None,
    state: Progress | None = None,  # e-mail progress survives a kill
) -> tuple[str | None, str | None]:
    """Record the notice on the change; e-mail it when SMTP is configured.

    ``(address, e-mail state)``; the state is ``sent``, or ``unconfirmed`` when an earlier run
    was killed between handing the message to the SMTP server and noting that it was
    accepted. The e-mail is sent at most once per publication: "sending" (with the
    Message-ID) is written before the SMTP call and "sent" after it, and a run that finds
    "sending" does not send again (see docs/publish.md)."""
    if not already_noticed(forge, report.change_id, report.release):
        forge.add_notice(report.change_id, report.text(), list(report.screenshots))
    smtp = settings.notify.smtp
    if smtp is None or not author_email:
        return None, None
    progress = dict((state.recall("email") if state is not None else None) or {})
    if progress.get("state") == "sent":
        return author_email, "sent"
    if progress.get("state") == "sending":
        return author_email, "unconfirmed"  # maybe delivered: never risk a second copy
    message = build_message(report, smtp.sender, author_email)
    _note(state, {"state": "sending", "message_id": message["Message-ID"], "to": author_email})
    try:
        send_email(smtp, message)
    except TerbitError:
        _note(state, {"state": "failed", "message_id": message["Message-ID"], "to": author_email})
        raise
    if state is not None:
        state.checkpoint("email-sent")  # fault injection: killed right after SMTP accepted
    _note(state, {"state": "sent", "message_id": message["Message-ID"], "to": author_email})
    return author_email, "sent"


def _note(state: Progress | None, value: dict[str, Any]) -> None:
    if state is not None:
        state.note("email", value)


def notice_stage(
    forge: Any,
    change: Any,
    articles: list[Any],
    urls: dict[str, str],
    deployed: dict[str, Any],
    shots: list[Any],
    shots_dir: Path,
    settings: Settings,
    prep: dict[str, Any],
    state: Progress,
    say: Callable[[str], None],
    shot_problem: str,
) -> dict[str, Any]:
    _sop, roles = policy_for(forge, prep["base"])
    admin = admin_for(change, roles)
    nota = ""
    with contextlib.suppress(TerbitError):  # the notice goes out without a nota's number
        nota = parse_nota_dinas(change.nota_dinas_text).nomor
    at = now()
    report = compose(
        settings=settings, change=change, roles=roles, articles=articles, urls=urls,
        release=deployed["release"], published_at=datetime.fromisoformat(deployed["at"]),
        uploader=admin, nota_nomor=nota, screenshots=[shots_dir / s.file for s in shots],
        screenshot_problem=shot_problem,
    )  # fmt: skip
    author = roles.get(change.author)
    value: dict[str, Any] = {
        "at": None, "recorded": False, "emailed_to": None, "email": None, "problems": []
    }  # fmt: skip
    try:
        value["emailed_to"], value["email"] = deliver(
            report, forge=forge, settings=settings,
            author_email=author.email if author else None, state=state,
        )  # fmt: skip
        value["recorded"] = True
        value["at"] = at.isoformat()
        say(f"notice: #{change.id}" + (f" -> {value['emailed_to']}" if value["emailed_to"] else ""))
    except TerbitError as error:
        value["problems"].append(MSG("notice_failed", error=str(error)))
        value["recorded"] = True  # add_notice ran first; only the e-mail failed
        value["at"] = at.isoformat()
    if settings.notify.smtp is not None and author is None:
        value["problems"].append(MSG("no_email"))
    state.save("notice", value)
    return value


def failure_stage(
    forge: Any,
    change: Any,
    merge_sha: str,
    reason: str,
    retry_command: str,
    settings: Settings,
    prep: dict[str, Any],
    say: Callable[[str], None],
) -> list[str]:
    """Tell the admin role (step 6's role) that the publication failed, on the change and by
    e-mail, with the command that retries. The author is told nothing: nothing is live.
    Problems delivering this are returned (they go on the record), never raised."""

    sop, roles = policy_for(forge, prep["base"])
    role = next((s.role for s in sop.steps if s.proof == "deploy"), None)
    report = FailureReport(change.id, change.title, merge_sha, reason, retry_command)
    problems: list[str] = []
    if role is None:  # nobody is picked from a role table: the record says why
        problems.append(MSG("no_upload_step"))
    try:
        forge.add_notice(change.id, report.text(), [])
    except TerbitError as error:
        problems.append(MSG("notice_failed", error=str(error)))
    smtp = settings.notify.smtp
    to = [p.email for p in roles.members(role) if p.email] if role else []
    if smtp is not None and to:
        try:
            send_email(smtp, failure_message(report, smtp.sender, to))
        except TerbitError as error:
            problems.append(MSG("notice_failed", error=str(error)))
    say(MSG("failed_said", change=change.id, to=", ".join(to) or "-"))
    return problems
