"""Files kam writes (PDFs, exports, attachments, zips) whole or not at all, and files it reads, bounded.

One writer: every file a command produces goes through `write_atomic` (bytes) or
`writing` (a stream, for a zip), which write beside the target and rename into place.
One reader for a user's file: `read_limited`, which refuses a missing file, a folder
and anything over its limit before reading it, naming the file and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.values.writing import path_text, shown

# O_NOFOLLOW: a planted symlink at the temporary name is never followed (issue 12).
_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _cannot_write(path: str | Path, exc: OSError) -> InvalidInput:
    named = path_text(path)  # as a message names it
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InvalidInput(
            t(
                f"无法写入 {named}：磁盘已满（{exc.strerror}）；请腾出空间或换一个位置后重试，未写入任何内容",
                f"cannot write {named}: the disk is full ({exc.strerror}); free some space or choose another place "
                "and retry (nothing was written)",
            )
        )
    return InvalidInput(t(f"无法写入 {named}：{exc.strerror}", f"cannot write {named}: {exc.strerror}"))


def partial_name(path: str | Path) -> Path:
    """The temporary file a write of `path` goes through: beside it, visible, `NAME.part`."""
    target = Path(path)
    return target.with_name(target.name + ".part")


def create_partial(path: str | Path) -> tuple[int, Path]:
    """Create `path`'s `.part` file exclusively (O_CREAT|O_EXCL|O_NOFOLLOW): (an open descriptor, its path).

    Whatever stands at that name (a partial file a killed kam left, or a planted symlink) is
    removed first, without following it, so the bytes only ever go into a new file of our own.
    Missing folders of `path` are created; a file where a folder should be is refused.
    """
    named = path_text(path)  # as a message names it
    target = Path(path)
    partial = partial_name(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InvalidInput(
            t(
                f"无法写入 {named}：{target.parent} 不是文件夹",
                f"cannot write {named}: {target.parent} is not a folder",
            )
        ) from None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    for attempt in range(2):
        try:
            return os.open(partial, _EXCLUSIVE, 0o644), partial
        except FileExistsError:
            if attempt or partial.is_dir() and not partial.is_symlink():
                raise InvalidInput(
                    t(
                        f"无法写入 {named}：临时文件 {partial} 已被占用，请删除它后重试",
                        f"cannot write {named}: the temporary file {partial} is in the way; remove it and retry",
                    )
                ) from None
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()  # a link is removed, never its target
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    raise AssertionError("unreachable")  # pragma: no cover


@contextlib.contextmanager
def writing(path: str | Path) -> Iterator[BinaryIO]:
    """A file to write `path` through: it appears whole when the block ends, and not at all if the block fails.

    The bytes go into `NAME.part`, created exclusively beside the target, then renamed over it
    (a symlink at the target is replaced, not followed). A failure or SIGTERM removes the `.part`.
    """
    target = Path(path)
    descriptor, partial = create_partial(target)
    try:
        with open(descriptor, "wb") as out:
            yield out
        os.replace(partial, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise _cannot_write(path, exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise


def inside(folder: str | Path, name: str) -> Path:
    """`folder / name`, refused unless it stays inside `folder` whatever `name` holds (no `..`, no absolute path).

    Every file written into a folder kam was given (render-all) is placed through this, so a stored
    name that slipped past the checks at the ways in still cannot leave the folder (issue 12).
    """
    parts = Path(name).parts
    bad = (
        not name
        or not parts
        or "\x00" in name
        or "\\" in name
        or Path(name).is_absolute()
        or any(part in ("", ".", "..") for part in parts)
    )
    base = Path(folder).absolute()
    target = base.joinpath(*parts) if not bad else base
    if bad or os.path.commonpath([os.path.normpath(base), os.path.normpath(target)]) != os.path.normpath(base):
        raise InvalidInput(
            t(
                f"拒绝写入「{shown(name)}」：文件名会离开文件夹 {folder}"
                "（数据库中的名称被改动过？请运行 kam audit verify）",
                f"refused to write “{shown(name)}”: the name would leave the folder {folder} "
                "(a stored name altered? run kam audit verify)",
            )
        )
    return Path(folder).joinpath(*parts)


def data_dir() -> Path:
    """The user's kam folder (the default database, drafts of interactive fills); XDG_DATA_HOME on Linux."""
    from platformdirs import user_data_dir  # 10 ms: only a command that keeps something there

    return Path(user_data_dir("kam", appauthor=False))


def write_atomic(path: str | Path, content: bytes) -> Path:
    """Write `content` beside `path` and rename it into place, so a reader never sees half a file."""
    with writing(path) as out:
        out.write(content)
    return Path(path)


def read_limited(path: str | Path, limit: int, what: tuple[str, str]) -> bytes:
    """The bytes of a user's file, at most `limit`; `what` = (中文, English) of what it is ("标志", "logo")."""
    named = path_text(path)  # as a message names it
    source = Path(path)
    zh, en = what
    try:
        info = source.stat()
    except FileNotFoundError:
        raise InvalidInput(t(f"找不到文件 {named}：请检查路径", f"no file at {named}: check the path")) from None
    except OSError as exc:
        raise InvalidInput(t(f"无法读取 {named}：{exc.strerror}", f"cannot read {named}: {exc.strerror}")) from None
    if source.is_dir():
        raise InvalidInput(
            t(
                f"{named} 是文件夹：请给出{zh}文件本身",
                f"{named} is a folder: give the {en} file itself",
            )
        )
    if info.st_size > limit:
        raise InvalidInput(
            t(
                f"{named} 有 {info.st_size:,} 字节，超过{zh}上限 {limit / 1024 / 1024:g} MB（{limit:,} 字节）："
                "请压缩后再试",
                f"{named} is {info.st_size:,} bytes, over the {limit / 1024 / 1024:g} MB ({limit:,} bytes) limit for "
                f"the {en}: make it smaller",
            )
        )
    try:
        with open(source, "rb") as handle:
            content = handle.read(limit + 1)  # a file that grew since stat() is still bounded
    except OSError as exc:
        raise InvalidInput(t(f"无法读取 {named}：{exc.strerror}", f"cannot read {named}: {exc.strerror}")) from None
    if len(content) > limit:
        raise InvalidInput(
            t(
                f"{named} 超过{zh}上限 {limit / 1024 / 1024:g} MB",
                f"{named} is over the {limit / 1024 / 1024:g} MB limit",
            )
        )
    return content
