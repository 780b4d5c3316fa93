"""Documents as PDFs: the library core behind `kam doc render`, `render-all` and `doctor`.

Public API (imports are lazy: WeasyPrint loads only when a PDF is rendered)::

    DocumentContext, RenderJob, RenderResult       reports.context
    render_html(form, ctx, lang="zh") -> str
    render_pdf(form, ctx, lang="zh") -> bytes
    render_report_html / render_report_pdf(template_name, context, ctx, lang="zh")
    render_many(jobs, workers=None, progress=None) -> list[RenderResult]
    trial_layout(job)                              TooManyPages past FILL_MAX_PAGES (kam doc fill)
    checks() -> list[Check]; require_cjk_font(); Check
    ReportError, MissingFont, MissingSubsetter, MissingRenderer, RefusedResource   reports.errors (KamError)

A `form` is a validated model from `forms.validate(kind, data)`; plain data is
accepted too with `kind=`.
"""

from __future__ import annotations

import importlib
from typing import Any

from reports.context import DEFAULT_COMPANY, DocumentContext, RenderJob, RenderResult
from reports.errors import MissingFont, MissingRenderer, MissingSubsetter, RefusedResource, ReportError

_LAZY = {
    "render_html": "reports.html",
    "render_report_html": "reports.html",
    "render_pdf": "reports.pdf",
    "render_report_pdf": "reports.pdf",
    "render_many": "reports.batch",
    "trial_layout": "reports.batch",
    "checks": "reports.fonts",
    "require_cjk_font": "reports.fonts",
    "Check": "reports.fonts",
}

__all__ = [
    "DEFAULT_COMPANY",
    "DocumentContext",
    "RenderJob",
    "RenderResult",
    "ReportError",
    "MissingFont",
    "MissingRenderer",
    "MissingSubsetter",
    "RefusedResource",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    # Module-level __getattr__ (PEP 562): the heavy modules load on first use only.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reports' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
