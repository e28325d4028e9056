"""What every hook knows of the server repository: its language and its log."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import yaml

from pipeline.config.settings import SETTINGS_FILE
from pipeline.forge.local.rules.push import MAIN
from pipeline.i18n import Catalog, set_lang
from pipeline.vcs import Repo

LOG_FILE = "terbit/publish.log"

# The end of a publication as the pusher and the log read it, whichever process published.
OUTCOME = Catalog(
    {
        "published": (
            "terbit: publikasi {sha} selesai",
            "terbit: publishing {sha} finished",
        ),
        "publish_failed": (
            "terbit: publikasi {sha} gagal: {error} (log: {log})",
            "terbit: publishing {sha} failed: {error} (log: {log})",
        ),
    }
)


def use_language(repo: Repo) -> None:
    """Speak ``site.language`` of main's terbit.yml unless TERBIT_LANG says otherwise; read
    without the settings model, as a push that is refused early never needs it."""
    if os.environ.get("TERBIT_LANG"):
        return
    tip = repo.rev_parse(MAIN)
    text = repo.show_file(tip, SETTINGS_FILE) if tip else None
    try:
        data = yaml.safe_load(text or "") or {}
        language = data.get("site", {}).get("language", "id")
    except (yaml.YAMLError, AttributeError):
        language = "id"
    set_lang(language if language in ("id", "en") else "id")


def log(repo: Repo, text: str) -> Path:
    """Append ``text`` with the time to the server's log; its path (told to the pusher)."""
    path = repo.git_dir / LOG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{datetime.now(UTC).isoformat()} {text.rstrip()}\n")
    return path


def server_repo() -> Repo:
    """The repository a hook runs in (Git sets ``GIT_DIR``)."""
    return Repo(os.environ.get("GIT_DIR", "."))
