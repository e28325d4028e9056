"""The sanitiser removes everything executable and names what it removed."""

from __future__ import annotations

import pytest

from pipeline.draft.sanitize import SanitizeResult, sanitize, sanitize_located
from pipeline.i18n import set_lang

HOSTS = ["www.youtube-nocookie.com"]


def clean(html: str) -> SanitizeResult:
    return sanitize(html, iframe_hosts=HOSTS)


@pytest.mark.parametrize(
    ("html", "removed", "gone"),
    [
        ("<p>a</p><script>alert(1)</script>", "elemen <script>", "alert"),
        ('<img src="a.png" alt="a" onerror="alert(1)">', "atribut onerror", "onerror"),
        ('<p onclick="x()">a</p>', "atribut onclick", "onclick"),
        ('<a href="javascript:alert(1)">a</a>', "tautan javascript:", "javascript"),
        ('<a href=" JaVa&#x09;script:alert(1)">a</a>', "tautan javascript:", "script:"),
        ('<a href="vbscript:msgbox(1)">a</a>', "tautan vbscript:", "vbscript"),
        ('<a href="data:text/html,<script>x</script>">a</a>', "tautan data:", "data:"),
        ('<img alt="x" src="data:image/svg+xml;base64,PHN2Zz4=">', "tautan data:", "svg"),
        ('<iframe src="https://evil.example/x"></iframe>', "iframe dari evil.example", "evil"),
        ("<svg><script>alert(1)</script></svg>", "elemen <svg>", "alert"),
        ('<object data="x.swf"></object>', "elemen <object>", "x.swf"),
        ('<embed src="x.swf">', "elemen <embed>", "x.swf"),
        ('<form action="https://x.example"><input name="nik"></form>', "elemen <form>", "input"),
        ('<meta http-equiv="refresh" content="0;url=https://x">', "elemen <meta>", "refresh"),
        ("<style>body{display:none}</style>", "elemen <style>", "display"),
    ],
)
def test_hostile_html_is_removed_and_named(html: str, removed: str, gone: str) -> None:
    result = clean(html)
    assert removed in result.removed
    assert gone not in result.html


def test_article_html_passes_untouched() -> None:
    html = (
        '<figure><img src="../images/a.png" alt="Petugas" width="640" height="480" '
        'loading="lazy"><figcaption>Foto</figcaption></figure>'
        "<h2>Judul</h2><ul><li>satu</li></ul><blockquote>kutip</blockquote>"
        '<table><thead><tr><th scope="col">A</th></tr></thead></table>'
        '<p><abbr title="Balai Besar">BBKK</abbr> <code>x</code></p><pre>y</pre>'
        '<p><a href="https://kemkes.go.id/" title="Kemenkes">tautan</a></p>'
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="piksel">'
    )
    result = clean(html)
    assert result.removed == []
    for kept in ("<figcaption>", 'alt="Petugas"', 'loading="lazy"', "<abbr", 'scope="col"'):
        assert kept in result.html
    assert 'href="https://kemkes.go.id/"' in result.html
    assert "data:image/png" in result.html


def test_allowed_iframe_is_kept_and_sandboxed() -> None:
    html = '<iframe src="https://www.youtube-nocookie.com/embed/abc" sandbox=""></iframe>'
    result = clean(html)
    assert result.removed == []
    assert 'src="https://www.youtube-nocookie.com/embed/abc"' in result.html
    assert 'sandbox="allow-scripts' in result.html


def test_iframe_over_plain_http_is_refused() -> None:
    result = clean('<iframe src="http://www.youtube-nocookie.com/embed/abc"></iframe>')
    assert "youtube" not in result.html
    assert result.removed == ["iframe tanpa https (www.youtube-nocookie.com)"]


def test_removals_carry_lines_and_speak_english() -> None:
    html = "<div>\n<p>ok</p>\n<span onmouseover='x'>a</span>\n<script>x</script></div>"
    _, removals = sanitize_located(html, iframe_hosts=HOSTS)
    assert [(r.line, r.description) for r in removals] == [
        (3, "atribut onmouseover"),
        (4, "elemen <script>"),
    ]
    set_lang("en")
    try:
        assert clean('<a href="javascript:x">a</a>').removed == ["javascript: link"]
    finally:
        set_lang("id")


def test_garbage_never_raises() -> None:
    for html in ["<", "<<a href='>", '<a b="\x00">', "</p></p><p", "\udcff" * 3, "<!--", "&#0;"]:
        assert isinstance(clean(html).html, str)


def test_style_keeps_alignment_only() -> None:
    html = '<p style="text-align: center; position: fixed; color: red">a</p>'
    result = clean(html)
    assert result.removed == ["gaya CSS position, color"]
    assert 'style="text-align:center"' in result.html


def test_markdown_output_survives_unchanged() -> None:
    """Pelican's Markdown extensions (tables, footnotes, code highlighting) lose nothing."""
    import markdown

    source = (
        "## Jadwal {#jadwal}\n\n| Hari | Jam |\n|:-----|----:|\n| Senin | 08.00 |\n\n"
        "Catatan[^1] dan *miring*, `kode`, [tautan](https://kemkes.go.id/).\n\n"
        "```python\nprint('halo')\n```\n\n"
        "![Foto]({static}/images/a.png)\n\n[^1]: Sumber resmi.\n\n"
        "Singkatan BBKK.\n\n*[BBKK]: Balai Besar Kekarantinaan Kesehatan\n"
    )
    md = markdown.Markdown(
        extensions=["markdown.extensions.codehilite", "markdown.extensions.extra"],
        extension_configs={"markdown.extensions.codehilite": {"css_class": "highlight"}},
    )
    html = md.convert(source)
    result = clean(html)
    assert result.removed == []
    for kept in ('id="jadwal"', "text-align:right", 'class="highlight"', 'href="#fn:1"', "<abbr"):
        assert kept in result.html
    assert 'src="{static}/images/a.png"' in result.html
