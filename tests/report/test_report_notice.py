"""The activity report (step 7): its text and its delivery through a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from PIL import Image

from pipeline.config.settings import SmtpSettings
from pipeline.i18n import set_lang
from pipeline.report import ActivityReport, NotifyError, PublishedItem, build_message, send_email

pytestmark = pytest.mark.xdist_group("smtp")


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    yield inbox, port
    controller.stop()


def report(tmp_path: Path) -> ActivityReport:
    shot = tmp_path / "artikel-desktop.png"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(shot)
    return ActivityReport(
        site="BBKK Medan",
        change_id="12",
        change_title="Vaksinasi jemaah",
        author_name="Rina Marlina Siregar, S.Kom.",
        uploader_name="Dedi Kurniawan, A.Md.",
        published_at=datetime(2026, 11, 28, 2, 5, tzinfo=UTC),
        timezone="Asia/Jakarta",
        items=[
            PublishedItem("Vaksinasi Jemaah Haji", "http://127.0.0.1:8000/vaksinasi.html"),
            PublishedItem("Berita Lama", None, "D"),
        ],
        release="20261128T020500Z-abc",
        nota_nomor="ND-12/LPZI/XI/2026",
        screenshots=[shot],
    )


def test_report_text_says_what_when_where_and_who(tmp_path: Path) -> None:
    text = report(tmp_path).text()
    assert text.startswith("LAPORAN KEGIATAN")
    assert "http://127.0.0.1:8000/vaksinasi.html" in text
    assert "28 November 2026 pukul 09.05 WIB" in text  # 02:05 UTC is 09:05 in Medan
    assert "Dedi Kurniawan, A.Md. (Admin Website)" in text
    assert "Dihapus dari situs: Berita Lama" in text
    assert "ND-12/LPZI/XI/2026" in text and "artikel-desktop.png" in text


def test_report_in_english(tmp_path: Path) -> None:
    set_lang("en")
    try:
        built = report(tmp_path)
        assert built.text().startswith("ACTIVITY REPORT")
        assert built.subject() == "[Terbit] Published: Vaksinasi Jemaah Haji"
    finally:
        set_lang("id")


def test_email_reaches_the_author_with_the_screenshot(
    smtp_server: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp_server
    before = len(inbox.received)
    smtp = SmtpSettings(
        host="127.0.0.1", port=port, sender="terbit@bbkkmedan.go.id", starttls=False
    )
    built = report(tmp_path)
    send_email(smtp, build_message(built, smtp.sender, "rina.siregar@bbkkmedan.go.id"))
    rcpts, raw = inbox.received[before]
    assert rcpts == ["rina.siregar@bbkkmedan.go.id"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "[Terbit] Sudah tayang: Vaksinasi Jemaah Haji"
    assert "http://127.0.0.1:8000/vaksinasi.html" in message.get_body(("plain",)).get_content()
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["artikel-desktop.png"]
    assert attachments[0].get_content() == (tmp_path / "artikel-desktop.png").read_bytes()


def test_unreachable_smtp_is_a_clear_error(tmp_path: Path) -> None:
    smtp = SmtpSettings(host="127.0.0.1", port=_free_port(), sender="t@x.test", starttls=False)
    with pytest.raises(NotifyError, match="gagal dikirim"):
        send_email(smtp, build_message(report(tmp_path), smtp.sender, "a@x.test"), timeout_s=3)


class PolicyForge:
    """The forge as failure_stage uses it: the base branch's policy files and the notices."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files, self.notices = files, []

    def read_file(self, rev: str, path: str) -> str | None:
        return self.files.get(path)

    def add_notice(self, change_id: str, text: str, files: list[Path]) -> None:
        self.notices.append(text)


def test_no_upload_step_means_no_failure_mail_and_a_reason_on_the_record(smtp_server) -> None:
    from types import SimpleNamespace

    from pipeline.config.settings import parse_settings
    from pipeline.report.compose import failure_stage

    inbox, port = smtp_server
    root = Path(__file__).resolve().parents[2]
    files = {name: (root / name).read_text(encoding="utf-8") for name in ("roles.yml", "sop.yml")}
    files["sop.yml"] = files["sop.yml"].replace("proof: deploy", "proof: merge")
    settings = parse_settings(
        f"notify:\n  smtp:\n    host: 127.0.0.1\n    port: {port}\n"
        "    sender: terbit@bbkkmedan.go.id\n    starttls: false\n"
    )
    before = len(inbox.received)
    forge = PolicyForge(files)
    change = SimpleNamespace(id="12", title="Vaksinasi jemaah")
    said: list[str] = []
    problems = failure_stage(forge, change, "d" * 40, "build gagal", "terbit publish 12",
                             settings, {"base": "main"}, said.append)  # fmt: skip
    assert len(inbox.received) == before  # nobody was picked from a role table
    assert forge.notices and problems
    assert "deploy" in problems[0] and "sop.yml" in problems[0]
