"""Data dukung on the change page: listed for the reviewers, downloaded as attachments with the
type their bytes are, attached by the submitter only (CSRF, signed with her own key), and a
hostile file or name gets a clear message, never a page that runs it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pipeline.forge.local.client import actions as client
from pipeline.web.keys import store_key
from tests.support.forge import COUNTER, Kit
from tests.support.web import PDF, Story, WebApp, running, sign_in, token
from tests.web.test_web_browser import _check, browser

__all__ = ["browser"]  # real Chromium for the accessibility check (its module's fixture)

pytestmark = pytest.mark.xdist_group("web-data_dukung")

PASSPHRASE = "frasa-sandi-data-dukung-7"


@pytest.fixture(scope="module")
def signer(mutable: Story) -> Iterator[WebApp]:
    """The app at the real time, with the author's and a reviewer's keys kept encrypted."""
    server = mutable.office.server
    for person in ("rina", "sari"):
        private = mutable.office.key_path(person).read_bytes()
        store_key(server, person, PASSPHRASE, private=private, replace=True)
    with running(server) as app:
        yield app


@pytest.fixture
def kit(mutable: Story) -> Kit:
    return Kit(mutable.office, counter=next(COUNTER) * 100)


def _attach(
    http: httpx.Client, change: str, name: str, data: bytes, *, csrf: str | None = "page"
) -> httpx.Response:
    page = http.get(f"/perubahan/{change}").text
    fields = {"passphrase": PASSPHRASE}
    if csrf is not None:
        fields["csrftoken"] = token(page) if csrf == "page" else csrf
    return http.post(f"/perubahan/{change}/data-dukung", data=fields, files={"file": (name, data)})


def test_the_author_attaches_and_the_reviewer_downloads(signer: WebApp, kit: Kit) -> None:
    change = kit.submit("rina")
    rina = sign_in(signer, "rina")
    assert 'action="/perubahan/' + change + '/data-dukung"' in rina.get(f"/perubahan/{change}").text
    done = _attach(rina, change, "nota dinas ttd.pdf", PDF)
    assert done.status_code == 303, done.text
    [doc] = kit.change(change).data_dukung
    assert (doc.name, doc.by, doc.signature_ok) == ("nota dinas ttd.pdf", "rina", True)
    assert "Data dukung dilampirkan" in rina.get(done.headers["location"]).text
    sari = sign_in(signer, "sari")
    page = sari.get(f"/perubahan/{change}").text
    assert "nota dinas ttd.pdf" in page and "melampirkan data dukung" in page
    assert '/data-dukung"' not in page  # no attach form for a reviewer
    got = sari.get(f"/perubahan/{change}/data-dukung/nota%20dinas%20ttd.pdf")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert sari.get(f"/perubahan/{change}/data-dukung/lain.pdf").status_code == 404


def test_hostile_files_and_names_are_refused_and_escaped(signer: WebApp, kit: Kit) -> None:
    change = kit.submit("rina")
    rina = sign_in(signer, "rina")
    html = b"<!doctype html><script>alert(1)</script>"
    refused = _attach(rina, change, '<img src=x onerror=alert("n")>.pdf', html)
    assert refused.status_code == 400
    assert "bukan jenis yang diterima" in refused.text
    # The name is reduced to plain characters before anything shows it (and Jinja escapes).
    assert "<img src=x" not in refused.text and "img src-x onerror-alert" in refused.text
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert _attach(rina, change, "gambar.png", svg).status_code == 400
    assert kit.change(change).data_dukung == []


def test_only_the_submitter_with_a_csrf_token_attaches(signer: WebApp, kit: Kit) -> None:
    change = kit.submit("rina")
    sari = sign_in(signer, "sari")
    refused = _attach(sari, change, "kak.pdf", PDF)
    assert refused.status_code == 403 and "hanya pengaju" in refused.text
    rina = sign_in(signer, "rina")
    for csrf in (None, "palsu"):  # no token, a wrong one: refused before anything is read
        refused = _attach(rina, change, "kak.pdf", PDF, csrf=csrf)
        assert refused.status_code == 403 and "Traceback" not in refused.text
    anonymous = httpx.Client(base_url=signer.url, timeout=60)
    assert anonymous.get(f"/perubahan/{change}/data-dukung/kak.pdf").status_code in (303, 403)
    assert kit.change(change).data_dukung == []


@pytest.mark.browser
def test_the_list_and_the_form_pass_axe(browser, signer: WebApp, kit: Kit) -> None:  # type: ignore[no-untyped-def]
    change = kit.submit("rina")
    client.attach(kit.forge("rina"), kit.office.who("rina"), change, [("kak kegiatan.pdf", PDF)])
    _check(browser, signer, "rina", f"/perubahan/{change}")  # her own: the list and the form
