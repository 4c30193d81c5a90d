"""Uploaded avatars: accepted only as a plain still image, decoded and re-encoded by Pillow.

What a browser sends is untrusted bytes with an untrusted name. We read the header before
decoding anything (format, size, frame count), refuse what is not a PNG, JPEG, WebP or GIF
still image of sane dimensions, refuse files that carry anything past the image's end or
markup inside it (polyglots), refuse a name whose extension claims another format, and then
decode and draw a fresh square WebP from the pixels alone: no metadata (EXIF, GPS, ICC,
comments) survives. The stored file's name is its content hash, so it can be cached forever.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from PIL import Image, ImageOps, UnidentifiedImageError

from dailypapers.errors import InvalidInput

MAX_BYTES = 4 * 1024 * 1024
MAX_PIXELS = 36_000_000  # 6000 × 6000: a phone photo fits, a decompression bomb does not
SIDE = 256
FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp", "GIF": "gif"}
EXTENSIONS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jfif": "JPEG",
    ".webp": "WEBP",
    ".gif": "GIF",
}
# Markup a browser or an interpreter would run if the bytes were ever served as text.
_MARKUP = re.compile(rb"<\s*(script|html|svg|iframe|body|\?php|!doctype)|javascript:", re.I)


class AvatarRejected(InvalidInput):
    """An upload that is not an image we keep; the message says why."""


@dataclass(frozen=True)
class Avatar:
    data: bytes  # WebP
    name: str  # content hash + ".webp"


def accept_avatar(data: bytes, filename: str | None) -> Avatar:
    """The re-encoded avatar, or AvatarRejected with a message for the person uploading."""
    if not data:
        raise AvatarRejected("The file is empty.")
    if len(data) > MAX_BYTES:
        raise AvatarRejected(f"Avatars can be at most {MAX_BYTES // (1024 * 1024)} MB.")
    image = _open(data)
    if _MARKUP.search(data):
        raise AvatarRejected("The file carries markup or script: upload a plain image.")
    _check_name(filename, image.format or "")
    _check_shape(image)
    if _trailing(data, image.format or ""):
        raise AvatarRejected(
            "The file has more after the image (a polyglot): upload a plain image."
        )
    webp = _redraw(image)
    return Avatar(webp, hashlib.sha256(webp).hexdigest()[:20] + ".webp")


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AvatarRejected(
            "The image has far too many pixels (a decompression bomb?): at most 36 megapixels."
        ) from None
    except UnidentifiedImageError:
        raise AvatarRejected(
            "That is not an image we accept: upload a PNG, JPEG, WebP or GIF (SVG is refused)."
        ) from None
    except (OSError, SyntaxError, ValueError, struct.error):
        raise AvatarRejected("The image could not be read: it may be damaged.") from None


def _check_name(filename: str | None, found: str) -> None:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix and EXTENSIONS.get(suffix) != found:
        raise AvatarRejected(
            f"The file is named {suffix} but holds a {found or 'something else'}: "
            "rename it or export it again."
        )


def _check_shape(image: Image.Image) -> None:
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise AvatarRejected(f"The image is {width} × {height}: at most 36 megapixels, please.")
    if getattr(image, "n_frames", 1) > 1 or getattr(image, "is_animated", False):
        raise AvatarRejected("Animated images are not accepted: upload a still image.")


def _trailing(data: bytes, kind: str) -> bool:
    """Whether bytes follow the end of the image (a zip, a script, a second file)."""
    tail = data.rstrip(b"\x00")  # some encoders pad
    if kind == "PNG":
        end = data.rfind(b"IEND")
        return end < 0 or len(tail) > end + 8
    if kind == "JPEG":
        return not tail.endswith(b"\xff\xd9")
    if kind == "GIF":
        return not tail.endswith(b"\x3b")
    if kind == "WEBP":
        size = int(struct.unpack("<I", data[4:8])[0]) + 8
        return len(data) > size + (size & 1)
    return True


def _redraw(image: Image.Image) -> bytes:
    """Decode, turn upright, crop to a centred square, shrink, and draw a fresh WebP."""
    try:
        image.draft("RGB", (SIDE * 2, SIDE * 2))  # JPEG: decode at a fraction of the size
        image = ImageOps.exif_transpose(image) or image
        mode = "RGBA" if image.mode in {"RGBA", "LA", "P", "PA"} else "RGB"
        square = ImageOps.fit(image.convert(mode), (SIDE, SIDE), Image.Resampling.LANCZOS)
    except (OSError, SyntaxError, ValueError, struct.error, Image.DecompressionBombError):
        raise AvatarRejected("The image could not be read: it may be damaged.") from None
    clean = Image.new(mode, square.size)  # pixels only: nothing of the original's metadata
    clean.paste(square)
    out = io.BytesIO()
    clean.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()
