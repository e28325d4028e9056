"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, for the tests of
e-mail notifications."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.messages.append(mail)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def smtp_settings(self) -> dict[str, object]:
        """The ``notify.smtp`` section of terbit.yml that sends here."""
        return {"host": "127.0.0.1", "port": self.port, "sender": "terbit@bbkkmedan.go.id",
                "starttls": False}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def smtp_inbox() -> Iterator[Inbox]:
    inbox = Inbox(port=_free_port())
    server = Controller(inbox, hostname="127.0.0.1", port=inbox.port, ready_timeout=10)
    server.start()
    try:
        yield inbox
    finally:
        server.stop()
