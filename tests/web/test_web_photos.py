"""Photo uploads of the draft editor, with real images made by Pillow: checked by content,
refused with a clear message when not a usable photo, made to fit the site with no EXIF."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from pipeline.errors import InputError
from pipeline.i18n import set_lang
from pipeline.web.photos import MAX_EDGE, prepare
from tests.support.web import GPS_IFD, camera_jpeg

ALLOWED = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})


@pytest.fixture(autouse=True)
def indonesian() -> None:
    set_lang("id")


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_camera_photo_is_resized_compressed_and_loses_its_location() -> None:
    original = camera_jpeg()
    assert len(original) > 500 * 1024
    photo = prepare(
        original, "Foto Vaksinasi (1).JPG", "Petugas memvaksin jemaah", allowed=ALLOWED, max_kb=500
    )
    assert photo.name == "foto-vaksinasi-1.jpg"
    assert len(photo.data) <= 500 * 1024
    saved = Image.open(io.BytesIO(photo.data))
    assert saved.format == "JPEG"
    assert max(saved.size) == MAX_EDGE
    assert not saved.getexif()  # no camera, no GPS
    assert GPS_IFD not in saved.getexif()


def test_a_text_file_named_like_a_photo_is_refused() -> None:
    with pytest.raises(InputError, match=r"foto\.jpg: bukan gambar yang bisa dibaca"):
        prepare(b"<svg onload=alert(1)>", "foto.jpg", "Foto", allowed=ALLOWED, max_kb=500)


def test_an_image_type_the_site_does_not_use_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "BMP")
    with pytest.raises(InputError, match="gambar BMP tidak dipakai situs"):
        prepare(out.getvalue(), "foto.png", "Foto", allowed=ALLOWED, max_kb=500)


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(InputError, match="8000×8000 piksel terlalu besar"):
        prepare(_bomb_png(8000, 8000), "bom.png", "Foto", allowed=ALLOWED, max_kb=500)
    with pytest.raises(InputError, match=r"bom\.png: gambar terlalu banyak piksel"):
        prepare(_bomb_png(30000, 30000), "bom.png", "Foto", allowed=ALLOWED, max_kb=500)


def test_an_oversized_upload_is_refused() -> None:
    with pytest.raises(InputError, match="terlalu besar untuk diunggah"):
        prepare(b"\xff" * (21 * 1024 * 1024), "besar.jpg", "Foto", allowed=ALLOWED, max_kb=500)


def test_the_alternative_text_is_required_in_the_users_language() -> None:
    with pytest.raises(InputError, match="teks alternatif foto wajib diisi"):
        prepare(camera_jpeg(40, 30), "foto.jpg", "   ", allowed=ALLOWED, max_kb=500)
    set_lang("en")
    with pytest.raises(InputError, match="alternative text is required"):
        prepare(camera_jpeg(40, 30), "foto.jpg", "", allowed=ALLOWED, max_kb=500)


def test_a_transparent_png_stays_a_png_and_a_gif_becomes_one() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (200, 100), (10, 20, 30, 0)).save(out, "PNG")
    photo = prepare(out.getvalue(), "logo.png", "Logo kantor", allowed=ALLOWED, max_kb=500)
    assert photo.name == "logo.png" and Image.open(io.BytesIO(photo.data)).mode == "RGBA"
    gif = io.BytesIO()
    Image.new("P", (20, 20)).save(gif, "GIF")
    assert (
        prepare(gif.getvalue(), "anim.gif", "Gambar", allowed=ALLOWED, max_kb=500).name
        == "anim.png"
    )
