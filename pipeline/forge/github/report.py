"""What the pull-request workflow tells people: line annotations, the nota dinas check, and
the ONE comment on the PR that each push updates (draft checks, nota dinas, preview shots).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.change.nota_dinas import NotaDinas, parse_nota_dinas
from pipeline.config import yamlsrc
from pipeline.errors import ConfigError, InputError, Problem
from pipeline.gate.messages import when
from pipeline.i18n import Catalog

REPORT_MARKER = "<!-- terbit:pr-report -->"

MSG = Catalog(
    {
        "bad_json": (
            "bukan keluaran 'terbit check --format json': {error}",
            "not the output of 'terbit check --format json': {error}",
        ),
        "bad_manifest": (
            "daftar tangkapan layar tidak terbaca: {error}",
            "the screenshot list cannot be read: {error}",
        ),
        "pr_body": ("deskripsi PR", "PR description"),
        "json_syntax": ("JSON tidak valid (kolom {column})", "invalid JSON (column {column})"),
        "title": ("## Terbit — hasil pemeriksaan", "## Terbit — check results"),
        "nota_ok": (
            "✅ **Nota dinas** {nomor} tanggal {tanggal}, hal: {hal}",
            "✅ **Nota dinas** {nomor} dated {tanggal}, subject: {hal}",
        ),
        "nota_bad": (
            "❌ **Nota dinas** di deskripsi PR belum benar: {error}",
            "❌ **Nota dinas** in the PR description is not right: {error}",
        ),
        "nota_fix": (
            "Perbaiki lewat tombol *Edit* pada deskripsi PR; pemeriksaan berjalan lagi otomatis.",
            "Fix it with *Edit* on the PR description; the check runs again by itself.",
        ),
        "checks_ok": (
            "✅ **Draf**: tidak ada masalah pada berkas yang diubah.",
            "✅ **Drafts**: no problems in the changed files.",
        ),
        "checks_bad": (
            "❌ **Draf**: {n} masalah (juga ditandai pada baris berkas di tab *Files changed*):",
            "❌ **Drafts**: {n} problem(s) (also marked on the lines in *Files changed*):",
        ),
        "checks_skipped": (
            "➖ **Draf**: tidak ada draf yang diubah.",
            "➖ **Drafts**: no draft changed.",
        ),
        "shots": (
            "📷 **Pratinjau**: {n} tangkapan layar (desktop, seluler) halaman yang berubah:",
            "📷 **Preview**: {n} screenshot(s) (desktop and mobile) of the changed pages:",
        ),
        "shots_none": (
            "📷 **Pratinjau**: tidak ada halaman yang berubah untuk difoto.",
            "📷 **Preview**: no changed page to photograph.",
        ),
        "shots_failed": ("⚠️ Tangkapan layar gagal: {error}", "⚠️ Screenshot failed: {error}"),
        "download": (
            "Unduh semua tangkapan layar: [{name}]({url})",
            "Download all screenshots: [{name}]({url})",
        ),
        "run": ("Rincian: [jalannya alur kerja]({url})", "Details: [the workflow run]({url})"),
        "updated": (
            "_Komentar ini diperbarui setiap kali PR berubah (commit {head})._",
            "_This comment is updated whenever the PR changes (commit {head})._",
        ),
    }
)


def _load_json(path: Path, what: str, empty: str) -> Any:
    """JSON a previous workflow step wrote; a located ConfigError when it is not JSON."""
    text = yamlsrc.read_text(path)
    try:
        return json.loads(text or empty)
    except json.JSONDecodeError as bad:
        error = MSG("json_syntax", column=bad.colno)
        raise ConfigError(MSG(what, error=error), path=str(path), line=bad.lineno) from None


def read_findings(path: Path) -> list[dict[str, Any]]:
    """The list ``terbit check --format json`` prints (path, line, code, message, severity)."""
    data = _load_json(path, "bad_json", "[]")
    if not isinstance(data, list) or not all(isinstance(x, dict) and "message" in x for x in data):
        shape = "[{path, line, message}, …]"
        raise ConfigError(MSG("bad_json", error=shape), path=str(path), line=1)
    return data


def _escape_data(text: str) -> str:
    # Workflow commands end at a newline; '%' starts an escape (GitHub's documented encoding).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: dict[str, Any] | Problem, *, title: str = "terbit check") -> str:
    """One ``::error file=…,line=…::message`` line GitHub shows on the changed line."""
    if isinstance(finding, Problem):
        finding = {"path": finding.path, "line": finding.line, "message": finding.message}
    level = "warning" if finding.get("severity") == "warning" else "error"
    props = []
    if finding.get("path"):
        props.append(f"file={_escape_property(str(finding['path']))}")
    if finding.get("line"):
        props.append(f"line={int(finding['line'])}")
    code = finding.get("code")
    props.append(f"title={_escape_property(f'{title} ({code})' if code else title)}")
    return f"::{level} {','.join(props)}::{_escape_data(str(finding['message']))}"


def check_nota_dinas(body: str | None) -> NotaDinas:
    """The PR description parsed as the nota dinas (InputError with the located problem)."""
    return parse_nota_dinas((body or "").replace("\r\n", "\n"), MSG("pr_body"))


@dataclass
class PrReport:
    """Everything the one PR comment shows; each part is optional."""

    head_sha: str
    nota: NotaDinas | None = None
    nota_error: str | None = None
    findings: list[dict[str, Any]] | None = None  # None: the check did not run
    shots: list[dict[str, Any]] = field(default_factory=list)
    shots_error: str | None = None
    artifact_url: str | None = None
    artifact_name: str = "pratinjau"
    run_url: str | None = None

    def markdown(self) -> str:
        out = [MSG("title"), ""]
        if self.nota is not None:
            nd = self.nota
            out.append(MSG("nota_ok", nomor=nd.nomor, tanggal=when(nd.tanggal), hal=nd.hal))
        elif self.nota_error is not None:
            out += [MSG("nota_bad", error=self.nota_error), "", MSG("nota_fix")]
        out.append("")
        if self.findings is None:
            out.append(MSG("checks_skipped"))
        elif not self.findings:
            out.append(MSG("checks_ok"))
        else:
            out += [MSG("checks_bad", n=len(self.findings)), ""]
            for finding in self.findings[:50]:
                where = finding.get("path", "")
                if finding.get("line"):
                    where = f"{where}:{finding['line']}"
                out.append(f"- `{where}`: {finding['message']}")
        out.append("")
        if self.shots_error:
            out += [MSG("shots_failed", error=self.shots_error), ""]
        if self.shots:
            out += [MSG("shots", n=len(self.shots)), ""]
            out += [
                f"- `{s.get('page', '')}` — {s.get('view', '')}: `{s.get('file', '')}`"
                for s in self.shots
            ]
            if self.artifact_url:
                out += ["", MSG("download", name=self.artifact_name, url=self.artifact_url)]
        elif not self.shots_error:
            out.append(MSG("shots_none"))
        if self.run_url:
            out += ["", MSG("run", url=self.run_url)]
        out += ["", MSG("updated", head=self.head_sha[:12])]
        return "\n".join(out) + "\n"


def read_shots(path: Path) -> tuple[list[dict[str, Any]], str | None]:
    """The manifest ``terbit github preview`` writes: ``{"shots": [...], "error": ...}``."""
    data = _load_json(path, "bad_manifest", "{}")
    if not isinstance(data, dict) or not isinstance(data.get("shots") or [], list):
        raise ConfigError(MSG("bad_manifest", error='{"shots": […]}'), path=str(path), line=1)
    return list(data.get("shots") or []), data.get("error")


def nota_status(body: str | None) -> tuple[NotaDinas | None, str | None]:
    try:
        return check_nota_dinas(body), None
    except InputError as error:
        return None, str(error)
