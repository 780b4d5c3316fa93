"""What a rendered document says about itself besides its fields: letterhead, edition, status, attachments."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

# The letterhead until `kam company set` stores the company's own (name and department of the built-in default).
DEFAULT_NAME = "福田汽车"
DEFAULT_DEPARTMENT = "大客户部"
DEFAULT_COMPANY = f"{DEFAULT_NAME} {DEFAULT_DEPARTMENT}"

EDITIONS = ("customer", "internal")


def data_uri(content: bytes, media_type: str) -> Markup:
    """An image as a data: URL for an <img src>, safe to put in the page as it is (base64 holds no markup)."""
    return Markup(f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}")


@dataclass(frozen=True)
class Letterhead:
    """The company as its documents print it (`kam company set`; the built-in default until then).

    `logo` is a PNG or JPEG already checked and re-encoded when it was stored.
    """

    name: str = DEFAULT_NAME
    short_name: str = ""
    department: str = DEFAULT_DEPARTMENT
    address: str = ""
    phone: str = ""
    website: str = ""
    logo: bytes | None = field(default=None, repr=False)
    logo_type: str = ""  # image/png | image/jpeg
    is_default: bool = True

    @property
    def header(self) -> str:
        """How the running header of every page names the company: short name (else name) and department."""
        return " ".join(part for part in (self.short_name or self.name, self.department) if part)

    @property
    def logo_uri(self) -> Markup | None:
        return data_uri(self.logo, self.logo_type) if self.logo else None

    @classmethod
    def named(cls, name: str) -> Letterhead:
        """A letterhead that is only a name (KAM_COMPANY, or a test's)."""
        return cls(name=name, department="", is_default=False)


@dataclass(frozen=True)
class AttachmentNote:
    """An attachment as a document lists it: its name, size and hash; a photo also as a thumbnail (internal edition)."""

    id: int
    name: str
    size: int
    sha256: str
    media_type: str = "application/octet-stream"
    note: str = ""
    thumbnail: bytes | None = field(default=None, repr=False)  # JPEG, made by the caller (workflow.rules.images)

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]

    @property
    def thumbnail_uri(self) -> Markup | None:
        return data_uri(self.thumbnail, "image/jpeg") if self.thumbnail else None


@dataclass(frozen=True)
class DocumentContext:
    """Header, footer, letterhead, status and sign-off data for one stored document version.

    `created_at` is the version's timestamp: it becomes the PDF's metadata dates,
    so the same version always renders to the same bytes.
    """

    opportunity_id: int | str
    customer: str
    version: int
    created_at: dt.datetime
    doc_hash: str = ""  # sha256 hex of the stored version; the footer prints 12 characters
    company: Letterhead | str = field(default_factory=Letterhead)  # a plain name is read as Letterhead.named(name)
    opportunity_number: str = ""  # e.g. "KA-2026-0012"; falls back to the id
    opportunity_title: str = ""
    owner: str = ""
    author: str = ""
    # [{department, reviewer, decision, at, comment}] for the sign-off table
    signoffs: list[dict[str, Any]] = field(default_factory=list)
    superseded_by: int | None = None  # the latest version, when this one is no longer it (已被 vN 取代)
    awaiting_signoffs: list[str] = field(default_factory=list)  # departments yet to approve (待会签), by label
    attachments: list[AttachmentNote] = field(default_factory=list)

    def __post_init__(self) -> None:
        if isinstance(self.company, str):
            object.__setattr__(self, "company", Letterhead.named(self.company))

    @property
    def letterhead(self) -> Letterhead:
        assert isinstance(self.company, Letterhead)  # __post_init__ made it one
        return self.company

    @property
    def number(self) -> str:
        return self.opportunity_number or str(self.opportunity_id)

    @property
    def short_hash(self) -> str:
        return self.doc_hash[:12]


@dataclass(frozen=True)
class RenderJob:
    """One PDF to make: a document (kind + data as stored), its page context, the file name it is written under.

    `output` names the file; the caller writes the bytes (`records.files`, one writer for every PDF).
    """

    kind: str
    data: dict[str, Any]
    ctx: DocumentContext
    output: Path
    lang: str = "zh"
    edition: str | None = None  # None: the kind's default (customer for a customer-facing kind)


@dataclass(frozen=True)
class RenderResult:
    path: Path
    sha256: str
    seconds: float
    size: int
    pdf: bytes = field(default=b"", repr=False)


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
