"""PDFs of render jobs (`kam doc render` one, `kam doc render-all` many): a process pool, one WeasyPrint per worker.

Layout is CPU-bound Python, so threads would not help; processes use every core.
Each worker imports WeasyPrint once, in its initializer, not once per job.
Jobs come back as bytes (`RenderResult.pdf`); the caller writes them through its
one file writer (`workflow.records.files`), so every PDF kam writes takes one path.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from reports.context import RenderJob, RenderResult
from reports.fonts import require_cjk_font


def render_job(job: RenderJob) -> RenderResult:
    """Validate and render one job: its PDF bytes, their sha256 and size (nothing is written here)."""
    from reports.html import load_document  # Jinja2 and WeasyPrint load in the worker that renders
    from reports.pdf import render_pdf

    start = time.perf_counter()
    document = load_document(job.kind, job.data)
    pdf = render_pdf(document, job.ctx, job.lang, kind=job.kind, edition=job.edition)
    return RenderResult(job.output, hashlib.sha256(pdf).hexdigest(), time.perf_counter() - start, len(pdf), pdf)


def trial_layout(job: RenderJob) -> None:
    """Lay out a document about to be filled, in this process: `TooManyPages` past `FILL_MAX_PAGES`."""
    from reports.html import load_document
    from reports.pdf import FILL_MAX_PAGES, render_pdf

    render_pdf(load_document(job.kind, job.data), job.ctx, job.lang, job.kind, job.edition, FILL_MAX_PAGES)


def _warm_worker() -> None:
    """Import WeasyPrint and load the CJK font once per worker, so jobs pay only for layout.

    A worker's first PDF costs ~1.5 s more than the next ones (fontconfig, Pango's
    font map, the 20 MB Noto collection); a forked worker of a warm parent skips it.
    """
    import forms  # noqa: F401  # the schemas and WeasyPrint, once per worker process
    from reports.pdf import html_to_pdf

    html_to_pdf('<html lang="zh-CN"><body><p style="font-family: Noto Sans CJK SC">预热</p></body></html>')


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render_many(
    jobs: Sequence[RenderJob],
    workers: int | None = None,
    progress: Callable[[int, int, RenderResult], None] | None = None,
) -> list[RenderResult]:
    """Render every job; results in job order. `progress(done, total, result)` runs in this process.

    The first failure (an invalid document, a missing font) is raised after the pool shuts down.
    """
    require_cjk_font()  # fail once, here, rather than in every worker
    total = len(jobs)
    workers = min(workers or default_workers(), total) if total else 1
    results: list[RenderResult | None] = [None] * total
    if workers <= 1:
        for i, job in enumerate(jobs):
            results[i] = result = render_job(job)
            if progress:
                progress(i + 1, total, result)
        return [r for r in results if r is not None]
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm_worker) as pool:
        futures = {pool.submit(render_job, job): i for i, job in enumerate(jobs)}
        done = 0
        try:
            for future in as_completed(futures):
                result = future.result()
                results[futures[future]] = result
                done += 1
                if progress:
                    progress(done, total, result)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return [r for r in results if r is not None]
