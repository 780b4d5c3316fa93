"""PDF rendering: our pipeline vs bare WeasyPrint, a process-pool batch vs one process, sizes.

Run: `python -m benchmarks.bench_render` (or `make bench`). KAM_BENCH_OPPS sets the
batch size in opportunities (8 documents each; default 50), KAM_BENCH_REPEAT the
timed renders per document (default 5). Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path


def _paired_medians(a, b, repeat: int) -> tuple[float, float]:
    """Median CPU seconds of `a` and `b`, interleaved so both see the same machine load.

    CPU time (process_time), not wall time: on a shared machine other processes'
    load would otherwise dominate the comparison.
    """
    a(), b()  # warm: fonts loaded, templates compiled
    times_a, times_b = [], []
    for _ in range(repeat):
        for fn, times in ((a, times_a), (b, times_b)):
            start = time.process_time()
            fn()
            times.append(time.process_time() - start)
    return statistics.median(times_a), statistics.median(times_b)


def per_document(repeat: int) -> list[tuple[str, float, float, int]]:
    """(kind, our median s, bare WeasyPrint median s, PDF bytes) per kind."""
    from weasyprint import HTML

    from forms import KINDS
    from forms.samples import load as sample
    from reports.context import sample_context
    from reports.html import load_document, render_html
    from reports.pdf import BASE_URL, render_pdf

    rows = []
    ctx = sample_context()
    for kind in KINDS:
        doc = load_document(kind, sample(kind))
        html = render_html(doc, ctx, kind=kind)
        ours, bare = _paired_medians(
            lambda doc=doc, kind=kind: render_pdf(doc, ctx, kind=kind),
            lambda html=html: HTML(string=html, base_url=BASE_URL).write_pdf(),
            repeat,
        )
        rows.append((kind, ours, bare, len(render_pdf(doc, ctx, kind=kind))))
    return rows


def batch(opportunities: int) -> tuple[int, float, float, int]:
    """(documents, pool s, one-process s, workers) for `opportunities` x 8 documents."""
    from forms import KINDS
    from forms.samples import load as sample
    from reports import RenderJob, render_many
    from reports.batch import default_workers
    from reports.context import sample_context

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def jobs(sub: str) -> list[RenderJob]:
            return [
                RenderJob(kind, sample(kind), sample_context(opportunity_id=i, opportunity_number=f"KA-2026-{i:04d}"),
                          out / sub / f"{i:04d}" / f"{kind}.pdf")
                for i in range(opportunities)
                for kind in KINDS
            ]

        workers = default_workers()
        start = time.perf_counter()
        pooled = render_many(jobs("pool"))
        pool_s = time.perf_counter() - start
        start = time.perf_counter()
        single = render_many(jobs("one"), workers=1)
        one_s = time.perf_counter() - start
        assert [r.sha256 for r in pooled] == [r.sha256 for r in single], "pool and one process must agree byte for byte"
    return len(pooled), pool_s, one_s, workers


def main() -> None:
    repeat = int(os.environ.get("KAM_BENCH_REPEAT", "5"))
    opportunities = int(os.environ.get("KAM_BENCH_OPPS", "50"))

    print(f"per document, CPU seconds (median of {repeat}; target: ours <= 1.15x bare WeasyPrint, median <= 0.4 s, <= 250 KB)", flush=True)
    print(f"{'kind':24} {'ours s':>8} {'bare s':>8} {'ratio':>6} {'KB':>6}", flush=True)
    rows = per_document(repeat)
    for kind, ours, bare, size in rows:
        print(f"{kind:24} {ours:8.3f} {bare:8.3f} {ours / bare:6.2f} {size / 1024:6.0f}", flush=True)
    ours_all = statistics.median(r[1] for r in rows)
    bare_all = statistics.median(r[2] for r in rows)
    print(f"{'median':24} {ours_all:8.3f} {bare_all:8.3f} {ours_all / bare_all:6.2f} {max(r[3] for r in rows) / 1024:6.0f} (max)", flush=True)

    if opportunities > 0:
        docs, pool_s, one_s, workers = batch(opportunities)
        print(f"\nrender_many: {opportunities} opportunities x 8 = {docs} PDFs (target: >= 1.6x faster than one process)", flush=True)
        print(f"  pool ({workers} workers) {pool_s:7.1f} s  {docs / pool_s:5.1f} PDF/s", flush=True)
        print(f"  one process    {one_s:7.1f} s  {docs / one_s:5.1f} PDF/s", flush=True)
        print(f"  speed-up       {one_s / pool_s:7.2f}x", flush=True)


if __name__ == "__main__":
    main()
