"""Reviews from the browser: only the role whose step it is, signed with the person's own key
(stored encrypted, unlocked by the passphrase for that one signature), verified like the
CLI's; every refusal leaves the forge unchanged and keeps what the person typed."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pipeline.web.keys import key_path, store_key
from tests.support.forge import COUNTER, Kit, article
from tests.support.web import Story, WebApp, running, sign_in, token

pytestmark = pytest.mark.xdist_group("web-review")

PASSPHRASE = "frasa-sandi-kunci-42"


@pytest.fixture(scope="module")
def signer(mutable: Story) -> Iterator[WebApp]:
    """The app at the real time (records it writes must pass the server's clock rule), with
    the office's keys kept encrypted for the reviewers and the author."""
    server = mutable.office.server
    for person in ("sari", "andi", "rina"):
        private = mutable.office.key_path(person).read_bytes()
        store_key(server, person, PASSPHRASE, private=private, replace=True)
    with running(server) as app:
        yield app


@pytest.fixture
def kit(mutable: Story) -> Kit:
    return Kit(mutable.office, counter=next(COUNTER) * 100)


def _send(http: httpx.Client, change: str, **fields: str) -> httpx.Response:
    page = http.get(f"/perubahan/{change}").text
    head = page.split('name="head" value="', 1)[1].split('"', 1)[0] if 'name="head"' in page else ""
    data = {"csrftoken": token(page), "head": head, "passphrase": PASSPHRASE, **fields}
    return http.post(f"/perubahan/{change}/ulasan", data=data)


def test_katimker_approves_in_the_browser_with_her_own_signature(signer: WebApp, kit: Kit) -> None:
    change = kit.submit("rina")
    http = sign_in(signer, "sari")
    page = http.get(f"/perubahan/{change}").text
    assert "Setujui" in page and "Ulasan Anda (langkah 3)" in page
    done = _send(http, change, state="approve", body="Sudah sesuai.")
    assert done.status_code == 303, done.text
    reviews = kit.change(change).reviews
    assert [(r.reviewer, r.state, r.body) for r in reviews] == [
        ("sari", "approve", "Sudah sesuai.")
    ]
    assert reviews[0].signature_ok is True  # verified against sari's key in roles.yml
    after = http.get(done.headers["location"]).text
    assert "Ulasan Anda dicatat dan ditandatangani." in after
    assert "menyetujui" in after
    assert "Ulasan Anda (langkah" not in after  # step 4 is the head's, not hers


def test_another_role_and_the_author_are_refused_and_nothing_is_recorded(
    signer: WebApp, kit: Kit
) -> None:
    change = kit.submit("rina")
    for person in ("andi", "rina"):
        http = sign_in(signer, person)
        assert "Ulasan Anda (langkah" not in http.get(f"/perubahan/{change}").text
        refused = _send(http, change, state="approve", body="")
        assert refused.status_code == 403
    assert kit.change(change).reviews == []


def test_wrong_passphrase_records_nothing_and_keeps_the_text(signer: WebApp, kit: Kit) -> None:
    change = kit.submit("rina")
    http = sign_in(signer, "sari")
    typed = 'Judul <b>terlalu</b> panjang & "kaku"'
    refused = _send(http, change, state="request_changes", body=typed, passphrase="bukan-ini-123")
    assert refused.status_code == 400
    assert "frasa sandi salah" in refused.text
    # Still in the form, escaped as Jinja escapes it.
    assert "Judul &lt;b&gt;terlalu&lt;/b&gt; panjang &amp; &#34;kaku&#34;" in refused.text
    assert kit.change(change).reviews == []


def test_request_for_changes_needs_a_comment(signer: WebApp, kit: Kit) -> None:
    change = kit.submit("rina")
    refused = _send(sign_in(signer, "sari"), change, state="request_changes", body="  ")
    assert refused.status_code == 400
    assert "Tulis komentar" in refused.text
    assert kit.change(change).reviews == []


def test_stale_form_after_someone_else_acted_is_refused(signer: WebApp, kit: Kit) -> None:
    change = kit.submit("rina")
    http = sign_in(signer, "sari")
    page = http.get(f"/perubahan/{change}").text  # sari opens the page …
    kit.commit("rina", f"content/articles/tambahan-{kit.counter}.md",
               article(f"Tambahan {kit.counter}"))  # fmt: skip
    kit.resubmit("rina")  # … the author sends a new commit meanwhile
    seen = page.split('name="head" value="', 1)[1].split('"', 1)[0]
    form = {"csrftoken": token(page), "head": seen, "passphrase": PASSPHRASE,
            "state": "approve", "body": "Cek lagi"}  # fmt: skip
    refused = http.post(f"/perubahan/{change}/ulasan", data=form)
    assert refused.status_code == 409
    assert "berubah sejak halaman dibuka" in refused.text
    assert "Cek lagi" in refused.text
    assert kit.change(change).reviews == []


def test_review_without_csrf_token_is_refused(signer: WebApp, kit: Kit) -> None:
    change = kit.submit("rina")
    http = sign_in(signer, "sari")
    refused = http.post(f"/perubahan/{change}/ulasan",
                        data={"state": "approve", "passphrase": PASSPHRASE})  # fmt: skip
    assert refused.status_code == 403
    assert kit.change(change).reviews == []


def test_the_passphrase_is_never_stored(signer: WebApp, mutable: Story, kit: Kit) -> None:
    change = kit.submit("rina")
    assert (
        _send(sign_in(signer, "sari"), change, state="comment", body="Catatan").status_code == 303
    )
    stored = key_path(mutable.office.server, "sari").read_bytes()
    assert b"BEGIN OPENSSH PRIVATE KEY" in stored
    assert stored != mutable.office.key_path("sari").read_bytes()  # encrypted, not the plain key
    for path in mutable.office.server.rglob("*"):
        if path.is_file():
            assert PASSPHRASE.encode() not in path.read_bytes(), path


def test_the_reviewer_s_page_is_titled_by_the_change_not_its_form(signer: WebApp, kit: Kit) -> None:
    """The browser tab (and a screen reader's first words) name the change; the review form
    appears once, in the page."""
    change = kit.submit("rina")
    page = sign_in(signer, "sari").get(f"/perubahan/{change}").text
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == f"#{change} Artikel {kit.counter} — Terbit"
    assert page.count('name="csrftoken"') == page.count("<form")
    assert page.count('class="review"') == 1


def test_a_request_in_the_same_second_as_the_push_is_the_author_s_turn(
    mutable: Story, kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records carry whole seconds: a request for changes made in the second the head was
    pushed still hands the change to its author (it asked about that very head)."""
    from pipeline.clock import now
    from pipeline.web.office import Office

    monkeypatch.setenv("TERBIT_NOW", now().isoformat())  # the push and the review, one second
    change = kit.submit("rina")
    kit.review("sari", change, "request_changes", "Judul terlalu panjang.")
    office = Office(mutable.office.server, cached=False)
    assert change not in [w.change_id for w in office.waiting_for("sari")]
    assert change in [w.change_id for w in office.waiting_for("rina")]
