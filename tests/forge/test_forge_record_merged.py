"""The server's ``merged`` record, written by ``post-receive`` on every merge push: it names the
change and the merger that the whole change (``change_for_merge``) names, read more cheaply."""

from __future__ import annotations

import pytest

from pipeline.cli.demo.office import Office
from pipeline.forge.local.store.events import CHANGE_TRAILER
from pipeline.forge.local.store.forge import LocalForge
from tests.support.forge import Kit

pytestmark = pytest.mark.xdist_group("forge-record-merged")


def _merged(server: LocalForge, change_id: str) -> list[tuple[str, str]]:
    """The change's ``merged`` records: (merge sha, by)."""
    return [
        (stored.event.get("merge_sha"), stored.event.by)
        for stored in server.chain(change_id)
        if stored.event is not None and stored.event.type == "merged"
    ]


def _commit(server: LocalForge, parents: list[str], trailer: str) -> str:
    """A merge-shaped commit made on the server (never on main): main's tree, ``parents``."""
    tree = server.repo.tree_of(parents[0])
    assert tree
    message = f"Gabung\n\n{CHANGE_TRAILER}: {trailer}\n"
    return server.repo.commit_tree(tree, parents, message, name="Uji", email="uji@localhost")


def test_the_merged_record_names_what_the_whole_change_names(office: Office, kit: Kit) -> None:
    change_id = kit.submit("rina")
    kit.approve_all(change_id)
    merge = kit.merge(change_id)
    server = office.server_forge()
    whole = server.change_for_merge(merge)
    assert whole is not None and whole.merged_by == "dewi"
    # The hook wrote one record, naming the merge and its signer.
    assert _merged(server, change_id) == [(merge, "dewi")]

    main = server.base_tip()
    seed = server.repo.run("rev-list", "--max-parents=0", main).split()[0]
    head = whole.head_sha
    assert head
    cases = {
        "main's first commit (no merge)": seed,
        "a merge of another head": _commit(server, [main, seed], change_id),
        "a merge naming no known change": _commit(server, [main, head], "999999"),
        "a merge of the head, not on main": _commit(server, [main, head], change_id),
        "the merge itself, again": merge,
    }
    for name, sha in cases.items():
        fresh = office.server_forge()
        expected = fresh.change_for_merge(sha)
        before = _merged(fresh, change_id)
        got = office.server_forge().record_merged(sha)
        assert got == (expected.id if expected else None), name
        after = _merged(office.server_forge(), change_id)
        if expected is None:
            assert after == before, name
        else:
            assert after == [*before, (sha, expected.merged_by or "terbit")], name
