"""Errors raised while rendering documents.

    ReportError
    ├── MissingFont        no Chinese font: a PDF would print empty boxes
    └── RefusedResource    a template or document asked for a URL we do not serve

The CLI converts these once, at the edge, into a message with the fix.
"""

from __future__ import annotations


class ReportError(Exception):
    """Base class for rendering errors."""


class MissingFont(ReportError):
    """No font with Chinese glyphs is installed (fontconfig finds none)."""

    fix = "sudo apt-get install fonts-noto-cjk"

    def __init__(self, detail: str = "") -> None:
        message = "no Chinese font found (fontconfig: fc-list :lang=zh is empty); PDFs would print empty boxes"
        if detail:
            message += f" ({detail})"
        super().__init__(f"{message}. Fix: {self.fix}")


class RefusedResource(ReportError):
    """A URL outside our packaged assets was requested during rendering."""

    def __init__(self, url: str) -> None:
        super().__init__(f"refused to fetch {url[:200]!r}: only kam's packaged assets and data: URLs are allowed")
        self.url = url
