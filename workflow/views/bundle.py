"""What `kam doc render-all` writes besides the PDFs: the attachments, SHA256SUMS, and the same as one zip.

Every file goes through the one writer (`records.files`); names inside the folder or
zip are built from ids and checked identifiers (`views.documents.pdf_name`,
`attachment_file_name`), never from stored text alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from workflow.records.files import inside, write_atomic, writing

SUMS = "SHA256SUMS"


class Entry(NamedTuple):
    """One file of the bundle: its name inside the folder or zip, its bytes, and the time it stands for."""

    name: str
    content: bytes
    when: dt.datetime


def sha256sums(entries: Sequence[Entry]) -> bytes:
    """The SHA256SUMS file: one "<hex>  <name>" line a file, as `sha256sum -c` reads it."""
    return "".join(f"{hashlib.sha256(e.content).hexdigest()}  {e.name}\n" for e in entries).encode()


def write_folder(folder: str | Path, entries: Sequence[Entry]) -> None:
    """Every entry under `folder`, then SHA256SUMS (each file whole or not at all)."""
    targets = [inside(folder, entry.name) for entry in entries]  # every name checked before the first file
    for target, entry in zip(targets, entries, strict=True):
        write_atomic(target, entry.content)
    write_atomic(inside(folder, SUMS), sha256sums(entries))


def write_zip(path: str | Path, entries: Sequence[Entry]) -> None:
    """The same files and SHA256SUMS as one zip; entries dated by what they stand for, so the same state gives the
    same bytes. PDFs and photos are compressed already: stored as they are."""
    latest = max((e.when for e in entries), default=dt.datetime(1980, 1, 1))
    for entry in entries:
        inside(".", entry.name)  # the same names as the folder's: none may climb out when the zip is unpacked
    with writing(path) as out, zipfile.ZipFile(out, "w") as archive:
        for entry in entries:
            archive.writestr(_info(entry.name, entry.when), entry.content, compress_type=zipfile.ZIP_STORED)
        archive.writestr(_info(SUMS, latest), sha256sums(entries), compress_type=zipfile.ZIP_DEFLATED)


def _info(name: str, when: dt.datetime) -> zipfile.ZipInfo:
    stamp = max(when, dt.datetime(1980, 1, 1))  # the zip format's first day
    info = zipfile.ZipInfo(name, date_time=(stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second))
    info.external_attr = 0o644 << 16
    return info
