"""Service logos: only cleaned bytes are ever stored, under a name made from their content.

An upload is sniffed by its content, not its name. An SVG is rebuilt from an allow-list
(providers/logo_svg.py); a PNG, WebP or JPEG is decoded by Pillow within bounds, scaled down and
re-encoded as a PNG without its metadata (EXIF, ICC, text chunks).

Cleaning happens twice on purpose. The form field cleans when the form is validated, so an
editor gets a clear error and the admin stores the result; the storage cleans again whatever
reaches it, so a shell, a script or a future form cannot store a file that skipped the form.
A pending revision saves its form inside a transaction that is rolled back, but files are written
all the same: that is why the cleaning cannot wait for publication.
"""

from __future__ import annotations

import hashlib
import posixpath
import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from .logo_svg import SvgRefused, sanitise_svg

MAX_SVG_BYTES = 256 * 1024
MAX_RASTER_BYTES = 2 * 1024 * 1024
# Checked on the header, before any pixel is decoded: a small file can claim a huge canvas.
MAX_SOURCE_SIDE = 4096
# Pages show logos at 48 to 96 CSS pixels; 256 covers that on dense screens.
MAX_SIDE = 256
RASTER_FORMATS = ("PNG", "WEBP", "JPEG")
ACCEPT = "image/svg+xml,image/png,image/webp,image/jpeg"

MESSAGES = {
    "too_large": _("This file is larger than the %(limit)s KB a logo of its type may have."),
    "not_image": _("This file is not an SVG, PNG, WebP or JPEG image."),
    "malformed": _("This SVG could not be read: it is not well-formed XML."),
    "entities": _(
        "This SVG declares entities or refers to external files, which a logo may not do."
    ),
    "too_complex": _(
        "This SVG is too complex to be shown safely: too many elements, too deeply nested, "
        "or copies (<use>) of copies."
    ),
    "empty": _(
        "Nothing of this SVG is left to show once scripts, links and other active content "
        "are removed."
    ),
    "too_many_pixels": _("This image is larger than %(side)s × %(side)s pixels."),
    "unreadable": _(
        "This image could not be read: the file is damaged or is not a PNG, WebP or JPEG image."
    ),
}


def refusal(code: str, **params: Any) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


@dataclass(frozen=True)
class CleanLogo:
    content: bytes
    extension: str  # "svg" or "png"

    @property
    def filename(self) -> str:
        """Named by content: the uploader's file name is never used, and the same logo uploaded
        twice is one file (so a revision re-uploading it changes nothing)."""
        return f"{hashlib.sha256(self.content).hexdigest()[:32]}.{self.extension}"


def clean_logo(data: bytes) -> CleanLogo:
    """The cleaned logo, or a ValidationError saying (in the editor's language) why not."""
    if _is_raster(data):
        if len(data) > MAX_RASTER_BYTES:
            raise refusal("too_large", limit=MAX_RASTER_BYTES // 1024)
        return CleanLogo(_reencode(data), "png")
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise refusal("not_image")
    if len(data) > MAX_SVG_BYTES:
        raise refusal("too_large", limit=MAX_SVG_BYTES // 1024)
    try:
        return CleanLogo(sanitise_svg(data), "svg")
    except SvgRefused as exc:
        raise refusal("not_image" if exc.code == "not_svg" else exc.code) from exc


def clean_file(file: IO[bytes]) -> CleanLogo:
    """Read at most one byte more than any logo may have, so a huge upload is never in memory."""
    if getattr(file, "size", 0) > MAX_RASTER_BYTES:
        raise refusal("too_large", limit=MAX_RASTER_BYTES // 1024)
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_RASTER_BYTES + 1)
    if len(data) > MAX_RASTER_BYTES:
        raise refusal("too_large", limit=MAX_RASTER_BYTES // 1024)
    return clean_logo(data)


# --- Raster images --------------------------------------------------------------------------


def _is_raster(data: bytes) -> bool:
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return is_webp or data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))


def _reencode(data: bytes) -> bytes:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its two bomb thresholds; a warning is a refusal here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=RASTER_FORMATS) as probe:
                if max(probe.size) > MAX_SOURCE_SIDE:
                    raise refusal("too_many_pixels", side=MAX_SOURCE_SIDE)
                probe.verify()  # checksums and structure; the image must be opened again after
            with Image.open(BytesIO(data), formats=RASTER_FORMATS) as image:
                image.load()  # an animation's first frame
                return _as_png(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise refusal("too_many_pixels", side=MAX_SOURCE_SIDE) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise refusal("unreadable") from exc


def _as_png(image: Image.Image) -> bytes:
    image = ImageOps.exif_transpose(image)  # a photo's orientation, before its EXIF is dropped
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the bare pixels: no EXIF, ICC profile, text chunk or anything else of
    # the upload's `info` can follow it into the file.
    pixels = Image.frombytes(image.mode, image.size, image.tobytes())
    out = BytesIO()
    pixels.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- Storage and fields ---------------------------------------------------------------------


class LogoStorage(FileSystemStorage):
    """MEDIA_ROOT storage that cleans what it is given and names it by its content."""

    def _save(self, name: str, content: Any) -> str:
        clean = clean_file(content)
        target = posixpath.join(posixpath.dirname(name), clean.filename)
        if self.exists(target):
            return target  # the same bytes are there already
        return super()._save(target, ContentFile(clean.content))


def logo_storage() -> LogoStorage:
    return _STORAGE


_STORAGE = LogoStorage()


class LogoFormField(forms.FileField):
    """Cleans a new upload during validation: the errors are the editor's, the bytes the page's."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "accept": ACCEPT}

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if not isinstance(value, UploadedFile):
            return value  # no new file: the current one, or False to clear it
        clean = clean_file(value)
        return ContentFile(clean.content, name=clean.filename)


class LogoField(models.FileField):
    """A FileField whose forms clean the upload (stored through LogoStorage)."""

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": LogoFormField, **kwargs})
