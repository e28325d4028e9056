"""The draft check by change in the real office: `terbit merge` (the client's gate) and the
server's pre-receive both compare the change with the other drafts through the facts they keep
by blob id, each in its own state folder, and both refuse a slug main took since the change
was submitted."""

from __future__ import annotations

import pytest

from pipeline.gate.fact_cache import CACHE_FILE
from pipeline.vcs import Repo
from tests.support.forge import Kit, article, refused_both_ways

pytestmark = pytest.mark.xdist_group("forge-office-draftcheck")


def test_a_slug_main_took_since_is_refused_by_the_merge_and_by_the_server(kit: Kit) -> None:
    first = kit.submit(files={"content/articles/jadwal-vaksin.md": article("Jadwal")})
    second = kit.submit(files={"content/articles/2026/jadwal-vaksin.md": article("Jadwal 2")})
    kit.approve_all(first)
    kit.merge(first)
    kit.approve_all(second)
    refused_both_ways(
        kit, second, "slug 'jadwal-vaksin' juga dipakai oleh content/articles/jadwal-vaksin.md"
    )
    clone = Repo(kit.office.clone_path("dewi"))
    for repo in (clone, Repo(kit.office.server)):
        assert (repo.git_dir / CACHE_FILE).is_file(), repo.git_dir
    assert clone.run("status", "--porcelain", "--untracked-files=all") == ""
