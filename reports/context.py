"""What a rendered document says about itself besides its fields."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_COMPANY = "福田汽车 大客户部"


@dataclass(frozen=True)
class DocumentContext:
    """Header, footer and sign-off data for one stored document version.

    `created_at` is the version's timestamp: it becomes the PDF's metadata dates,
    so the same version always renders to the same bytes.
    """

    opportunity_id: int | str
    customer: str
    version: int
    created_at: dt.datetime
    doc_hash: str = ""  # sha256 hex of the stored version; the footer prints 12 characters
    company: str = DEFAULT_COMPANY
    opportunity_number: str = ""  # e.g. "KA-2026-0012"; falls back to the id
    opportunity_title: str = ""
    owner: str = ""
    author: str = ""
    # [{department, reviewer, decision, at, comment}] for the sign-off table
    signoffs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.opportunity_number or str(self.opportunity_id)

    @property
    def short_hash(self) -> str:
        return self.doc_hash[:12]


@dataclass(frozen=True)
class RenderJob:
    """One PDF to write in a batch: a document (kind + data as stored) and where to put it."""

    kind: str
    data: dict[str, Any]
    ctx: DocumentContext
    output: Path
    lang: str = "zh"


@dataclass(frozen=True)
class RenderResult:
    path: Path
    sha256: str
    seconds: float
    size: int


def sample_context(version: int = 1, **overrides: Any) -> DocumentContext:
    """A realistic header for the sample documents (`forms.samples`): previews, the tests and the benchmarks."""
    values: dict[str, Any] = {
        "opportunity_id": 12,
        "opportunity_number": "KA-2026-0012",
        "opportunity_title": "30 台国六压缩式垃圾车",
        "customer": "包头市环境卫生服务中心",
        "owner": "王磊",
        "author": "王磊",
        "version": version,
        "created_at": dt.datetime(2026, 4, 20, 9, 30, tzinfo=dt.UTC),
        "doc_hash": "3f9a1c0e7b2d4c55a8e19f0b6d7c2e4a91b0c3d5e6f708192a3b4c5d6e7f8091",
    }
    values.update(overrides)
    return DocumentContext(**values)
