"""Compose and deliver the activity report of one publication (step 7)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.change.model import Change
from pipeline.config.roles import Roles
from pipeline.config.settings import Settings
from pipeline.i18n import Catalog
from pipeline.record.model import ArticleFact
from pipeline.report.notice import ActivityReport, PublishedItem, build_message, send_email

MSG = Catalog(
    {
        "marker": ("Rilis: {release}", "Release: {release}"),
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
    return any(release in n.text for n in notices)


def deliver(
    report: ActivityReport, *, forge: Any, settings: Settings, author_email: str | None
) -> str | None:
    """Record the notice on the change; e-mail it when SMTP is configured. The address used."""
    if not already_noticed(forge, report.change_id, report.release):
        forge.add_notice(report.change_id, report.text(), list(report.screenshots))
    smtp = settings.notify.smtp
    if smtp is None or not author_email:
        return None
    send_email(smtp, build_message(report, smtp.sender, author_email))
    return author_email
