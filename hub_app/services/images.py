"""Uploaded images (avatars, space photos, trainer photos), checked by content and re-encoded as WebP.

The cost of an image is its pixel count, not its file size: a 128 KB PNG can declare 6300 x 6300
pixels and take 0.66 s and ~200 MB to decode. So the header is read first (Pillow opens lazily),
anything above settings.upload_max_pixels is refused before a single pixel is decoded, Pillow's
own bomb guard (Image.MAX_IMAGE_PIXELS) is set to the same limit, and JPEGs are decoded at a
reduced scale (draft) close to the size they are shrunk to anyway.
"""

import io
import warnings

from PIL import Image, UnidentifiedImageError

from hub_app.domain.errors import InvalidInput
from hub_app.settings import get_settings

FORMATS = ("PNG", "JPEG", "WEBP")


def _pixel_limit() -> int:
    limit = get_settings().upload_max_pixels
    # Pillow refuses to open anything above twice this (DecompressionBombError) and warns above it.
    Image.MAX_IMAGE_PIXELS = limit
    return limit


_pixel_limit()
# Pillow warns between the limit and twice it; reencode refuses those images itself before decoding.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def reencode(data: object, *, box: int, quality: int, max_bytes: int, field: str,
             too_large: str = "error.avatar_too_large") -> bytes:
    """A PNG, JPEG or WebP upload re-encoded as a WebP of at most box x box pixels (which also drops
    metadata such as a GPS position). Raises InvalidInput with a catalogue key: not an image of
    those formats, more than max_bytes (`too_large`), or more than upload_max_pixels pixels."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise InvalidInput("error.avatar_invalid", field=field)
    if len(data) > max_bytes:
        raise InvalidInput(too_large, field=field)
    limit = _pixel_limit()
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as probe:  # the header only
            width, height = probe.size
            if width * height > limit:
                raise InvalidInput("error.image_too_many_pixels", field=field)
            probe.verify()  # PNG: every chunk's checksum, without decompressing
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            # JPEG only: decode at 1/2, 1/4 or 1/8 scale while that still covers twice the box
            # (the margin Pillow's thumbnail keeps for a sharp result). Other formats ignore it.
            image.draft("RGB", (2 * box, 2 * box))
            image = image.convert("RGB")
            image.thumbnail((box, box))
            output = io.BytesIO()
            image.save(output, "WEBP", quality=quality)
    except Image.DecompressionBombError:
        raise InvalidInput("error.image_too_many_pixels", field=field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput("error.avatar_invalid", field=field) from None
    return output.getvalue()
