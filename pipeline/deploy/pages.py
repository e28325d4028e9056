"""GitHub Pages: the folder the Pages workflow uploads (``actions/upload-pages-artifact``).

Pages itself keeps deployments and switches them atomically; the pipeline's job is only to
leave a complete folder at ``path``. It is built beside it and swapped in by renames, with a
marker naming the release, so a crash never leaves a half-filled folder to upload.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from pipeline.deploy.base import DeployLog, Release, check_release_id, check_site
from pipeline.errors import ConfigError
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "no_rollback": (
            "GitHub Pages menyimpan deployment-nya sendiri: kembalikan lewat 'git revert' merge "
            "yang salah (alur kerja Pages menerbitkan ulang), atau jalankan ulang deployment "
            "sebelumnya di tab Actions",
            "GitHub Pages keeps its own deployments: roll back with 'git revert' of the bad merge "
            "(the Pages workflow republishes), or re-run the earlier deployment in Actions",
        ),
    }
)

MARKER = ".terbit-release.json"


class PagesTarget:
    name = "github-pages"

    def __init__(self, path: Path) -> None:
        self.folder = path
        self.log = DeployLog(path.parent / f".{path.name}-deploy-log.jsonl")

    def current(self) -> Release | None:
        marker = self.folder / MARKER
        if not marker.is_file():
            return None
        release_id = json.loads(marker.read_text(encoding="utf-8"))["release"]
        return Release(release_id, str(self.folder), self.name)

    def releases(self) -> list[Release]:
        live = self.current()
        return [live] if live else []

    def deploy(self, site_dir: Path, release_id: str) -> Release:
        check_release_id(release_id)
        check_site(site_dir)
        previous = self.current()
        staging = self.folder.with_name(f".{self.folder.name}.tmp-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(site_dir, staging)
        (staging / ".nojekyll").touch()  # serve files and folders starting with "_" as they are
        (staging / MARKER).write_text(json.dumps({"release": release_id}), encoding="utf-8")
        old = self.folder.with_name(f".{self.folder.name}.old-{os.getpid()}")
        if self.folder.exists():
            os.rename(self.folder, old)
        os.rename(staging, self.folder)
        shutil.rmtree(old, ignore_errors=True)
        self.log.append(
            "deploy",
            release=release_id,
            previous=previous.id if previous else None,
            target=self.name,
        )
        return Release(release_id, str(self.folder), self.name)

    def rollback(self, to: str | None = None) -> Release:
        raise ConfigError(MSG("no_rollback"))
