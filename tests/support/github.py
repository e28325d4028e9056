"""Helpers shared by the GitHub tests: the PR's commits, a filled nota dinas, a forge."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.change.nota_dinas import template
from pipeline.forge.github import GitHubClient, GitHubForge

ROOT = Path(__file__).resolve().parents[2]
# Imported by name, not through ``conftest``: other test folders have a conftest module too.
FIXTURES = ROOT / "tests" / "github" / "fixtures"
REPO = "bbkk-medan/situs-web"
FIRST = "7638417db6d59f3c431d3e1f261cc637155684cd"
HEAD = "e5bd3914e2e596debea16f433f57875b5b90bcd6"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def nota_dinas() -> str:
    return template(
        nomor="ND-12/LPZI/XI/2026",
        dari="Rina Marlina Siregar, Staf Tim Kerja",
        hal="Permohonan Publikasi Informasi Pemeriksaan Kesehatan Jemaah Haji",
        tanggal=date(2026, 11, 24),
        nama="Rina Marlina Siregar, S.Kom.",
        nip="199403122020122002",
    )


def serve_policy(api, ref: str = "main") -> None:
    """The office's real sop.yml and roles.yml, served from the base branch."""
    for name in ("sop.yml", "roles.yml"):
        api.content(ref, name, (ROOT / name).read_text(encoding="utf-8"))


def forge_for(api, *, policy: bool = True) -> GitHubForge:
    if policy:
        serve_policy(api)
    client = GitHubClient(REPO, token="ghs_test", base_url=api.url, backoff_s=0.05)
    return GitHubForge(client)
