"""The screenshots as the record's PDF shows them: small previews, not second copies.

The evidence is the screenshot file in the record folder (lossless, hashed in ``record.yml``,
checked byte for byte by ``terbit verify``); the PDF names each file with its SHA-256 and shows
a preview at ``DPI`` of its printed width. WeasyPrint would otherwise embed every
screenshot again as uncompressed-then-deflated RGB, more than twice the files' own size.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from PIL import Image

# Printed widths in the PDF (render.CSS lays the two views side by side at these widths).
WIDTH_MM = {"desktop": 120, "mobile": 40}
# 100 dpi keeps headings and body text readable on screen and the layout clear on paper,
# at about a sixth of the bytes of the full screenshot; JPEG is the one compressed raster
# format a PDF embeds as it is (WeasyPrint passes its bytes through unchanged).
DPI = 100
QUALITY = 60


def preview_image(path: Path, view: str) -> tuple[bytes, str]:
    """The screenshot at ``path`` scaled down (never up) to ``DPI`` at its printed width:
    ``(data, mime type)``, JPEG or, when smaller (flat pages of text), PNG."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    width = round(WIDTH_MM.get(view, WIDTH_MM["desktop"]) / 25.4 * DPI)
    if width < rgb.width:
        height = max(1, round(rgb.height * width / rgb.width))
        rgb = rgb.resize((width, height), Image.Resampling.LANCZOS)
    jpeg, png = io.BytesIO(), io.BytesIO()
    rgb.save(jpeg, "JPEG", quality=QUALITY, optimize=True)
    # WeasyPrint stores any other image as RGB deflated as a PNG would be: this is its size.
    rgb.save(png, "PNG")
    if png.tell() < jpeg.tell():
        return png.getvalue(), "image/png"
    return jpeg.getvalue(), "image/jpeg"


def preview_uri(path: Path, view: str) -> str:
    """``preview_image`` as a data URI for the PDF's HTML."""
    data, mime = preview_image(path, view)
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
