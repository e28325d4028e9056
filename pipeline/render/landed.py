"""The site as a change would land it: main's settings, theme and plugins with the content of
the landed tree. Only the content folder comes from the change, so nothing of the change is
run or imported; the build runs in its own process with the render's guards (``runner``).

Shared by the web application's preview and the server's page check of a change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.errors import TerbitError
from pipeline.render.runner import build_site
from pipeline.vcs import Repo


def build_landed(repo: Repo, main: str, landed_tree: str, content_path: str, folder: Path) -> None:
    """Build into ``folder``: ``src`` (main's files with the landed content), ``site`` (the
    built site) and ``done`` once it is complete; nothing is left when the build fails."""
    shutil.rmtree(folder, ignore_errors=True)
    source, merged = folder / "src", folder / "merged"
    repo.export_tree(main, source)
    repo.export_tree(landed_tree, merged)
    content = content_path.strip("/")
    shutil.rmtree(source / content, ignore_errors=True)
    if (merged / content).is_dir():
        shutil.move(merged / content, source / content)
    shutil.rmtree(merged)
    try:
        build_site(source, folder / "site", cache_base=folder / "cache", skip_bad=True)
    except TerbitError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    shutil.rmtree(folder / "cache", ignore_errors=True)
    (folder / "done").write_text("ok\n")
