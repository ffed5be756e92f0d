"""Photo processing: resize, re-encode as JPEG without any metadata, read the capture time.

A photo of a locked house with its GPS position tells a thief where an empty house stands, so
the stored file never carries EXIF: Pillow re-encodes only the pixels. The position is kept in
database fields only when the keyholder asks for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from dataclasses import dataclass

from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from keyholder.core.errors import Code, ServiceError

MAX_SIDE = 1600
JPEG_QUALITY = 82
# Larger uploads are refused before Pillow decodes them (a decompression bomb guard too).
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
DATETIME = 0x0132
# A phone photo has 12 to 50 million pixels; a file declaring more is refused from its header,
# before its pixels are decoded (a 481 KB PNG of 13000 x 13000 would take 1.5 GB to decode).
MAX_PIXELS = 60_000_000
# Pillow's own guard warns above this and refuses above twice this; the warning is made an
# error below.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class ProcessedPhoto:
    content: bytes
    width: int
    height: int
    taken_at: dt.datetime | None
    source_sha256: str


def _capture_time(image: Image.Image) -> dt.datetime | None:
    exif = image.getexif()
    sub = exif.get_ifd(EXIF_IFD)
    raw = sub.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not raw:
        return None
    try:
        naive = dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = sub.get(OFFSET_TIME_ORIGINAL)
    if offset:
        try:
            return dt.datetime.strptime(
                f"{naive:%Y-%m-%d %H:%M:%S}{str(offset).strip()}", "%Y-%m-%d %H:%M:%S%z"
            )
        except ValueError:
            pass
    # Cameras write local time without a zone: the phone was in the village's time zone.
    return timezone.make_aware(naive)


def process_photo(data: bytes) -> ProcessedPhoto:
    if not data:
        raise ServiceError(Code.KEEPING_PHOTO_UNREADABLE, field="image")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ServiceError(Code.KEEPING_PHOTO_TOO_LARGE, field="image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ServiceError(
            Code.KEEPING_PHOTO_TOO_MANY_PIXELS, field="image", max=MAX_PIXELS // 1_000_000
        ) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise ServiceError(Code.KEEPING_PHOTO_UNREADABLE, field="image") from exc
    if source.width * source.height > MAX_PIXELS:
        source.close()
        raise ServiceError(
            Code.KEEPING_PHOTO_TOO_MANY_PIXELS, field="image", max=MAX_PIXELS // 1_000_000
        )
    try:
        with source:
            source.load()
            taken_at = _capture_time(source)
            # Turn the pixels upright first: the orientation tag goes with the rest of EXIF.
            image = ImageOps.exif_transpose(source)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ServiceError(Code.KEEPING_PHOTO_UNREADABLE, field="image") from exc
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif=, no icc_profile=, no comment: the new file holds pixels only.
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return ProcessedPhoto(
        content=out.getvalue(),
        width=image.width,
        height=image.height,
        taken_at=taken_at,
        source_sha256=hashlib.sha256(data).hexdigest(),
    )


MESSAGE_SIDE = 640


def small_jpeg(data: bytes, side: int = MESSAGE_SIDE) -> bytes:
    """A stored photo made small enough to travel in a message (a slow phone abroad)."""
    with Image.open(io.BytesIO(data)) as source:
        image = source.convert("RGB") if source.mode not in ("RGB", "L") else source.copy()
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75, optimize=True)
    return out.getvalue()
