"""Deploy targets behind one interface (``Target``), chosen by ``terbit.yml`` ``deploy.target``."""

from __future__ import annotations

from pathlib import Path

from pipeline.config.settings import Settings
from pipeline.deploy.base import DeployError, DeployLog, Release, Target, new_release_id
from pipeline.deploy.local import LocalTarget
from pipeline.deploy.pages import PagesTarget
from pipeline.deploy.rsync import RsyncTarget


def _under(root: Path, path: str | None) -> str | None:
    if path is None:
        return None
    expanded = Path(path).expanduser()
    return str(expanded if expanded.is_absolute() else root / expanded)


def withdrawn_status(settings: Settings) -> int:
    """The status a withdrawn article's address answers on the configured host: 410 Gone where
    the site's server reads the withdrawn list (``terbit serve``, the local target, nginx or
    Apache with the generated rules); GitHub Pages gives every file it serves 200 and has no
    status per address, so there the notice page (``noindex``) answers 200."""
    return 200 if settings.deploy.target == "github-pages" else 410


def open_target(root: Path, settings: Settings) -> Target:
    """The configured target; relative paths are relative to the repository root."""
    deploy = settings.deploy
    if deploy.target == "rsync":
        conf = deploy.rsync
        return RsyncTarget(
            host=conf.host,
            port=conf.port,
            user=conf.user,
            path=conf.path,
            identity_file=_under(root, conf.identity_file),
            known_hosts=_under(root, conf.known_hosts),
            keep=conf.keep,
        )
    if deploy.target == "github-pages":
        return PagesTarget(Path(_under(root, deploy.github_pages.path) or root / "_site"))
    folder = Path(_under(root, deploy.local.path) or root / ".terbit/site")
    return LocalTarget(folder, deploy.local.keep)


__all__ = [
    "DeployError",
    "DeployLog",
    "LocalTarget",
    "PagesTarget",
    "Release",
    "RsyncTarget",
    "Target",
    "new_release_id",
    "open_target",
    "withdrawn_status",
]
