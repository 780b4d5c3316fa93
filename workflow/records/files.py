"""Files kam writes (PDFs, reports): whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

from workflow.errors import InvalidInput
from workflow.i18n import t


def write_atomic(path: str | Path, content: bytes) -> Path:
    """Write `content` beside `path` and rename it into place, so a reader never sees half a file."""
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(content)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InvalidInput(t(f"无法写入 {path}：{exc.strerror}", f"cannot write {path}: {exc.strerror}")) from None
    return target
