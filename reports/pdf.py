"""HTML to PDF with WeasyPrint: fonts required, nothing fetched, same bytes every time.

WeasyPrint is imported here, inside functions, never when `reports` is imported:
it costs 0.5-0.7 s and `kam --help` must not pay for it.
"""

from __future__ import annotations

import contextvars
import functools
import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from forms import KINDS, title
from reports.context import DocumentContext
from reports.errors import MissingRenderer, RefusedResource, TooManyPages
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


# The most pages one PDF may have. Layout costs ~0.1-0.3 s a page on the 2-core machine (dense tables cost most),
# so 30 pages keep the slowest accepted render under 10 s; the longest realistic document is 9 pages
# (tests/long_documents.py), the longest realistic compliance review a few more.
MAX_PAGES = 30
_page_limit: contextvars.ContextVar[int] = contextvars.ContextVar("kam_page_limit", default=MAX_PAGES)
_PAGE_STEP = "Step 5 - Creating layout - Page %d"  # WeasyPrint's progress record, one per page it lays out


class _PageGuard(logging.Filter):
    """Stops a layout at the page limit, from WeasyPrint's own progress log (the only hook it offers per page).

    WeasyPrint logs each page it is about to lay out to `weasyprint.progress` at INFO; raising from the
    logger's filter unwinds the layout there, before the next page costs anything. Every progress record is
    dropped: they are WeasyPrint's, not kam's to print.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == _PAGE_STEP and record.args and isinstance(record.args, tuple):
            page = record.args[0]
            limit = _page_limit.get()
            if isinstance(page, int) and page > limit:
                raise TooManyPages(limit)
        return False


@functools.lru_cache(maxsize=1)
def _guard_pages() -> None:
    """Install the page guard once per process (after WeasyPrint is imported)."""
    progress = logging.getLogger("weasyprint.progress")
    progress.setLevel(logging.INFO)  # the records exist only when INFO is enabled; the filter drops them all
    progress.addFilter(_PageGuard())


def html_to_pdf(html: str, max_pages: int | None = None) -> bytes:
    """Lay out our HTML and write the PDF bytes (refused, naming the fix, on a machine that cannot).

    A layout that reaches page `max_pages` + 1 (default MAX_PAGES) stops there: `TooManyPages`.
    """
    require_cjk_font()
    require_subsetter()
    document = _weasyprint().HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher())
    _guard_pages()
    token = _page_limit.set(max_pages or MAX_PAGES)
    try:
        return document.write_pdf(**PDF_OPTIONS)
    finally:
        _page_limit.reset(token)


# What `kam doc fill` lets a large document lay out to (`forms.TRIAL_LAYOUT_WEIGHT`): a few pages below the limit,
# room for what is added after filling (the other language's longer labels, the sign-offs a review collects).
FILL_MAX_PAGES = MAX_PAGES - 4


def render_pdf(
    form: Any,
    ctx: DocumentContext,
    lang: str = "zh",
    kind: str | None = None,
    edition: str | None = None,
    max_pages: int | None = None,
) -> bytes:
    """A document as PDF bytes, in `edition` (default: the kind's own); `MissingFont` if Chinese cannot be printed."""
    require_cjk_font()  # before laying anything out: no PDF of empty boxes
    try:
        return html_to_pdf(render_html(form, ctx, lang, kind=kind, edition=edition), max_pages)
    except TooManyPages as exc:
        kind = kind or getattr(type(form), "kind", "")
        zh, en = (title(kind, "zh"), title(kind, "en")) if kind in KINDS else (kind, kind)
        where_en = f"the {en} v{ctx.version} of opportunity {ctx.opportunity_id}"
        raise TooManyPages(exc.limit, f"商机 {ctx.opportunity_id} 的{zh} v{ctx.version}", where_en) from None


# A report covers a whole database (the pipeline: a row per owner and per stage), not one document.
REPORT_MAX_PAGES = 200


def render_report_pdf(
    template_name: str, context: dict[str, Any], ctx: DocumentContext, lang: str = "zh", max_pages: int | None = None
) -> bytes:
    """Any report template extending `base.html` (pipeline, compliance review) as PDF bytes."""
    require_cjk_font()
    return html_to_pdf(render_report_html(template_name, context, ctx, lang), max_pages)
