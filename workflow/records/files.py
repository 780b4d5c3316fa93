"""Files kam writes (PDFs, exports, attachments, zips) whole or not at all, and files it reads, bounded.

One writer: every file a command produces goes through `write_atomic` (bytes) or
`writing` (a stream, for a zip), which write beside the target and rename into place.
One reader for a user's file: `read_limited`, which refuses a missing file, a folder
and anything over its limit before reading it, naming the file and what to do.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from workflow.errors import InvalidInput
from workflow.i18n import t


@contextlib.contextmanager
def writing(path: str | Path) -> Iterator[BinaryIO]:
    """A file to write `path` through: it appears whole when the block ends, and not at all if the block fails."""
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as out:
            yield out
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InvalidInput(t(f"无法写入 {path}：{exc.strerror}", f"cannot write {path}: {exc.strerror}")) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, content: bytes) -> Path:
    """Write `content` beside `path` and rename it into place, so a reader never sees half a file."""
    with writing(path) as out:
        out.write(content)
    return Path(path)


def read_limited(path: str | Path, limit: int, what: tuple[str, str]) -> bytes:
    """The bytes of a user's file, at most `limit`; `what` = (中文, English) of what it is ("标志", "logo")."""
    source = Path(path)
    zh, en = what
    try:
        info = source.stat()
    except FileNotFoundError:
        raise InvalidInput(t(f"找不到文件 {path}：请检查路径", f"no file at {path}: check the path")) from None
    except OSError as exc:
        raise InvalidInput(t(f"无法读取 {path}：{exc.strerror}", f"cannot read {path}: {exc.strerror}")) from None
    if source.is_dir():
        raise InvalidInput(t(f"{path} 是文件夹：请给出{zh}文件本身", f"{path} is a folder: give the {en} file itself"))
    if info.st_size > limit:
        raise InvalidInput(
            t(
                f"{path} 有 {info.st_size:,} 字节，超过{zh}上限 {limit / 1024 / 1024:g} MB（{limit:,} 字节）："
                "请压缩后再试",
                f"{path} is {info.st_size:,} bytes, over the {limit / 1024 / 1024:g} MB ({limit:,} bytes) limit for "
                f"the {en}: make it smaller",
            )
        )
    try:
        with open(source, "rb") as handle:
            content = handle.read(limit + 1)  # a file that grew since stat() is still bounded
    except OSError as exc:
        raise InvalidInput(t(f"无法读取 {path}：{exc.strerror}", f"cannot read {path}: {exc.strerror}")) from None
    if len(content) > limit:
        raise InvalidInput(
            t(f"{path} 超过{zh}上限 {limit / 1024 / 1024:g} MB", f"{path} is over the {limit / 1024 / 1024:g} MB limit")
        )
    return content
