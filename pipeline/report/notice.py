"""Step 7: the notice to the author (the SOP's "laporan kegiatan").

What was published, when, the live link, the screenshot and who uploaded it; recorded on the
change through the forge, and e-mailed (stdlib ``smtplib``/``email``) when SMTP is configured.
"""

from __future__ import annotations

import mimetypes
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.config.settings import SmtpSettings
from pipeline.errors import TerbitError
from pipeline.i18n import Catalog, long_date

MSG = Catalog(
    {
        "subject": (
            "[Terbit] Sudah tayang: {title}",
            "[Terbit] Published: {title}",
        ),
        "subject_removed": (
            "[Terbit] Sudah dihapus: {title}",
            "[Terbit] Removed: {title}",
        ),
        "intro_removed": (
            "Informasi yang Anda ajukan untuk dihapus sudah tidak tayang di situs website {site}.",
            "The information you asked to remove is no longer on the {site} website.",
        ),
        "greeting": ("Yth. {name},", "Dear {name},"),
        "intro": (
            "Informasi yang Anda ajukan sudah terpublikasi di situs website {site}.",
            "The information you submitted is now published on the {site} website.",
        ),
        "heading": ("LAPORAN KEGIATAN", "ACTIVITY REPORT"),
        "what": ("Judul", "Title"),
        "nota": ("Nota Dinas", "Nota Dinas"),
        "change": ("Perubahan", "Change"),
        "when": ("Waktu tayang", "Published at"),
        "link": ("Tautan", "Link"),
        "removed": ("Dihapus dari situs", "Removed from the site"),
        "uploader": ("Diunggah oleh", "Uploaded by"),
        "uploader_value": (
            "{name} (Admin Website), dijalankan otomatis oleh Terbit",
            "{name} (Website administrator), run automatically by Terbit",
        ),
        "release": ("Rilis", "Release"),
        "shots": ("Tangkapan layar (terlampir)", "Screenshots (attached)"),
        "shots_missing": (
            "Tangkapan layar belum tersedia: {reason}",
            "Screenshots are not available: {reason}",
        ),
        "closing": (
            "Lembar Penyelesaian Pekerjaan dilaporkan kepada Kepala Satker.\n\nSalam,\n{name}",
            "The work completion sheet is reported to the head of office.\n\nRegards,\n{name}",
        ),
        "time": ("{date} pukul {hm} {tz}", "{date} at {hm} {tz}"),
        "failed_heading": ("PUBLIKASI GAGAL", "PUBLICATION FAILED"),
        "failed_subject": (
            "[Terbit] Publikasi GAGAL: {title}",
            "[Terbit] Publication FAILED: {title}",
        ),
        "failed_intro": (
            "Publikasi perubahan berikut gagal; halamannya belum tayang dan penulis belum "
            "diberi tahu.",
            "The publication of this change failed; its page is not live and the author has "
            "not been told.",
        ),
        "failed_reason": ("Alasan", "Reason"),
        "failed_merge": ("Commit merge", "Merge commit"),
        "failed_retry": (
            "Setelah penyebabnya diperbaiki, ulangi di server:\n  {command}",
            "Once the cause is fixed, retry on the server:\n  {command}",
        ),
        "failed_closing": ("Salam,\nTerbit", "Regards,\nTerbit"),
        "smtp_failed": (
            "e-mail pemberitahuan ke {to} gagal dikirim lewat {host}:{port}: {error}",
            "the notice e-mail to {to} could not be sent through {host}:{port}: {error}",
        ),
    }
)

TZ_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


class NotifyError(TerbitError):
    exit_code = 1


@dataclass(frozen=True)
class PublishedItem:
    title: str
    url: str | None  # None when the article was removed
    status: str = "A"  # A added, M modified, D removed


@dataclass
class ActivityReport:
    """The content of the laporan kegiatan; rendered as text for the forge and the e-mail."""

    site: str
    change_id: str
    change_title: str
    author_name: str
    uploader_name: str
    published_at: datetime
    timezone: str
    items: list[PublishedItem]
    release: str
    nota_nomor: str = ""
    screenshots: list[Path] = field(default_factory=list)
    screenshot_problem: str = ""

    def local_time(self) -> str:
        when = self.published_at.astimezone(ZoneInfo(self.timezone))
        zone = TZ_NAMES.get(self.timezone, self.timezone)
        return MSG("time", date=long_date(when), hm=when.strftime("%H.%M"), tz=zone)

    def only_removals(self) -> bool:
        return bool(self.items) and all(i.url is None for i in self.items)

    def subject(self) -> str:
        if self.only_removals():  # nothing was published: say what happened
            shown = [i.title for i in self.items]
            key = "subject_removed"
        else:
            shown = [i.title for i in self.items if i.url] or [self.change_title]
            key = "subject"
        return MSG(key, title=shown[0] + (f" (+{len(shown) - 1})" if len(shown) > 1 else ""))

    def text(self) -> str:
        lines = [MSG("heading"), "", MSG("greeting", name=self.author_name), ""]
        intro = "intro_removed" if self.only_removals() else "intro"
        lines += [MSG(intro, site=self.site), ""]
        for item in self.items:
            if item.url:
                lines += [f"- {MSG('what')}: {item.title}", f"  {MSG('link')}: {item.url}"]
            else:
                lines.append(f"- {MSG('removed')}: {item.title}")
        lines += [
            "",
            f"{MSG('change')}: {self.change_id} — {self.change_title}",
        ]
        if self.nota_nomor:
            lines.append(f"{MSG('nota')}: {self.nota_nomor}")
        lines += [
            f"{MSG('when')}: {self.local_time()}",
            f"{MSG('uploader')}: {MSG('uploader_value', name=self.uploader_name)}",
            f"{MSG('release')}: {self.release}",
        ]
        if self.screenshots:
            lines.append(f"{MSG('shots')}: " + ", ".join(p.name for p in self.screenshots))
        elif self.screenshot_problem:
            lines.append(MSG("shots_missing", reason=self.screenshot_problem))
        lines += ["", MSG("closing", name=self.uploader_name)]
        return "\n".join(lines) + "\n"


@dataclass
class FailureReport:
    """What the admin role is told when a publication fails: why, and the command to retry.

    It never carries the release name: a later successful notice is recognised by it."""

    change_id: str
    change_title: str
    merge_sha: str
    reason: str
    retry_command: str

    def subject(self) -> str:
        return MSG("failed_subject", title=self.change_title)

    def text(self) -> str:
        lines = [MSG("failed_heading"), "", MSG("failed_intro"), ""]
        lines += [
            f"{MSG('change')}: {self.change_id} — {self.change_title}",
            f"{MSG('failed_merge')}: {self.merge_sha}",
            f"{MSG('failed_reason')}: {self.reason}",
            "",
            MSG("failed_retry", command=self.retry_command),
            "",
            MSG("failed_closing"),
        ]
        return "\n".join(lines) + "\n"


def failure_message(report: FailureReport, sender: str, to: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = report.subject()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(report.text())
    return message


def build_message(report: ActivityReport, sender: str, to: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = report.subject()
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(report.text())
    for path in report.screenshots:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        main, sub = kind.split("/", 1)
        message.add_attachment(path.read_bytes(), maintype=main, subtype=sub, filename=path.name)
    return message


def send_email(smtp: SmtpSettings, message: EmailMessage, *, timeout_s: float = 30) -> None:
    """Send through the configured server (STARTTLS and login when configured)."""
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=timeout_s) as client:
            if smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, os.environ.get(smtp.password_env, ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise NotifyError(
            MSG(
                "smtp_failed",
                to=message["To"],
                host=smtp.host,
                port=smtp.port,
                error=f"{type(error).__name__}: {error}",
            )
        ) from None
