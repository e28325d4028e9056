"""The expedited path on the embedded forge: the server merges a "Sangat Segera" change with a
written reason on the head's signed disposition alone, and afterwards accepts the Katimker's
signed retrospective review, which the gate then counts for the deferred steps 3 and 5. Real
server repository, hooks and ``ssh-keygen`` signatures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from pipeline.change.nota_dinas import template
from pipeline.cli.demo.office import Office
from pipeline.errors import InputError
from pipeline.forge.local.client import actions as client
from pipeline.forge.local.rules.policy import evaluate, render
from tests.support.forge import COUNTER, Kit
from tests.support.offices import plain_office

pytestmark = pytest.mark.xdist_group("forge-office-expedited")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TERBIT_PUBLISH", "off")  # publishing has its own tests
        yield plain_office(tmp_path_factory)


def _submit(kit: Kit, reason: str) -> str:
    kit.draft("rina")
    nota = template(nomor=f"ND-{kit.counter}/LPZI/XI/2026", dari="Tim", hal="Peringatan dini",
                    tanggal=date(2026, 11, 28), sifat="Sangat Segera")  # fmt: skip
    if reason:
        nota = nota.replace('sifat: "Sangat Segera"\n',
                            f'sifat: "Sangat Segera"\nalasan_segera: "{reason}"\n')  # fmt: skip
    change_id, _ = client.submit(kit.forge("rina"), kit.office.who("rina"), nota_text=nota)
    return change_id


def test_urgent_change_merges_on_the_disposition_and_takes_the_late_review(office):
    kit = Kit(office, counter=next(COUNTER) * 100)
    change_id = _submit(kit, "KLB difteri: warga perlu tahu hari ini")
    kit.review("andi", change_id)
    kit.merge(change_id)
    assert kit.change(change_id).state == "merged"
    forge = kit.forge("sari")
    forge.sync()
    report = evaluate(forge, kit.change(change_id))
    assert report.expedited is not None and report.expedited.due is not None
    assert report.step(3).deferred and report.step(3).state == "pending"
    shown = render(report)  # what `terbit status` prints
    assert "SANGAT SEGERA" in shown and "KLB difteri" in shown
    assert "wajib diperiksa paling lambat" in shown
    kit.review("sari", change_id)  # the deferred review, after the merge
    forge.sync()
    report = evaluate(forge, kit.change(change_id))
    assert report.step(3).state == "done" and report.step(5).state == "done"
    assert report.step(3).by == "sari"
    assert report.expedited.done_at is not None and report.expedited.in_time is not None


def test_without_a_reason_the_server_refuses_the_merge(office):
    kit = Kit(office, counter=next(COUNTER) * 100)
    change_id = _submit(kit, "")
    kit.review("andi", change_id)
    refused = kit.merge_refused(change_id)
    assert "sifat Sangat Segera memerlukan alasan tertulis" in refused
    assert kit.change(change_id).state == "open"


def test_a_normal_merged_change_takes_no_late_review(office):
    kit = Kit(office, counter=next(COUNTER) * 100)
    change_id = kit.submit("rina")
    kit.approve_all(change_id)
    kit.merge(change_id)
    with pytest.raises(InputError):
        kit.review("sari", change_id)


def _push_review(kit: Kit, who: str, change_id: str) -> tuple[bool, str]:
    """A signed approval pushed straight to the server (no client-side check first)."""
    from pipeline.clock import now
    from pipeline.forge.local.store import metachain as store
    from pipeline.forge.local.store.events import Event, meta_ref
    from pipeline.forge.local.store.signing import sign

    forge = kit.forge(who)
    forge.sync()
    tip = forge.ref(meta_ref(change_id))
    head = forge.get_change(change_id).head_sha
    event = Event("review", change_id, who, now(), tip, {"state": "approve", "commit": head,
                                                          "body": ""})  # fmt: skip
    person = kit.office.people[who]
    tip = store.append(
        forge.repo, event, signature=sign(event.to_bytes(), kit.office.key_path(who)),
        name=person.name, email=person.email,
    )  # fmt: skip
    return forge.repo.push_result("origin", f"{tip}:{meta_ref(change_id)}")


def test_a_late_review_that_is_no_longer_owed_is_refused(office):
    """Once the deferred steps are done, the server takes no further review on the merged
    change: a second "retrospective" approval would only rewrite the record's evidence."""
    kit = Kit(office, counter=next(COUNTER) * 100)
    change_id = _submit(kit, "Banjir: jalur evakuasi hari ini")
    kit.review("andi", change_id)
    kit.merge(change_id)
    ok, output = _push_review(kit, "sari", change_id)  # owed: taken
    assert ok, output
    ok, output = _push_review(kit, "sari", change_id)  # done already: refused
    assert not ok
    assert f"perubahan #{change_id} sudah digabung" in output
