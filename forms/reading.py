"""Reading a document file a user gives (`--file`): bounded, decoded, parsed; every problem names the file."""

from __future__ import annotations

import json
import sys
from typing import Any

from workflow.errors import InvalidInput
from workflow.i18n import t

MAX_FILE_BYTES = 5_000_000


def read_data_file(path: str) -> Any:
    """Parse a YAML or JSON document file; problems become `InvalidInput` naming the file."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(
            t(f"无法读取文件 {path}：{exc.strerror}", f"cannot read file {path}: {exc.strerror}")
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidInput(
            t(
                f"文件 {path} 超过 {MAX_FILE_BYTES // 1_000_000} MB 上限",
                f"file {path} is larger than the {MAX_FILE_BYTES // 1_000_000} MB limit",
            )
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            t(
                f"文件 {path} 不是 UTF-8 文本（第 {exc.start} 字节）",
                f"file {path} is not UTF-8 text (byte {exc.start})",
            )
        ) from None
    if path.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                t(
                    f"文件 {path} 第 {exc.lineno} 行 JSON 格式错误：{exc.msg}",
                    f"file {path} line {exc.lineno}: invalid JSON: {exc.msg}",
                )
            ) from None
    import yaml  # 10-20 ms of start-up: only a command that reads a YAML file pays it

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        where_en = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput(
            t(f"文件 {path} {where} YAML 格式错误：{problem}", f"file {path}{where_en}: invalid YAML: {problem}")
        ) from None
