"""Photos uploaded in the draft editor: checked by their content, made to fit the site.

Pillow reads the image (the file name and the browser's type are never trusted); only the
raster types of the content model pass; the pixel count is checked from the header before any
pixel is decoded (a small file can claim billions: a decompression bomb); the picture is then
re-encoded at most ``MAX_EDGE`` pixels wide or high, compressed under the site's
``image_max_kb``, and written without any metadata (EXIF with its GPS position is dropped).
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.errors import InputError
from pipeline.i18n import Catalog

MAX_UPLOAD = 20 * 1024 * 1024  # bytes as uploaded: a phone photo is 3-8 MB
MAX_PIXELS = 50_000_000  # 50 megapixels: above every phone camera, far below a bomb
MAX_EDGE = 1600  # pixels; the theme shows articles at most ~800 px wide (×2 for sharp screens)
MAX_ALT = 300
# Pillow's format -> the suffix the file is saved with (GIFs become PNGs: one still frame).
SAVED_AS = {"JPEG": ("JPEG", ".jpg"), "PNG": ("PNG", ".png"), "GIF": ("PNG", ".png"),
            "WEBP": ("WEBP", ".webp")}  # fmt: skip

MSG = Catalog(
    {
        "too_big": (
            "{name}: berkas {size} MB terlalu besar untuk diunggah (maksimum {limit} MB)",
            "{name}: the {size} MB file is too large to upload (at most {limit} MB)",
        ),
        "not_image": (
            "{name}: bukan gambar yang bisa dibaca (unggah foto JPEG, PNG, GIF atau WebP)",
            "{name}: not a readable image (upload a JPEG, PNG, GIF or WebP photo)",
        ),
        "wrong_type": (
            "{name}: gambar {kind} tidak dipakai situs; unggah JPEG, PNG, GIF atau WebP",
            "{name}: {kind} images are not used on the site; upload JPEG, PNG, GIF or WebP",
        ),
        "pixels": (
            "{name}: gambar {width}×{height} piksel terlalu besar (maksimum {limit} juta piksel)",
            "{name}: the {width}×{height} pixel image is too large (at most {limit} megapixels)",
        ),
        "bomb": (
            "{name}: gambar terlalu banyak piksel (maksimum {limit} juta piksel)",
            "{name}: the image has too many pixels (at most {limit} megapixels)",
        ),
        "alt": (
            "teks alternatif foto wajib diisi (apa yang terlihat di foto, untuk pembaca layar)",
            "the photo's alternative text is required (what the photo shows, for screen readers)",
        ),
        "alt_long": (
            "teks alternatif terlalu panjang (maksimum {limit} karakter)",
            "the alternative text is too long (at most {limit} characters)",
        ),
        "cannot_fit": (
            "{name}: foto tidak bisa dikecilkan di bawah {limit} KB",
            "{name}: the photo cannot be compressed under {limit} KB",
        ),
    }
)


@dataclass(frozen=True)
class Photo:
    """A photo ready for the draft's branch: its file name, bytes and alternative text."""

    name: str
    data: bytes
    alt: str
    width: int
    height: int


def safe_stem(name: str) -> str:
    """A file name stem of lower-case ASCII letters, digits and '-' from what was uploaded."""
    stem = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")[:60].strip("-")
    return cleaned or "foto"


def _encode(picture: Image.Image, fmt: str, quality: int) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        picture.convert("RGB").save(out, "JPEG", quality=quality, optimize=True)
    elif fmt == "WEBP":
        picture.save(out, "WEBP", quality=quality)
    else:
        picture.save(out, "PNG", optimize=True)
    return out.getvalue()


def prepare(data: bytes, name: str, alt: str, *, allowed: frozenset[str], max_kb: int) -> Photo:
    """The uploaded ``data`` as the site will keep it, or an ``InputError`` saying why not."""
    shown = name[-80:] or "foto"
    alt = " ".join(alt.split())
    if not alt:
        raise InputError(MSG("alt"))
    if len(alt) > MAX_ALT:
        raise InputError(MSG("alt_long", limit=MAX_ALT))
    if len(data) > MAX_UPLOAD:
        raise InputError(MSG("too_big", name=shown, size=round(len(data) / 2**20, 1),
                             limit=MAX_UPLOAD // 2**20))  # fmt: skip
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))  # reads the header only
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise InputError(MSG("pixels", name=shown, width=width, height=height,
                                     limit=MAX_PIXELS // 1_000_000))  # fmt: skip
            kind = picture.format or "?"
            if kind not in SAVED_AS or SAVED_AS[kind][1] not in allowed:
                raise InputError(MSG("wrong_type", name=shown, kind=kind))
            picture.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        # Pillow's own bound (far above ours) refused the header before we saw the size.
        raise InputError(MSG("bomb", name=shown, limit=MAX_PIXELS // 1_000_000)) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise InputError(MSG("not_image", name=shown)) from None
    fmt, suffix = SAVED_AS[kind]
    # The camera's orientation is applied to the pixels, as the EXIF that held it is dropped.
    fitted: Image.Image = ImageOps.exif_transpose(picture)
    if fitted.mode not in ("RGB", "RGBA", "L", "LA"):
        fitted = fitted.convert("RGBA" if "transparency" in fitted.info else "RGB")
    fitted.thumbnail((MAX_EDGE, MAX_EDGE))
    for _ in range(12):
        for quality in (85, 75, 65, 55) if fmt != "PNG" else (0,):
            encoded = _encode(fitted, fmt, quality)
            if len(encoded) <= max_kb * 1024:
                return Photo(safe_stem(name) + suffix, encoded, alt, *fitted.size)
        # Still too big at the lowest quality: fewer pixels.
        fitted = fitted.resize((max(1, fitted.width * 4 // 5), max(1, fitted.height * 4 // 5)))
    raise InputError(MSG("cannot_fit", name=shown, limit=max_kb))
