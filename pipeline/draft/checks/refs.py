"""Where a draft points: images and internal links must exist and stay in the repository."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pipeline.draft.checks.base import Context, Draft, Finding, inside, real_path
from pipeline.draft.sanitize import scheme_of
from pipeline.i18n import Catalog

RefKind = Literal["image", "link"]

# The schemes the sanitiser keeps (pipeline.draft.sanitize.URL_SCHEMES, data: aside).
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
RASTER = ("data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;")
PLACEHOLDER = re.compile(r"^\{(filename|static|attach)\}(.*)$", re.S)
OTHER_PLACEHOLDER = re.compile(r"^\{(tag|category|author|index)\}")
# Site-absolute URLs Pelican and the theme generate without a file in content/. Page-like URLs
# ("/kategori/berita/", "/artikel/slug/") are matched by their last segment instead.
GENERATED_DIRS = {"theme", "feeds", "tag", "category", "author", "drafts"}
GENERATED_FILES = {"sitemap.xml", "robots.txt", "favicon.ico", "search-index.json"}

MSG = Catalog(
    {
        "unsafe": (
            "tautan {scheme}: tidak diizinkan (dapat menjalankan skrip); hapus tautan ini",
            "{scheme}: links are not allowed (they can run script); remove this link",
        ),
        "unsupported": (
            "tautan {scheme}: tidak didukung dan akan dibuang saat situs dibangun",
            "{scheme}: links are not supported and will be removed when the site is built",
        ),
        "absolute": (
            "jalur absolut '{url}' tidak diizinkan; tulis relatif terhadap folder content/",
            "absolute path '{url}' is not allowed; write it relative to the content/ folder",
        ),
        "outside_repo": (
            "jalur '{url}' keluar dari repositori",
            "path '{url}' leaves the repository",
        ),
        "outside_content": (
            "jalur '{url}' keluar dari folder content/; berkas di luar content/ tidak diterbitkan",
            "path '{url}' leaves the content/ folder; files outside content/ are not published",
        ),
        "symlink_out": (
            "'{url}' adalah tautan simbolik ke luar repositori",
            "'{url}' is a symbolic link that leads outside the repository",
        ),
        "image_missing": ("gambar tidak ditemukan: {url}", "image not found: {url}"),
        "link_broken": (
            "tautan internal rusak: {url} tidak ada",
            "broken internal link: {url} does not exist",
        ),
        "image_too_big": (
            "gambar {url} berukuran {size} KB, maksimum {limit} KB; perkecil atau kompres",
            "image {url} is {size} KB, at most {limit} KB; resize or compress it",
        ),
        "foreign_host": (
            "gambar dari situs lain ({host}) tidak diizinkan: setiap pengunjung akan terhubung "
            "ke situs itu; simpan gambarnya di content/images/",
            "images from another site ({host}) are not allowed: every visitor would connect to "
            "that site; keep the image under content/images/",
        ),
        "no_alt": (
            "gambar {url} tanpa teks alternatif (alt); jelaskan isi gambar untuk pembaca layar",
            "image {url} has no alternative text (alt); describe it for screen readers",
        ),
    }
)


@dataclass(frozen=True)
class Ref:
    line: int
    url: str
    kind: RefKind
    alt: str | None = None  # None: not applicable (links)
    from_meta: bool = False  # front matter ``images``: relative to content/


def _shown(url: str, limit: int = 120) -> str:
    """A URL short enough for one report line."""
    return url if len(url) <= limit else url[: limit - 1] + "…"


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def known_pages(slugs: set[str], terms: set[str]) -> frozenset[str]:
    base = {"index", "archives", "categories", "tags", "authors", "search", "404"}
    base |= {"artikel", "arsip", "cari", "kategori", "topik", "penulis"}  # this site's URLs
    return frozenset(base | slugs | {_slugify(t) for t in terms})


def _site_absolute(ctx: Context, draft: Draft, ref: Ref, path: str) -> Finding | None:
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] in GENERATED_DIRS or parts[-1] in GENERATED_FILES:
        return None
    last = parts[-1]
    stem, dot, suffix = last.rpartition(".")
    if path.endswith("/") or not dot or suffix.lower() in ("html", "htm"):
        if (stem if dot else last) in ctx.known_pages:
            return None
        return draft.find(ref.line, "link_broken", MSG("link_broken", url=_shown(ref.url)))
    return _local(ctx, draft, ref, ctx.content, "/".join(parts))


def _local(ctx: Context, draft: Draft, ref: Ref, base: Path, rest: str) -> Finding | None:
    target = Path(os.path.normpath(base / rest))
    url = _shown(ref.url)
    if not inside(target, ctx.root):
        return draft.find(ref.line, "path_outside_repo", MSG("outside_repo", url=url))
    if not inside(target, ctx.content):
        return draft.find(ref.line, "path_outside_content", MSG("outside_content", url=url))
    if ctx.listing is not None:
        return _listed(ctx, draft, ref, target.relative_to(ctx.root).as_posix())
    if not os.path.lexists(target):
        key = "image_missing" if ref.kind == "image" else "link_broken"
        return draft.find(ref.line, key, MSG(key, url=url))
    real = real_path(target)
    if real is not None and not inside(real, ctx.root):
        return draft.find(ref.line, "symlink_outside", MSG("symlink_out", url=url))
    if real is None or not real.exists():
        key = "image_missing" if ref.kind == "image" else "link_broken"
        return draft.find(ref.line, key, MSG(key, url=url))
    if ref.kind == "image" and real.is_file():
        return _image_size(ctx, draft, ref, real.stat().st_size)
    return None


def _listed(ctx: Context, draft: Draft, ref: Ref, rel: str) -> Finding | None:
    """``_local``'s verdict from the landed tree's listing (no links in it to follow)."""
    assert ctx.listing is not None
    size = ctx.listing.files.get(rel)
    if size is None and rel not in ctx.listing.folders:
        key = "image_missing" if ref.kind == "image" else "link_broken"
        return draft.find(ref.line, key, MSG(key, url=_shown(ref.url)))
    return _image_size(ctx, draft, ref, size) if ref.kind == "image" and size is not None else None


def _image_size(ctx: Context, draft: Draft, ref: Ref, size: int) -> Finding | None:
    limit = ctx.settings.image_max_kb
    if size <= limit * 1024:
        return None
    message = MSG("image_too_big", url=_shown(ref.url), size=(size + 1023) // 1024, limit=limit)
    return draft.find(ref.line, "image_too_big", message)


def check_ref(ctx: Context, draft: Draft, ref: Ref) -> list[Finding]:
    url = ref.url.strip()
    findings: list[Finding] = []
    if ref.kind == "image" and ref.alt is not None and not ref.alt.strip():
        findings.append(draft.find(ref.line, "image_no_alt", MSG("no_alt", url=_shown(url) or "?")))
    scheme = scheme_of(url)
    if scheme == "data" and ref.kind == "image" and url.lower().startswith(RASTER):
        return findings
    if ref.kind == "image" and (scheme in ("http", "https") or url.startswith("//")):
        # The site makes no request to another host (it leaks visitors' addresses), except to
        # the configured iframe hosts.
        try:
            host = (urlsplit(url).hostname or "?").lower()
        except ValueError:  # "https://[broken" names no host anyone could allow
            host = "?"

        if host not in {h.lower() for h in ctx.settings.iframe_hosts}:
            findings.append(
                draft.find(ref.line, "foreign_host", MSG("foreign_host", host=_shown(host, 60)))
            )
        return findings
    if scheme in SAFE_SCHEMES or url.startswith("//") or not url or url.startswith("#"):
        return findings
    if scheme in ("javascript", "vbscript", "data"):
        findings.append(draft.find(ref.line, "unsafe_link", MSG("unsafe", scheme=scheme)))
        return findings
    if scheme and len(scheme) > 1:  # one letter is a Windows drive (C:\…), handled below
        message = MSG("unsupported", scheme=scheme[:20])
        findings.append(draft.find(ref.line, "unsupported_link", message))
        return findings
    if OTHER_PLACEHOLDER.match(url):
        return findings
    path = unquote(re.split(r"[?#]", url, maxsplit=1)[0]).replace("\\", "/")
    if not path:
        return findings
    found: Finding | None
    if match := PLACEHOLDER.match(path):
        rest = match.group(2)
        base = ctx.content if rest.startswith("/") else draft.path.parent
        found = _local(ctx, draft, ref, base, rest.lstrip("/"))
    elif scheme or (ref.from_meta and path.startswith("/")) or path.startswith("//"):
        found = draft.find(ref.line, "path_absolute", MSG("absolute", url=_shown(url)))
    elif path.startswith("/"):
        found = _site_absolute(ctx, draft, ref, path)
    else:
        base = ctx.content if ref.from_meta else draft.path.parent
        found = _local(ctx, draft, ref, base, path)
    if found:
        findings.append(found)
    return findings
