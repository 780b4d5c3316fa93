"""Files kam keeps: what their bytes really are, which names it accepts, a logo fit for the letterhead, a photo's
thumbnail. Pure (bytes in, bytes or a refusal out); the operations read the files and store what these return.

Decisions:

- A file is what its bytes say (`sniff`), never what its name says: a `.jpg` holding HTML is not a photo.
- A name is kept to show (the attachment list, `kam attach list`) but is never used as a path: it must be a plain
  file name (no folder, no `..`, no control or invisible formatting characters, at most 255 characters), so a
  name that reached a path by mistake could not leave the folder either.
- A logo is a PNG or a JPEG of at most 1 MB and of sane dimensions (16 to 5,000 px a side, 25 million pixels at
  most), decoded in full and re-encoded (metadata dropped, at most 1,200 px a side) before it is stored, so what
  the PDF embeds is an image Pillow wrote; SVG is refused (it is a program: scripts, external references).
- A thumbnail is made of a JPEG or PNG photo for the internal edition's appendix; a picture too large to decode
  safely (over `THUMBNAIL_MAX_PIXELS`) or damaged gets none and is only listed.
"""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from workflow.errors import InvalidInput
from workflow.i18n import t

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_LOGO_BYTES = 1024 * 1024
MAX_NAME_CHARS = 255
LOGO_SIDES = (16, 5000)  # pixels, each side
LOGO_MAX_PIXELS = 25_000_000
LOGO_OUT_SIDE = 1200  # the stored logo's longest side at most (a 21 mm letterhead logo at 1,450 dpi)
THUMBNAIL_BOX = (600, 450)  # pixels: 55 mm wide at ~280 dpi
THUMBNAIL_MAX_PIXELS = 100_000_000  # a JPEG decodes at 1/8 scale for its thumbnail; a PNG in full (see thumbnail())
THUMBNAIL_MAX_PNG_PIXELS = 40_000_000

PHOTO_TYPES = ("image/jpeg", "image/png")
# The extension a file of each sniffed type is written with (render-all); others keep a plain one of their name.
EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf", "image/gif": "gif", "image/webp": "webp",
}  # fmt: skip

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),  # also .docx, .xlsx
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # .doc, .xls
)


def sniff(content: bytes) -> str:
    """The media type the bytes themselves declare (magic numbers); application/octet-stream when unknown."""
    for magic, media_type in _SIGNATURES:
        if content.startswith(magic):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in content[:4096].lower()):
        return "image/svg+xml"
    return "application/octet-stream"


def check_name(name: str, file: str) -> str:
    """`name` if it is a plain file name to keep and show; refused naming `file` otherwise."""
    problem: tuple[str, str] | None = None
    if not name or not name.strip():
        problem = ("文件名为空", "the name is empty")
    elif len(name) > MAX_NAME_CHARS:
        problem = (f"文件名超过 {MAX_NAME_CHARS} 个字符", f"the name is longer than {MAX_NAME_CHARS} characters")
    elif "/" in name or "\\" in name or name in (".", "..") or name.startswith(".."):
        problem = ("文件名不能含路径（/、\\ 或 ..）", "the name must not hold a path (/, \\ or ..)")
    else:
        bad = next((c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")), None)
        if bad is not None:
            code = f"U+{ord(bad):04X}"
            problem = (f"文件名含控制或不可见字符 {code}", f"the name holds the control or invisible character {code}")
    if problem:
        shown = repr(name[:80])  # repr: a control character is shown escaped, never sent to the terminal
        raise InvalidInput(
            t(
                f"{file}：名称 {shown} 不可用，{problem[0]}；请改用普通文件名（--name NAME）",
                f"{file}: the name {shown} cannot be kept: {problem[1]}; give it a plain file name (--name NAME)",
            )
        )
    return name


def check_attachment(content: bytes, file: str) -> str:
    """The media type of an attachment's bytes; refused when empty or over the limit."""
    if not content:
        raise InvalidInput(t(f"{file} 是空文件：请附上有内容的文件", f"{file} is empty: attach a file with content"))
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            t(
                f"{file} 有 {len(content):,} 字节，超过附件上限 20 MB（{MAX_ATTACHMENT_BYTES:,} 字节）："
                "请压缩或拆分后再附",
                f"{file} is {len(content):,} bytes, over the 20 MB ({MAX_ATTACHMENT_BYTES:,} bytes) limit for an "
                "attachment: compress or split it",
            )
        )
    return sniff(content)





def _pillow() -> Any:
    from PIL import Image  # 20-30 ms: only to check a logo or make a thumbnail

    return Image


def check_logo(content: bytes, file: str) -> tuple[bytes, str]:
    """A logo as it will be stored: (re-encoded bytes, image/png | image/jpeg); refused naming `file` and the fix."""

    def refuse(zh: str, en: str) -> InvalidInput:
        return InvalidInput(t(f"{file}：{zh}", f"{file}: {en}"))

    if not content:
        raise refuse("是空文件：请给出 PNG 或 JPEG 格式的标志", "is empty: give the logo as a PNG or JPEG")
    if len(content) > MAX_LOGO_BYTES:
        raise refuse(
            f"有 {len(content):,} 字节，标志最大 1 MB（{MAX_LOGO_BYTES:,} 字节）：请缩小后再设置",
            f"is {len(content):,} bytes; a logo may be 1 MB ({MAX_LOGO_BYTES:,} bytes) at most: make it smaller",
        )
    kind = sniff(content)
    if kind == "image/svg+xml":
        raise refuse(
            "SVG 不能作为标志（可能含脚本或外部引用）：请导出为 PNG",
            "SVG is not accepted as a logo (it can hold scripts and external references): export it as PNG",
        )
    if kind not in PHOTO_TYPES:
        raise refuse(
            "不是 PNG 或 JPEG 图片：请给出 PNG 或 JPEG 格式的标志",
            "is not a PNG or JPEG image: give the logo as a PNG or JPEG",
        )
    image_module = _pillow()
    try:
        with image_module.open(io.BytesIO(content)) as image:
            width, height = image.size
            low, high = LOGO_SIDES
            if not (low <= width <= high and low <= height <= high) or width * height > LOGO_MAX_PIXELS:
                raise refuse(
                    f"图片为 {width}×{height} 像素，标志每边应在 {low}–{high} 像素之间：请调整大小后再设置",
                    f"the image is {width}×{height} px; a logo needs {low}-{high} px a side: resize it",
                )
            image.load()  # decode all of it: a truncated or corrupt file fails here, not in the PDF
            return _reencode(image_module, image, kind)
    except InvalidInput:
        raise
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError, DecompressionBombError... for a bad file
        raise refuse(
            "无法读取图片（文件损坏或格式不符）：请重新导出为 PNG 或 JPEG",
            "cannot be read as an image (damaged, or not what it claims to be): export it again as PNG or JPEG",
        ) from None


def _reencode(image_module: Any, image: Any, kind: str) -> tuple[bytes, str]:
    from PIL import ImageOps  # with Image above

    picture = ImageOps.exif_transpose(image)
    if max(picture.size) > LOGO_OUT_SIDE:
        picture.thumbnail((LOGO_OUT_SIDE, LOGO_OUT_SIDE), image_module.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "image/png":
        has_alpha = picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)
        picture.convert("RGBA" if has_alpha else "RGB").save(out, "PNG", optimize=True)
    else:
        picture.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue(), kind


def thumbnail(content: bytes, media_type: str) -> bytes | None:
    """A JPEG thumbnail of a photo (at most THUMBNAIL_BOX), or None when it is not one kam can show safely."""
    if media_type not in PHOTO_TYPES:
        return None
    image_module = _pillow()
    try:
        with image_module.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > (THUMBNAIL_MAX_PIXELS if media_type == "image/jpeg" else THUMBNAIL_MAX_PNG_PIXELS):
                return None
            if media_type == "image/jpeg":
                image.draft("RGB", THUMBNAIL_BOX)  # decode at 1/2, 1/4 or 1/8 scale: a 48 MP photo costs little
            from PIL import ImageOps  # with Image above

            picture = ImageOps.exif_transpose(image)
            picture.thumbnail(THUMBNAIL_BOX, image_module.Resampling.LANCZOS)
            if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info):
                background = image_module.new("RGB", picture.size, (255, 255, 255))
                rgba = picture.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                picture = background
            out = io.BytesIO()
            picture.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
            return out.getvalue()
    except Exception:  # a damaged photo is listed without a thumbnail, never a failed render
        return None
