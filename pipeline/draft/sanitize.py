"""Sanitise raw HTML from drafts with nh3 (ammonia) and say what was taken out.

nh3 does the sanitising. To tell the author *what* was removed, the input and the output are
both read with the standard library's HTML parser and compared: a tag or attribute present
before and missing after was removed, and its line in the input is known.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "tag": ("elemen <{tag}>", "element <{tag}>"),
        "attr": ("atribut {attr}", "attribute {attr}"),
        "scheme": ("tautan {scheme}:", "{scheme}: link"),
        "iframe_host": ("iframe dari {host}", "iframe from {host}"),
        "iframe_http": ("iframe tanpa https ({host})", "iframe without https ({host})"),
        "iframe_src": ("iframe tanpa alamat https", "iframe without an https address"),
        "style": ("gaya CSS {props}", "CSS style {props}"),
    }
)

# Article HTML: nh3's well-reviewed default tag set plus what articles and Markdown output use.
TAGS: frozenset[str] = frozenset(nh3.ALLOWED_TAGS) | {"iframe", "tfoot", "section", "picture"}
TAGS = TAGS - {"map", "area"}

ATTRIBUTES: dict[str, set[str]] = {
    # id/class keep Markdown's heading anchors, footnotes and code highlighting working;
    # style carries the table extension's column alignment (other properties are filtered).
    "*": {"class", "id", "title", "lang", "dir", "style"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "iframe": {"src", "width", "height", "allow", "allowfullscreen", "loading", "referrerpolicy"},
    "ol": {"start", "reversed", "type"},
    "th": {"scope", "colspan", "rowspan", "headers", "align"},
    "td": {"colspan", "rowspan", "headers", "align"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "data": {"value"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "bdo": {"dir"},
}

STYLE_PROPERTIES = {"text-align"}
URL_SCHEMES = {"http", "https", "mailto", "tel", "data"}
URL_ATTRS = {"href", "src", "cite", "action", "formaction", "poster", "data", "background"}
# A third-party player needs scripts inside its own (cross-origin) frame, never on our page.
IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"
# Attributes nh3 sets itself; their input values are replaced, not "removed".
FORCED = {("iframe", "sandbox"), ("a", "rel")}
RASTER_DATA = ("data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;")


@dataclass(frozen=True)
class SanitizeResult:
    html: str
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Removal:
    """One thing the sanitiser removed; ``line`` is 1-based within the HTML given."""

    line: int
    description: str


@dataclass
class _Element:
    tag: str
    attrs: list[tuple[str, str]]
    line: int


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[_Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pairs = [(name.lower(), value or "") for name, value in attrs]
        self.elements.append(_Element(tag.lower(), pairs, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _elements(html: str) -> list[_Element]:
    parser = _Collector()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # the stdlib parser is lenient; never let reporting break sanitising
        pass
    return parser.elements


def elements(html: str) -> list[tuple[str, dict[str, str], int]]:
    """Start tags in ``html`` as ``(tag, attributes, line)``; for checks on raw HTML."""
    return [(e.tag, dict(e.attrs), e.line) for e in _elements(html)]


def scheme_of(url: str) -> str:
    """The URL scheme as a browser reads it ("java\tscript:" is javascript), or ""."""
    return _scheme(url)


def _scheme(url: str) -> str:
    # Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
    compact = "".join(ch for ch in url if ch > " ").lower()
    head, sep, _ = compact.partition(":")
    if sep and head.isascii() and head.replace("+", "").replace("-", "").isalnum():
        return head
    return ""


def _host(url: str) -> str:
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def _iframe_ok(url: str, hosts: Sequence[str]) -> bool:
    return _scheme(url) == "https" and _host(url) in {h.lower() for h in hosts}


def _filter(hosts: Sequence[str]) -> Callable[[str, str, str], str | None]:
    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "iframe" and attr == "src":
            return value if _iframe_ok(value, hosts) else None
        if attr in URL_ATTRS and _scheme(value) == "data":
            raster = tag == "img" and attr == "src" and value.lower().startswith(RASTER_DATA)
            return value if raster else None
        return value

    return keep


def _describe(element: _Element, attr: str, value: str) -> str:
    if element.tag == "iframe" and attr == "src":
        scheme = _scheme(value)
        host = _host(value)
        if scheme == "https" and host:
            return MSG("iframe_host", host=host[:80])
        if scheme in ("http", "") and host:
            return MSG("iframe_http", host=host[:80])
        if scheme and scheme not in ("http", "https"):
            return MSG("scheme", scheme=scheme[:20])
        return MSG("iframe_src")
    if attr in URL_ATTRS:
        scheme = _scheme(value)
        if scheme and scheme not in ("http", "https", "mailto", "tel"):
            return MSG("scheme", scheme=scheme[:20])
    return MSG("attr", attr=attr[:40])


def _clean(html: str, iframe_hosts: Sequence[str]) -> str:
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=_filter(iframe_hosts),
        strip_comments=True,
        link_rel="noopener noreferrer",
        url_schemes=set(URL_SCHEMES),
        set_tag_attribute_values={"iframe": {"sandbox": IFRAME_SANDBOX}},
        filter_style_properties=set(STYLE_PROPERTIES),
    )


def _style_removed(value: str) -> list[str]:
    names = (decl.partition(":")[0].strip().lower() for decl in value.split(";"))
    return list(dict.fromkeys(n for n in names if n and n not in STYLE_PROPERTIES))


def sanitize_located(html: str, *, iframe_hosts: Sequence[str]) -> tuple[str, list[Removal]]:
    """Sanitised HTML and every removal with its line in ``html``."""
    # Lone surrogates (from undecodable bytes) cannot cross into nh3; "?" keeps the lines.
    html = html.encode("utf-8", "replace").decode("utf-8")
    clean = _clean(html, iframe_hosts)
    after = _elements(clean)
    tags_left = Counter(e.tag for e in after)
    attrs_left = Counter((e.tag, name) for e in after for name, _ in e.attrs)
    urls_left = Counter(
        (e.tag, name, value) for e in after for name, value in e.attrs if name in URL_ATTRS
    )
    removals: list[Removal] = []
    for element in _elements(html):
        if tags_left[element.tag] <= 0:
            removals.append(Removal(element.line, MSG("tag", tag=element.tag[:40])))
            continue
        tags_left[element.tag] -= 1
        for name, value in element.attrs:
            if (element.tag, name) in FORCED:
                continue
            if name == "style" and attrs_left[(element.tag, name)] > 0:
                attrs_left[(element.tag, name)] -= 1
                if props := _style_removed(value):
                    removals.append(
                        Removal(
                            element.line, MSG("style", props=", ".join(p[:30] for p in props[:5]))
                        )
                    )
                continue
            if name in URL_ATTRS:
                key3 = (element.tag, name, value)
                if urls_left[key3] > 0:
                    urls_left[key3] -= 1
                    attrs_left[(element.tag, name)] -= 1
                    continue
            elif attrs_left[(element.tag, name)] > 0:
                attrs_left[(element.tag, name)] -= 1
                continue
            removals.append(Removal(element.line, _describe(element, name, value)))
    return clean, removals


def sanitize(html: str, *, iframe_hosts: Sequence[str]) -> SanitizeResult:
    """Sanitise ``html``; ``removed`` lists each kind of removal once, in order of appearance."""
    clean, removals = sanitize_located(html, iframe_hosts=iframe_hosts)
    removed = list(dict.fromkeys(r.description for r in removals))
    return SanitizeResult(html=clean, removed=removed)
