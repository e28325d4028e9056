"""The web application's security points, each against the real app on uvicorn: CSRF on every
POST, authorisation from roles.yml, login lockout with an audit trail, cookie flags, security
headers, escaping of what users typed, sessions that end, and bounded request bodies."""

from __future__ import annotations

import json

import pytest

from pipeline.web.accounts import Users
from tests.support.web import (
    HOSTILE_COMMENT,
    HOSTILE_TITLE,
    PASSWORD,
    Story,
    WebApp,
    client,
    running,
    sign_in,
    token,
)

pytestmark = pytest.mark.xdist_group("web-security")


def _audit(web: WebApp) -> list[dict]:
    path = web.server / "terbit" / "web" / "audit.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_post_without_csrf_token_is_refused_and_changes_nothing(web: WebApp) -> None:
    http = sign_in(web, "sari")
    refused = http.post("/keluar", data={})
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    assert http.get("/").status_code == 200  # still signed in: the sign-out did not happen
    forged = http.post("/keluar", data={"csrftoken": "palsu"})
    assert forged.status_code == 403
    assert http.get("/").status_code == 200


def test_sign_in_form_without_csrf_token_is_refused(web: WebApp) -> None:
    http = client(web)
    refused = http.post("/masuk", data={"person": "sari", "password": PASSWORD})
    assert refused.status_code == 403
    assert "terbit_session" not in refused.cookies


def test_page_for_another_role_is_refused_on_the_server(web: WebApp) -> None:
    before = len(_audit(web))
    staff = sign_in(web, "rina")
    refused = staff.get("/audit")
    assert refused.status_code == 403
    assert "Admin Website" in refused.text
    assert 'href="/audit"' not in staff.get("/").text  # not offered either
    assert [e["event"] for e in _audit(web)[before:]] == ["login"]  # nothing else happened
    admin = sign_in(web, "dewi")
    assert admin.get("/audit").status_code == 200


def test_every_page_needs_a_signed_in_person(web: WebApp, story: Story) -> None:
    http = client(web)
    for path in ("/", "/perubahan", f"/perubahan/{story.plain}", "/catatan", "/laporan",
                 "/audit", "/catatan/1-abc/lembar-penyelesaian.pdf"):  # fmt: skip
        answer = http.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/masuk"


def test_wrong_passwords_lock_the_account_and_are_audited(web: WebApp) -> None:
    http = client(web)
    form_token = token(http.get("/masuk").text)
    before = len(_audit(web))
    for _ in range(5):
        wrong = http.post("/masuk", data={"person": "budi", "password": "salah-salah-salah",
                                          "csrftoken": form_token})  # fmt: skip
        assert wrong.status_code == 401
        assert "ID atau kata sandi salah" in wrong.text
    locked = http.post(
        "/masuk", data={"person": "budi", "password": PASSWORD, "csrftoken": form_token}
    )
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan gagal" in locked.text
    assert "terbit_session" not in locked.cookies
    events = [(e["event"], e["person"]) for e in _audit(web)[before:]]
    assert events.count(("login_failed", "budi")) == 5
    assert ("account_locked", "budi") in events
    assert ("login_locked", "budi") in events
    sign_in(web, "andi")  # another account is not locked


def test_session_cookie_is_httponly_samesite_and_secure_off_loopback(story: Story) -> None:
    for secure in (False, True):
        with running(story.office.server, secure_cookies=secure) as app:
            http = client(app)
            form = http.get("/masuk")
            csrf = next(c for c in form.headers.get_list("set-cookie") if c.startswith("csrf"))
            assert "SameSite=Strict" in csrf
            assert ("Secure" in csrf.split("; ")) is secure
            # Sent by hand: httpx (rightly) keeps a Secure cookie off plain http.
            done = http.post(
                "/masuk",
                data={"person": "sari", "password": PASSWORD, "csrftoken": token(form.text)},
                headers={"cookie": csrf.split(";")[0]},
            )
            assert done.status_code == 303
            cookies = done.headers.get_list("set-cookie")
            session = next(c for c in cookies if c.startswith("terbit_session="))
            assert "httponly" in session.lower()
            assert "samesite=strict" in session.lower()
            assert ("secure" in session.lower().split("; ")) is secure


def test_security_headers_on_pages_and_errors(web: WebApp) -> None:
    http = sign_in(web, "sari")
    answers = [http.get("/"), http.get("/tidak-ada"), http.post("/keluar", data={}),
               client(web).get("/masuk")]  # fmt: skip
    for answer in answers:
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"


def test_hostile_title_and_comment_reach_every_page_escaped(web: WebApp, story: Story) -> None:
    http = sign_in(web, "sari")
    for path in ("/", "/perubahan", f"/perubahan/{story.hostile}"):
        page = http.get(path).text
        assert "<script>alert" not in page, path
        assert "&lt;script&gt;alert(&#34;judul&#34;)&lt;/script&gt; Vaksin" in page, path
    change = http.get(f"/perubahan/{story.hostile}").text
    assert "<img src=x" not in change
    assert "&lt;img src=x onerror=alert(&#34;komentar&#34;)&gt; Mohon cek" in change
    assert HOSTILE_TITLE not in change and HOSTILE_COMMENT not in change


def test_session_ends_when_the_password_is_reset(mutable: Story) -> None:
    with running(mutable.office.server) as web:
        http = sign_in(web, "andi")
        assert http.get("/").status_code == 200
        Users(web.server).set_password("andi", PASSWORD, new=False)
        assert http.get("/").status_code == 303
        sign_in(web, "andi")


def test_language_switch_never_redirects_elsewhere(web: WebApp) -> None:
    http = client(web)
    form_token = token(http.get("/masuk").text)
    answer = http.post("/bahasa", data={"lang": "en", "next": "//jahat.example/x",
                                        "csrftoken": form_token})  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    assert "Sign in" in http.get("/masuk").text


def test_oversized_request_body_is_refused_before_it_is_read(web: WebApp) -> None:
    http = sign_in(web, "sari")
    answer = http.post("/keluar", content=b"x" * 2_000_000,
                       headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 413
    assert http.get("/").status_code == 200
