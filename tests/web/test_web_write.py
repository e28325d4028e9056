"""Writing a draft in the browser (SOP step 1): the form generated from the content schema, the
draft checks' messages beside the field or body line they concern with the typed text kept,
and the live preview rendered by the site's own Markdown and sanitiser."""

from __future__ import annotations

import html
import re
import subprocess

import httpx
import pytest

from tests.support.web import Story, WebApp, sign_in, token

pytestmark = pytest.mark.xdist_group("web-write")

CATEGORIES = ["Berita", "Layanan", "Kesiapsiagaan", "Informasi Publik", "Pengumuman"]
GOOD = {
    "slug": "vaksinasi-jemaah-haji",
    "title": "Vaksinasi jemaah haji",
    "category": "Layanan",
    "tags": "haji, vaksin",
    "summary": "Layanan vaksinasi meningitis bagi jemaah haji dibuka setiap hari kerja.",
    "date": "2026-05-20 08:30",
    "body": "Layanan vaksinasi dibuka **setiap hari kerja**.\n",
}


def _post(http: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    form = http.get("/tulis")
    return http.post(path, data={**data, "csrftoken": token(form.text)})


def _beside(page: str, field: str) -> str:
    """The messages shown beside one field of the form."""
    found = re.search(rf'<ul class="field-problems" id="e-{field}">(.*?)</ul>', page, re.DOTALL)
    return html.unescape(found.group(1)) if found else ""


def test_the_form_is_made_from_the_content_schema(web: WebApp, story: Story) -> None:
    page = sign_in(web, "rina").get("/tulis")
    assert page.status_code == 200
    category = page.text.split('name="category"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="([^"]+)"', category) == CATEGORIES
    for name in ("slug", "title", "tags", "summary", "date", "featured", "body"):
        assert f'name="{name}"' in page.text
    assert '<a href="/tulis"' in page.text  # in the writer's menu


def test_only_the_writers_role_may_write(web: WebApp, story: Story) -> None:
    http = sign_in(web, "sari")
    assert http.get("/tulis").status_code == 403
    assert '<a href="/tulis"' not in http.get("/").text
    page = http.get("/")
    refused = http.post("/tulis/pratinjau", data={"body": "x", "csrftoken": token(page.text)})
    assert refused.status_code == 403
    assert "Staf Tim Kerja" in refused.text


def test_check_messages_sit_beside_their_field_and_line_and_nothing_is_lost(
    web: WebApp, story: Story
) -> None:
    typed = {
        **GOOD,
        "title": '<b>Vaksin</b> "haji"',
        "date": "kemarin sore",
        "category": "Gosip",
        "body": "Baris satu.\n\nBaris tiga <script>alert(1)</script>.\n",
    }
    answer = _post(sign_in(web, "rina"), "/tulis", typed)
    assert answer.status_code == 400
    page = answer.text
    assert "TTTT-BB-HH" in _beside(page, "date")
    assert "Gosip" in _beside(page, "category")
    assert "baris 3" in _beside(page, "body") and "script" in _beside(page, "body")
    assert _beside(page, "title") == ""
    # Everything typed comes back, escaped.
    assert 'value="&lt;b&gt;Vaksin&lt;/b&gt; &#34;haji&#34;"' in page
    assert "Baris tiga &lt;script&gt;alert(1)&lt;/script&gt;." in page
    assert 'value="kemarin sore"' in page
    assert "<b>Vaksin" not in page and "<script>alert" not in page


def test_a_good_draft_passes_and_a_taken_slug_is_refused(web: WebApp, story: Story) -> None:
    http = sign_in(web, "rina")
    good = _post(http, "/tulis", GOOD)
    assert good.status_code == 200, good.text
    assert "Draf lolos pemeriksaan." in good.text
    listed = subprocess.run(
        ["git", "ls-tree", "--name-only", "main", "content/articles/"],
        cwd=story.office.server, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    existing = next(p for p in listed if p.endswith(".md")).removeprefix("content/articles/")
    taken = _post(http, "/tulis", {**GOOD, "slug": existing.removesuffix(".md")})
    assert taken.status_code == 400
    assert "sudah ada di main" in _beside(taken.text, "slug")
    bad = _post(http, "/tulis", {**GOOD, "slug": "Vaksin Haji!"})
    assert "huruf kecil" in _beside(bad.text, "slug")


def test_messages_in_english(web: WebApp, story: Story) -> None:
    http = sign_in(web, "rina")
    home = http.get("/")
    http.post("/bahasa", data={"lang": "en", "next": "/", "csrftoken": token(home.text)})
    page = _post(http, "/tulis", {**GOOD, "date": "yesterday"}).text
    assert "YYYY-MM-DD" in _beside(page, "date")


def test_preview_uses_the_sites_markdown_and_sanitiser(web: WebApp, story: Story) -> None:
    body = (
        "## Jadwal\n\n**Senin** sampai Jumat.\n\n"
        "| Hari | Jam |\n|---|---|\n| Senin | 08.00 |\n\n"
        '<script>alert(1)</script>\n\n<a href="javascript:alert(2)" onclick="x()">tautan</a>\n'
    )
    answer = _post(sign_in(web, "rina"), "/tulis/pratinjau", {"body": body})
    assert answer.status_code == 200
    assert "<strong>Senin</strong>" in answer.text
    assert "<h2" in answer.text and "<table>" in answer.text  # Markdown "extra" tables
    assert 'class="table-scroll"' in answer.text or "tabindex" in answer.text
    assert "<script" not in answer.text and "javascript:" not in answer.text
    assert "onclick" not in answer.text


def test_preview_needs_the_csrf_token_and_a_session(web: WebApp, story: Story) -> None:
    http = sign_in(web, "rina")
    assert http.post("/tulis/pratinjau", data={"body": "x"}).status_code == 403
    anonymous = httpx.Client(base_url=web.url, timeout=60)
    assert anonymous.get("/tulis", follow_redirects=False).status_code == 303
