"""``terbit.yml``: the office's settings, one typed section per stage of the flow.

Every section has defaults, so a repository without ``terbit.yml`` still works; a file that is
present is validated strictly (unknown keys are errors, with file and line).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from pipeline.config import yamlsrc
from pipeline.config.calendar import CalendarSettings
from pipeline.config.validate import Strict, validate

SETTINGS_FILE = "terbit.yml"
# One OpenSSH public key line (type, base64 key, optional comment).
PUBLIC_KEY = re.compile(
    r"(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+=*( [^\n]*)?"
)


class SiteSettings(Strict):
    name: str = "Balai Besar Kekarantinaan Kesehatan Medan"
    short_name: str = "BBKK Medan"
    url: str = "http://127.0.0.1:8000"
    language: Literal["id", "en"] = "id"
    timezone: str = "Asia/Jakarta"


class ContentSettings(Strict):
    """What ``terbit check`` enforces on drafts."""

    path: str = "content"
    categories: list[str] = Field(
        default_factory=lambda: [
            "Berita",
            "Layanan",
            "Kesiapsiagaan",
            "Informasi Publik",
            "Pengumuman",
        ]
    )
    image_max_kb: int = Field(default=500, gt=0)
    # A draft larger than this is refused unread (a pasted dump, not an article); it also bounds
    # the time the checks and the build spend on a hostile file.
    draft_max_kb: int = Field(default=256, gt=0)
    iframe_hosts: list[str] = Field(
        default_factory=lambda: ["www.youtube-nocookie.com", "www.youtube.com"]
    )
    # Contacts that may appear on the site on purpose (office e-mail, hotline).
    public_contacts: list[str] = Field(
        default_factory=lambda: ["humas@bbkkmedan.go.id", "(061) 6941343", "061-6941343"]
    )
    # Domains whose addresses are public by nature (the office's own).
    public_email_domains: list[str] = Field(default_factory=lambda: ["bbkkmedan.go.id"])


class BuildSettings(Strict):
    output: str = "output"
    settings_file: str = "pelicanconf.py"
    publish_settings_file: str = "publishconf.py"
    # One draft's Markdown conversion may take this much CPU time (30,000 "[" take minutes) ...
    draft_seconds: float = Field(default=20.0, gt=0, le=600)
    # ... and the build process this much address space (RLIMIT_AS), so one draft never
    # holds the office's publications hostage.
    memory_mb: int = Field(default=4096, ge=256)


class ForgeSettings(Strict):
    kind: Literal["local", "github"] = "local"
    # "off" accepts unsigned reviews; only for trials, and every command warns loudly.
    signatures: Literal["required", "off"] = "required"
    # The embedded server's own public SSH key (one line, from `terbit init-server`): record
    # commits must carry its signature. Only a head-approved change can name another key.
    server_key: str | None = None
    # The review-time page check (issue 15 §5): the server builds each change's pages and checks
    # them in Chromium; a merge waits for a clean check. Off only where the server has no browser
    # (the gate then says the pages are not checked).
    page_check: bool = True

    @field_validator("server_key")
    @classmethod
    def _public_key(cls, value: str | None) -> str | None:
        # One public key line: it becomes an allowed-signers entry for `terbit verify`.
        if value is not None and not PUBLIC_KEY.fullmatch(value.strip()):
            raise ValueError("bukan satu baris kunci publik SSH (mis. 'ssh-ed25519 AAAA… nama')")
        return value

    @field_validator("signatures", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: object) -> object:
        # YAML 1.1 reads a bare `off` as false (and `on` as true); accept what people type.
        if isinstance(value, bool):
            return "required" if value else "off"
        return value


class DataDukungSettings(Strict):
    # Supporting documents travel in every clone's fetch of the change records: keep them small.
    max_kb: int = Field(default=10240, ge=1, le=204800)
    max_files: int = Field(default=20, ge=1, le=200)


class LocalTarget(Strict):
    path: str = ".terbit/site"
    keep: int = Field(default=5, ge=1)


class RsyncTarget(Strict):
    host: str = "127.0.0.1"
    port: int = 22
    user: str = "www"
    path: str = "/var/www/terbit"
    identity_file: str | None = None
    keep: int = Field(default=5, ge=1)
    known_hosts: str | None = None


class PagesTarget(Strict):
    path: str = "_site"


class DeploySettings(Strict):
    target: Literal["local", "rsync", "github-pages"] = "local"
    local: LocalTarget = Field(default_factory=LocalTarget)
    rsync: RsyncTarget = Field(default_factory=RsyncTarget)
    github_pages: PagesTarget = Field(default_factory=PagesTarget)


class SigningSettings(Strict):
    """The office certificate that PAdES-signs the record and report PDFs.

    The PKCS#12 file lives outside the repository (its path here or in the environment); the
    passphrase only ever comes from the environment. Without a certificate the documents are
    produced unsigned and say so on the page.
    """

    pkcs12: str | None = None  # path to the .p12/.pfx (BSrE-issued in production)
    pkcs12_env: str = "TERBIT_SIGN_PKCS12"  # or the path in this environment variable
    passphrase_env: str = "TERBIT_SIGN_PASSPHRASE"
    # CA certificates (PEM) `terbit verify` trusts, e.g. the BSrE root; none: integrity only.
    trust: list[str] = Field(default_factory=list)


def _check_pattern(value: str, **fields: object) -> str:
    try:
        value.format(**fields)
    except (KeyError, IndexError, ValueError):
        names = ", ".join("{" + name + "}" for name in fields)
        raise ValueError(f"pola nomor hanya boleh memakai {names}") from None
    return value


class PublishSettings(Strict):
    live_url: str | None = None  # defaults to site.url
    verify_attempts: int = Field(default=8, ge=1)
    verify_backoff_s: float = Field(default=1.0, gt=0)
    screenshot_max_kb: int = Field(default=150, gt=0)
    records_path: str = "records"
    bot_name: str = "Terbit"
    bot_email: str = "terbit@localhost"
    # Completion record: the place before the date, and the letterhead (kop) lines.
    place: str = "Medan"
    kop: list[str] = Field(
        default_factory=lambda: [
            "KEMENTERIAN KESEHATAN REPUBLIK INDONESIA",
            "DIREKTORAT JENDERAL PENANGGULANGAN PENYAKIT",
            "BALAI BESAR KEKARANTINAAN KESEHATAN MEDAN",
        ]
    )
    # Screenshots: off only where no browser can run (the record is then marked incomplete).
    screenshots: bool = True
    # The record's number; fields {change}, {year}, {month}, {roman}.
    record_number: str = "LPP-{change}/LPZI/{roman}/{year}"
    # The kop's contact line and the official documents' electronic signature.
    address: str = "Jl. Kapten Sumarsono No. 3, Medan 20124"
    telephone: str = "(061) 6941343"
    website: str = "bbkkmedan.go.id"
    signing: SigningSettings = Field(default_factory=SigningSettings)
    # A scheduled publication live more than this many minutes after its publish_at is
    # recorded as late (the scheduler's round is a minute; a server down takes longer).
    schedule_grace_minutes: int = Field(default=5, ge=0)

    @field_validator("record_number")
    @classmethod
    def _number(cls, value: str) -> str:
        return _check_pattern(value, change="12", year=2026, month="11", roman="XI")


class SmtpSettings(Strict):
    host: str
    port: int = 587
    sender: str
    starttls: bool = True
    username: str | None = None
    password_env: str = "TERBIT_SMTP_PASSWORD"


class NotifySettings(Strict):
    smtp: SmtpSettings | None = None
    # Where the office web application answers: the link in every "waiting for you" e-mail.
    web_url: str = "http://127.0.0.1:8080"


class ReportSettings(Strict):
    """``terbit report``: where the files go and how the report is numbered."""

    path: str = "reports"
    # Fields: {period} (2026-11), {year}, {month} (11), {roman} (XI).
    number: str = "LK-{period}/LPZI/{roman}/{year}"

    @field_validator("number")
    @classmethod
    def _fields(cls, value: str) -> str:
        return _check_pattern(value, period="2026-11", year=2026, month="11", roman="XI")


class Settings(Strict):
    site: SiteSettings = Field(default_factory=SiteSettings)
    content: ContentSettings = Field(default_factory=ContentSettings)
    build: BuildSettings = Field(default_factory=BuildSettings)
    forge: ForgeSettings = Field(default_factory=ForgeSettings)
    data_dukung: DataDukungSettings = Field(default_factory=DataDukungSettings)
    deploy: DeploySettings = Field(default_factory=DeploySettings)
    publish: PublishSettings = Field(default_factory=PublishSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)


def parse_settings(text: str, path: str = SETTINGS_FILE) -> Settings:
    doc = yamlsrc.load(text, path)
    if doc.data is None:
        return Settings()
    return validate(Settings, doc)


def load_settings(root: Path) -> Settings:
    """Settings of the repository at ``root``; defaults when it has no ``terbit.yml``."""
    file = root / SETTINGS_FILE
    if not file.exists():
        return Settings()
    return parse_settings(yamlsrc.read_text(file, SETTINGS_FILE), SETTINGS_FILE)


def committed_settings(show_file: Callable[[str], str | None]) -> Settings:
    """Settings as committed at one revision (``show_file`` reads a path there, None when
    absent): the server and a clone's commands read them from the target branch, never from a
    work tree a change could have edited. Defaults when there is no ``terbit.yml``."""
    text = show_file(SETTINGS_FILE)
    return parse_settings(text, SETTINGS_FILE) if text else Settings()
