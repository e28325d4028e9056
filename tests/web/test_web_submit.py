"""Submitting from the browser (SOP steps 1-2): the nota dinas form prefilled from roles.yml
with the next number of the office's numbering, photos uploaded into the same commit, the
branch, the commit and the change made exactly as `terbit new`/`terbit submit` make them
(signed with the writer's own key, pushed through the server's hooks), and the fix after a
request for changes. Every refusal keeps what was typed and leaves the forge unchanged.

These tests mutate their own office (not the shared ``story``)."""

from __future__ import annotations

import html
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image

from pipeline.change.nota_dinas import ROMAN, parse_nota_dinas, template
from pipeline.cli.demo.office import Office
from pipeline.forge.local.client import actions as client
from pipeline.forge.local.store.forge import LocalForge, main_settings
from pipeline.vcs import Repo
from pipeline.web.accounts import Users
from pipeline.web.keys import store_key
from tests.support.forge import COUNTER, Kit
from tests.support.offices import plain_office
from tests.support.web import GPS_IFD, PASSWORD, WebApp, camera_jpeg, running, sign_in, token

pytestmark = pytest.mark.xdist_group("web-submit")

PASSPHRASE = "frasa-sandi-kunci-42"
WIB = ZoneInfo("Asia/Jakarta")


@dataclass
class Desk:
    """An office of its own with the app on top and a kit for the CLI side."""

    office: Office
    web: WebApp
    kit: Kit

    def forge(self) -> LocalForge:
        repo = Repo(self.office.server)
        return LocalForge(repo, main_settings(repo))


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    office = plain_office(tmp_path_factory)
    kit = Kit(office, counter=next(COUNTER) * 100)
    # One nota dinas of the office's numbering this year already on the forge.
    kit.draft("budi")
    today = datetime.now(WIB).date()
    nota = template(
        nomor=f"ND-7/LPZI/{ROMAN[today.month - 1]}/{today.year}",
        dari="Tim",
        hal="Permohonan",
        tanggal=today,
    )
    client.submit(kit.forge("budi"), office.who("budi"), nota_text=nota)
    users = Users(office.server)
    for person in office.people:
        users.set_password(person, PASSWORD, new=True)
    for person in ("rina", "budi", "sari"):
        private = office.key_path(person).read_bytes()
        store_key(office.server, person, PASSPHRASE, private=private, replace=True)
    with running(office.server) as web:
        yield Desk(office, web, kit)


def _draft(n: int) -> dict[str, str]:
    today = datetime.now(WIB)
    return {
        "slug": f"vaksinasi-haji-{n}",
        "title": f"Vaksinasi jemaah haji {n}",
        "category": "Layanan",
        "tags": "haji, vaksin",
        "summary": "Layanan vaksinasi meningitis bagi jemaah haji dibuka setiap hari kerja.",
        "date": today.strftime("%Y-%m-%d %H:%M"),
        "body": "Layanan vaksinasi dibuka **setiap hari kerja**.\n",
        "nomor": f"ND-{n}/LPZI/{ROMAN[today.month - 1]}/{today.year}",
        "yth": "Kepala Balai Besar Kekarantinaan Kesehatan Medan",
        "dari": "Pranata Hubungan Masyarakat Ahli Pertama",
        "hal": f"Permohonan Publikasi Informasi: Vaksinasi jemaah haji {n}",
        "tanggal": today.strftime("%Y-%m-%d"),
        "sifat": "Biasa",
        "alasan_segera": "",
        "lampiran": "Draf artikel\nFoto kegiatan",
        "isi": "Dengan hormat, mohon artikel terlampir dipublikasikan.",
        "passphrase": PASSPHRASE,
    }


def _fields(page: str) -> dict[str, str]:
    """The form's fields as the browser would send them back (inputs, selects, textareas)."""
    found: dict[str, str] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        found.setdefault(name, html.unescape(value))
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.DOTALL
    ):
        found[name] = html.unescape(value)
    for name, options in re.findall(
        r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.DOTALL
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        if chosen:
            found[name] = html.unescape(chosen.group(1))
    return found


def _beside(page: str, field: str) -> str:
    found = re.search(rf'<ul class="field-problems" id="e-{field}">(.*?)</ul>', page, re.DOTALL)
    return html.unescape(found.group(1)) if found else ""


def _post(
    http: httpx.Client,
    path: str,
    data: dict[str, str],
    page: str = "/tulis",
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> httpx.Response:
    form = http.get(page)
    return http.post(path, data={**data, "csrftoken": token(form.text)}, files=files)


def _ids(desk: Desk) -> set[str]:
    return set(desk.forge().change_ids())


def _camera_jpeg() -> bytes:
    return camera_jpeg(2400, 1800, quality=90)


def test_the_nota_dinas_is_prefilled_from_roles_and_the_numbering(desk: Desk) -> None:
    page = sign_in(desk.web, "rina").get("/tulis")
    assert page.status_code == 200
    fields = _fields(page.text)
    today = datetime.now(WIB)
    # The rule (docs/web.md): ND-<next of this year>/<unit of the last nota dinas>/<month>/<year>.
    taken = []
    for change_id in desk.forge().change_ids():
        nota = parse_nota_dinas(desk.forge().get_change(change_id).nota_dinas_text)
        if nota.tanggal.year == today.year:
            taken.append(int(nota.nomor.split("/")[0].split("-")[1]))
    assert fields["nomor"] == f"ND-{max(taken) + 1}/LPZI/{ROMAN[today.month - 1]}/{today.year}"
    andi, rina = desk.office.people["andi"], desk.office.people["rina"]
    assert fields["yth"] == andi.jabatan  # the Kepala Satker of roles.yml
    assert fields["dari"] == rina.jabatan
    assert fields["tanggal"] == today.strftime("%Y-%m-%d")
    assert fields["sifat"] == "Biasa"
    assert re.findall(r'<option value="([^"]+)"', page.text.split('name="sifat"', 1)[1])[:3] == [
        "Biasa",
        "Segera",
        "Sangat Segera",
    ]
    assert 'name="alasan_segera"' in page.text and 'name="lampiran"' in page.text
    assert 'name="passphrase"' in page.text and 'formaction="/tulis/kirim"' in page.text


def test_submit_opens_a_signed_change_through_the_hooks(desk: Desk) -> None:
    n = next(COUNTER) * 10
    typed = _draft(n)
    before = _ids(desk)
    sent = _post(sign_in(desk.web, "rina"), "/tulis/kirim", typed)
    assert sent.status_code == 303, sent.text
    (change_id,) = _ids(desk) - before
    assert sent.headers["location"] == f"/perubahan/{change_id}"
    forge = desk.forge()
    change = forge.get_change(change_id)
    assert change.author_login == "rina" and change.state == "open"
    assert change.title == typed["title"]
    assert change.files == [f"content/articles/{typed['slug']}.md"]
    nota = parse_nota_dinas(change.nota_dinas_text)
    assert (nota.nomor, nota.hal, nota.sifat) == (typed["nomor"], typed["hal"], "biasa")
    assert nota.lampiran == ["Draf artikel", "Foto kegiatan"]
    assert nota.nama == desk.office.people["rina"].name
    # The opened event verifies against rina's key in roles.yml (as `terbit verify` does) …
    opened = forge.chain(change_id)[0]
    assert forge.signature(opened, forge.base_tip())[0] is True
    # … and so does the draft's commit, authored by her.
    signers = forge.verifier(forge.base_tip()).file
    assert forge.repo.commit_signer(change.head_sha, signers) == "rina"
    assert forge.opened_event(change_id).get("branch") == f"draft/{typed['slug']}"
    text = forge.repo.show_file(change.head_sha, f"content/articles/{typed['slug']}.md")
    assert text is not None and "author: rina" in text and "**setiap hari kerja**" in text
    page = sign_in(desk.web, "rina").get(sent.headers["location"])
    assert typed["nomor"] in page.text and "diajukan dengan nota dinas" in page.text
    # `terbit changes` in a reviewer's clone lists it like any submitted change.
    listed = subprocess.run(
        [sys.executable, "-m", "pipeline", "changes"], cwd=desk.office.clone_path("sari"),
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if typed["title"] in line)
    assert change_id in row


def test_a_photo_travels_in_the_same_commit_without_its_location(desk: Desk) -> None:
    n = next(COUNTER) * 10
    typed = {**_draft(n), "photo_alt": "Petugas memvaksin jemaah haji"}
    http = sign_in(desk.web, "rina")
    upload = {"photo": ("Foto Vaksin.JPG", _camera_jpeg(), "image/jpeg")}
    answer = _post(http, "/tulis/foto", typed, files=upload)
    assert answer.status_code == 200, answer.text
    fields = _fields(answer.text)
    reference = re.search(
        r"!\[Petugas memvaksin jemaah haji\]\(\{static\}/(images/[^)]+)\)", fields["body"]
    )
    assert reference, fields["body"]
    assert fields["title"] == typed["title"] and fields["nomor"] == typed["nomor"]
    assert fields["photos"]  # the uploaded photo rides along with the form
    before = _ids(desk)
    sent = http.post("/tulis/kirim", data={**fields, "passphrase": PASSPHRASE})
    assert sent.status_code == 303, sent.text
    (change_id,) = _ids(desk) - before
    forge = desk.forge()
    change = forge.get_change(change_id)
    image = f"content/{reference.group(1)}"
    assert sorted(change.files) == sorted([image, f"content/articles/{typed['slug']}.md"])
    data = forge.repo.show_bytes(change.head_sha, image)
    assert data is not None
    kept = Image.open(io.BytesIO(data))
    assert max(kept.size) <= 1600 and GPS_IFD not in kept.getexif()
    assert len(data) <= 500 * 1024


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("foto.jpg", b"<svg onload=alert(1)>", "bukan gambar yang bisa dibaca"),
        ("besar.jpg", b"\xff" * (21 * 1024 * 1024), "terlalu besar untuk diunggah"),
    ],
    ids=["bukan-gambar", "terlalu-besar"],  # a 21 MB id would not fit git's environment
)
def test_a_bad_upload_is_refused_and_the_text_survives(
    desk: Desk, name: str, data: bytes, said: str
) -> None:
    typed = {
        **_draft(next(COUNTER) * 10),
        "photo_alt": "Foto",
        "title": '<b>Vaksin</b> "haji"',
        "body": "Isi <script>x()</script> tetap.\n",
    }
    answer = _post(
        sign_in(desk.web, "rina"), "/tulis/foto", typed, files={"photo": (name, data, "image/jpeg")}
    )
    assert answer.status_code == 400
    assert said in _beside(answer.text, "photo")
    assert 'value="&lt;b&gt;Vaksin&lt;/b&gt; &#34;haji&#34;"' in answer.text
    assert "Isi &lt;script&gt;x()&lt;/script&gt; tetap." in answer.text
    assert _fields(answer.text)["nomor"] == typed["nomor"]
    assert "<script>x()" not in answer.text


def test_a_failing_draft_or_nota_dinas_keeps_the_text_and_opens_nothing(desk: Desk) -> None:
    http = sign_in(desk.web, "rina")
    before = _ids(desk)
    typed = {**_draft(next(COUNTER) * 10), "date": "kemarin sore", "hal": "Mohon <i>cepat</i>"}
    answer = _post(http, "/tulis/kirim", typed)
    assert answer.status_code == 400
    assert "TTTT-BB-HH" in _beside(answer.text, "date")
    assert _fields(answer.text)["hal"] == "Mohon <i>cepat</i>"
    assert "Mohon &lt;i&gt;cepat&lt;/i&gt;" in answer.text
    urgent = {**_draft(next(COUNTER) * 10), "sifat": "Sangat Segera", "alasan_segera": ""}
    answer = _post(http, "/tulis/kirim", urgent)
    assert answer.status_code == 400
    assert "alasan" in _beside(answer.text, "alasan_segera").lower()
    assert _fields(answer.text)["sifat"] == "Sangat Segera"
    wrong = {**_draft(next(COUNTER) * 10), "nomor": "ND-1/LPZI/I/1999"}
    answer = _post(http, "/tulis/kirim", wrong)
    assert answer.status_code == 400 and _beside(answer.text, "tanggal") + _beside(
        answer.text, "nomor"
    )
    assert _ids(desk) == before


def test_a_wrong_passphrase_opens_nothing_and_keeps_the_text(desk: Desk) -> None:
    before = _ids(desk)
    typed = {**_draft(next(COUNTER) * 10), "passphrase": "bukan-frasa-ini"}
    answer = _post(sign_in(desk.web, "rina"), "/tulis/kirim", typed)
    assert answer.status_code == 400
    assert "frasa sandi salah" in answer.text
    kept = _fields(answer.text)
    assert kept["title"] == typed["title"] and kept["isi"] == typed["isi"]
    assert kept.get("passphrase", "") == ""  # never sent back
    assert _ids(desk) == before


def test_only_a_writer_may_submit_and_forged_fields_change_nothing(desk: Desk) -> None:
    before = _ids(desk)
    http = sign_in(desk.web, "sari")
    page = http.get("/")
    refused = http.post(
        "/tulis/kirim", data={**_draft(next(COUNTER) * 10), "csrftoken": token(page.text)}
    )
    assert refused.status_code == 403
    assert _ids(desk) == before
    # Hidden fields naming someone else, or someone else's uploaded photo, count for nothing.
    budi = sign_in(desk.web, "budi")
    upload = _post(
        budi,
        "/tulis/foto",
        {**_draft(next(COUNTER) * 10), "photo_alt": "Foto"},
        files={"photo": ("a.jpg", _camera_jpeg(), "image/jpeg")},
    )
    his = _fields(upload.text)["photos"]
    forged = {**_draft(next(COUNTER) * 10), "author": "budi", "person": "budi", "photos": his}
    answer = _post(sign_in(desk.web, "rina"), "/tulis/kirim", forged)
    assert answer.status_code == 400
    assert "foto" in _beside(answer.text, "photo").lower()
    assert _ids(desk) == before
    plain = {**_draft(next(COUNTER) * 10), "author": "budi", "person": "budi"}
    sent = _post(sign_in(desk.web, "rina"), "/tulis/kirim", plain)
    assert sent.status_code == 303, sent.text
    (change_id,) = _ids(desk) - before
    assert desk.forge().get_change(change_id).author_login == "rina"


def test_submit_and_upload_need_the_csrf_token(desk: Desk) -> None:
    before = _ids(desk)
    http = sign_in(desk.web, "rina")
    assert http.post("/tulis/kirim", data=_draft(next(COUNTER) * 10)).status_code == 403
    refused = http.post(
        "/tulis/foto", data={"photo_alt": "x"}, files={"photo": ("a.jpg", b"x", "image/jpeg")}
    )
    assert refused.status_code == 403
    page = http.get("/tulis").text
    wrong = http.post("/tulis/foto", data={"csrftoken": token(page)[::-1], "photo_alt": "x"},
                      files={"photo": ("a.jpg", b"x", "image/jpeg")})  # fmt: skip
    assert wrong.status_code == 403
    # The token must come before any file (as asgi-csrf requires): a file first is refused.
    boundary = "batas-uji"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\nxxxx\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrftoken"\r\n\r\n'
        f"{token(page)}\r\n--{boundary}--\r\n"
    ).encode()
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    assert http.post("/tulis/foto", content=body, headers=headers).status_code == 403
    assert _ids(desk) == before


def _sent(desk: Desk, person: str = "rina") -> tuple[str, dict[str, str]]:
    typed = _draft(next(COUNTER) * 10)
    before = _ids(desk)
    sent = _post(sign_in(desk.web, person), "/tulis/kirim", typed)
    assert sent.status_code == 303, sent.text
    (change_id,) = _ids(desk) - before
    return change_id, typed


def test_the_author_fixes_a_requested_change_in_the_same_editor(desk: Desk) -> None:
    change_id, typed = _sent(desk)
    desk.kit.review("sari", change_id, "request_changes", "Ringkasan terlalu panjang.")
    http = sign_in(desk.web, "rina")
    assert f'href="/perubahan/{change_id}/perbaiki"' in http.get(f"/perubahan/{change_id}").text
    editor = http.get(f"/perubahan/{change_id}/perbaiki")
    assert editor.status_code == 200
    fields = _fields(editor.text)
    assert (fields["title"], fields["slug"]) == (typed["title"], typed["slug"])
    assert fields["body"] == typed["body"] and fields["summary"] == typed["summary"]
    assert typed["nomor"] in editor.text  # the nota dinas, shown as sent
    old_head = desk.forge().get_change(change_id).head_sha
    fields.update(summary="Vaksinasi meningitis setiap hari kerja.", passphrase=PASSPHRASE)
    sent = http.post(f"/perubahan/{change_id}/perbaiki", data=fields)
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/perubahan/{change_id}"
    forge = desk.forge()
    change = forge.get_change(change_id)
    assert change.head_sha != old_head and forge.repo.is_ancestor(old_head, change.head_sha)
    assert len(change.pushes) == 2
    signers = forge.verifier(forge.base_tip()).file
    assert forge.repo.commit_signer(change.head_sha, signers) == "rina"
    pushed = forge.chain(change_id)[-1]
    assert pushed.event is not None and pushed.event.type == "push"
    assert forge.signature(pushed, forge.base_tip())[0] is True
    text = forge.repo.show_file(change.head_sha, f"content/articles/{typed['slug']}.md")
    assert text is not None and "Vaksinasi meningitis setiap hari kerja." in text
    assert "mengirim commit baru" in http.get(sent.headers["location"]).text


def test_only_the_author_fixes_and_a_stale_fix_is_refused(desk: Desk) -> None:
    change_id, _typed = _sent(desk)
    desk.kit.review("sari", change_id, "request_changes", "Perbaiki judul.")
    budi = sign_in(desk.web, "budi")
    assert budi.get(f"/perubahan/{change_id}/perbaiki").status_code == 403
    http = sign_in(desk.web, "rina")
    editor = http.get(f"/perubahan/{change_id}/perbaiki")
    fields = {**_fields(editor.text), "title": "Judul baru <b>tebal</b>", "passphrase": PASSPHRASE}
    forged = {**fields, "csrftoken": token(budi.get("/").text)}
    assert budi.post(f"/perubahan/{change_id}/perbaiki", data=forged).status_code == 403
    desk.kit.review("sari", change_id, "comment", "Satu lagi: periksa tanggal.")  # meanwhile
    stale = http.post(f"/perubahan/{change_id}/perbaiki", data=fields)
    assert stale.status_code == 409
    assert "berubah sejak" in stale.text
    assert 'value="Judul baru &lt;b&gt;tebal&lt;/b&gt;"' in stale.text
    assert len(desk.forge().get_change(change_id).pushes) == 1


@pytest.mark.browser
def test_a_writer_submits_with_a_photo_in_chromium(desk: Desk) -> None:
    """The whole form in a real browser: the subject follows the title, the photo goes up with
    the typed text (multipart, CSRF token first), the submit lands on the new change."""
    from axe_playwright_python.sync_playwright import Axe

    from pipeline.evidence.browser import chromium

    n = next(COUNTER) * 10
    typed = _draft(n)
    before = _ids(desk)
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(desk.web.url + "/masuk")
        page.fill("#person", "rina")
        page.fill("#password", PASSWORD)
        page.click("form.login button[type=submit]")
        page.wait_for_url(desk.web.url + "/")
        page.goto(desk.web.url + "/tulis")
        for name in ("slug", "title", "summary", "date", "body"):
            page.fill(f"#{name}", typed[name])
        assert page.input_value("#hal") == f"Permohonan Publikasi Informasi: {typed['title']}"
        page.set_input_files(
            "#photo", {"name": "kegiatan.jpg", "mimeType": "image/jpeg", "buffer": _camera_jpeg()}
        )
        page.fill("#photo_alt", "Petugas di bandara")
        page.click("#upload")
        page.wait_for_selector(".photo-list")
        # The preview shows the uploaded photo itself (served to its writer only).
        # (Polled from outside the page: a predicate evaluated in it would need 'unsafe-eval'.)
        # The preview is a frame wearing the site theme's article markup (no script in it).
        picture = page.frame_locator("#preview-frame").locator("img")
        picture.wait_for()
        for _ in range(100):  # a bound of 10 s, not a timing assertion
            if picture.evaluate("img => img.naturalWidth") > 0:
                break
            page.wait_for_timeout(100)
        assert picture.evaluate("img => img.naturalWidth") > 0
        assert "![Petugas di bandara]({static}/images/kegiatan-" in page.input_value("#body")
        assert page.input_value("#title") == typed["title"]
        page.fill("#passphrase", PASSPHRASE)
        page.click("button[formaction='/tulis/kirim']")
        page.wait_for_url(re.compile(r".*/perubahan/[0-9]+$"))
        assert "diajukan dengan nota dinas" in page.content()
        # The editor of the fix, after the uploaded state, meets WCAG 2.1 A/AA like every page.
        page.click("a[href$='/perbaiki']")
        page.wait_for_selector("pre.nota")
        wcag = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
        results = Axe().run(page, options=wcag)
        assert results.violations_count == 0, results.generate_report()
        context.close()
    assert problems == [], problems
    (change_id,) = _ids(desk) - before
    files = desk.forge().get_change(change_id).files
    assert any(f.startswith("content/images/kegiatan-") for f in files), files


def test_an_uploaded_photo_is_shown_to_its_writer_only(desk: Desk) -> None:
    budi = sign_in(desk.web, "budi")
    typed = {**_draft(next(COUNTER) * 10), "photo_alt": "Foto"}
    upload = _post(budi, "/tulis/foto", typed, files={"photo": ("a.jpg", _camera_jpeg(), "x/y")})
    name = _fields(upload.text)["photos"].rsplit("/", 1)[1]
    shown = budi.get(f"/tulis/gambar/{name}")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(shown.content)).format == "JPEG"
    assert sign_in(desk.web, "rina").get(f"/tulis/gambar/{name}").status_code == 404
    assert budi.get("/tulis/gambar/..%2F..%2Fusers.json").status_code == 404
