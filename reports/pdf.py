"""HTML to PDF with WeasyPrint: fonts required, nothing fetched, same bytes every time.

WeasyPrint is imported here, inside functions, never when `reports` is imported:
it costs 0.5-0.7 s and `kam --help` must not pay for it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from reports.context import DocumentContext
from reports.errors import MissingRenderer, RefusedResource
from reports.fonts import require_cjk_font, require_subsetter
from reports.html import ASSETS, render_html, render_report_html

# Relative URLs in templates ("report.css") resolve against the packaged assets directory.
BASE_URL = ASSETS.resolve().as_uri() + "/"


def asset_path(url: str) -> Path | None:
    """The packaged asset a file: URL names, or None if it points anywhere else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    root = ASSETS.resolve()
    # resolve() follows symlinks and "..", so a path that stays under root really is ours.
    if path == root or root not in path.parents or not path.is_file():
        return None
    return path


def _weasyprint() -> Any:
    """WeasyPrint, imported on the first render; missing (or without its Pango), `MissingRenderer`."""
    try:
        import weasyprint  # 0.5-0.7 s: only to render (see the module docstring)
        import weasyprint.urls
    except (ImportError, OSError) as exc:  # OSError: cffi could not load Pango
        raise MissingRenderer(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    return weasyprint


@functools.lru_cache(maxsize=1)
def _fetcher_class() -> type:
    _weasyprint()  # a machine without WeasyPrint or Pango is refused here, with the fix
    from weasyprint import URLFetcher  # loaded by the line above
    from weasyprint.urls import URLFetcherResponse

    class AssetFetcher(URLFetcher):
        """Serves our packaged assets and data: URLs; refuses (raises on) everything else.

        WeasyPrint's own fetcher reads file:// and the network. Documents carry
        user text, and although templates escape it, a stray URL must still never
        be fetched: no file is read and no socket is opened for it.
        """

        refused: list[str]

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=False)
            self.refused = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = asset_path(url)
            if path is None:
                self.refused.append(url)
                raise RefusedResource(url)
            mime = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(path.suffix)
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
            )

    return AssetFetcher


def url_fetcher() -> Any:
    """A fresh asset-only fetcher (it records refused URLs in `.refused`)."""
    return _fetcher_class()()


# pdf_identifier=False: no /ID (pydyf would hash content anyway, but none is simplest and stable).
# Fonts: subset (full_fonts=False); hinting dropped: it only matters on screens at small sizes.
PDF_OPTIONS: dict[str, Any] = {
    "pdf_identifier": False,
    "full_fonts": False,
    "hinting": False,
    "optimize_images": True,
    "uncompressed_pdf": False,
}


def html_to_pdf(html: str) -> bytes:
    """Lay out our HTML and write the PDF bytes (refused, naming the fix, on a machine that cannot)."""
    require_cjk_font()
    require_subsetter()
    document = _weasyprint().HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher())
    return document.write_pdf(**PDF_OPTIONS)


def render_pdf(
    form: Any, ctx: DocumentContext, lang: str = "zh", kind: str | None = None, edition: str | None = None
) -> bytes:
    """A document as PDF bytes, in `edition` (default: the kind's own); `MissingFont` if Chinese cannot be printed."""
    require_cjk_font()  # before laying anything out: no PDF of empty boxes
    return html_to_pdf(render_html(form, ctx, lang, kind=kind, edition=edition))


def render_report_pdf(template_name: str, context: dict[str, Any], ctx: DocumentContext, lang: str = "zh") -> bytes:
    """Any report template extending `base.html` (pipeline, compliance review) as PDF bytes."""
    require_cjk_font()
    return html_to_pdf(render_report_html(template_name, context, ctx, lang))
