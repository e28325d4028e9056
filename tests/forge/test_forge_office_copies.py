"""Offices copied from one template (tests/support/offices.py) are as independent as offices
created apart: each copy's clones push to its own server, whose hooks still judge every push,
and nothing done in one copy shows in another or in the template."""

from __future__ import annotations

import pytest

from pipeline.forge.local.store.events import meta_ref
from pipeline.vcs import Repo
from tests.support.forge import Kit
from tests.support.offices import plain_office, shared_root

pytestmark = pytest.mark.xdist_group("forge-office-copies")


def test_a_push_in_one_copy_never_shows_in_another(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    one, other = plain_office(tmp_path_factory), plain_office(tmp_path_factory)
    template = shared_root(tmp_path_factory) / "office-template-plain" / "kantor"
    assert one.root != other.root
    for office in (one, other):
        for person in office.people:
            clone = Repo(office.clone_path(person))
            assert clone.run("config", "remote.origin.url") == str(office.server)
            assert clone.run("config", "user.signingkey") == str(office.key_path(person))
        hook = (office.server / "hooks" / "post-receive").read_text(encoding="utf-8")
        assert str(office.server) in hook and str(template) not in hook

    kit = Kit(one, counter=7100)
    change = kit.submit("rina")
    kit.approve_all(change)
    merged = kit.merge(change)
    assert Repo(one.server).rev_parse("refs/heads/main") == merged
    for elsewhere in (other.server, template / "server.git"):
        assert Repo(elsewhere).rev_parse("refs/heads/main") != merged
        assert Repo(elsewhere).run("for-each-ref", meta_ref(change)) == ""


def test_the_hooks_of_a_copy_still_refuse_a_merge_without_its_reviews(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    kit = Kit(plain_office(tmp_path_factory), counter=7200)
    change = kit.submit("rina")
    ok, output = kit.bypass_merge(change)
    assert not ok
    assert "remote: terbit: dorongan ditolak" in output
