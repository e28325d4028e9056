"""GitHub as the forge: pull requests, reviews, the SOP gate as a status check, office setup."""

from __future__ import annotations

from pipeline.forge.github.client import GitHubClient
from pipeline.forge.github.forge import GitHubForge, open_forge, repository_name

__all__ = ["GitHubClient", "GitHubForge", "open_forge", "repository_name"]
