"""PDF rendering: our pipeline vs bare WeasyPrint, a process-pool batch vs one process, sizes; render-all with photos.

Run: `python -m benchmarks bench_render` (or `make bench`). KAM_BENCH_OPPS sets the
batch size in opportunities (8 documents each; default 50), KAM_BENCH_REPEAT the
timed renders per document (default 5). Figures are printed, never asserted.

Per document: each kind in its default edition (customer for a customer-facing kind)
and the internal edition of those, against WeasyPrint rendering the same HTML with its
defaults. `kam doc render-all` (the whole command, a fresh process) of one opportunity with
its 8 documents and 4 photo attachments (12-megapixel JPEGs): PDFs, thumbnails, the
attachments, SHA256SUMS, and with --zip. Then the unbroken-run probe: the time a run of n
characters without a break opportunity takes in a table cell and in a paragraph, to show
the renderer is linear in it (the document limits of issue 12 rest on this).
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

    import forms
    from forms import KINDS
    from forms.samples import load as sample
    from reports.context import sample_context
    from reports.html import load_document, render_html
    from reports.pdf import BASE_URL, render_pdf

    rows = []
    ctx = sample_context()
    for kind in KINDS:
        doc = load_document(kind, sample(kind))
        for edition in ("customer", "internal") if forms.audience(kind) == "customer" else ("internal",):
            html = render_html(doc, ctx, kind=kind, edition=edition)
            ours, bare = _paired_medians(
                lambda doc=doc, kind=kind, edition=edition: render_pdf(doc, ctx, kind=kind, edition=edition),
                lambda html=html: HTML(string=html, base_url=BASE_URL).write_pdf(),
                repeat,
            )
            rows.append((f"{kind} ({edition[:4]})", ours, bare, len(render_pdf(doc, ctx, kind=kind, edition=edition))))
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
        pooled = render_many(jobs("pool"))  # bytes back; the command writes them (one writer)
        pool_s = time.perf_counter() - start
        start = time.perf_counter()
        single = render_many(jobs("one"), workers=1)
        one_s = time.perf_counter() - start
        assert [r.sha256 for r in pooled] == [r.sha256 for r in single], "pool and one process must agree byte for byte"
    return len(pooled), pool_s, one_s, workers


def _photo(path: Path, seed: int) -> None:
    """A 12-megapixel JPEG that compresses like a photo (noise and shapes), ~2-4 MB."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    image = Image.effect_noise((4000, 3000), 60).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(4000), rng.randrange(3000)
        draw.ellipse([x, y, x + rng.randrange(200, 900), y + rng.randrange(200, 900)], fill=tuple(rng.randrange(256) for _ in range(3)))
    image.filter(ImageFilter.GaussianBlur(1)).save(path, "JPEG", quality=88)


def render_all(runs: int = 3) -> dict[str, float]:
    """Median wall seconds of `kam doc render-all` (a fresh process) for 8 documents and 4 photos, and sizes."""
    import statistics
    import subprocess
    import sys

    from forms import KINDS
    from forms.samples import path as sample_path

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {**os.environ, "KAM_DATABASE_URL": str(root / "kam.sqlite3"), "KAM_USER": "王磊"}
        kam = [sys.executable, "-c", "from cli import main; main()"]

        def run(*args: str) -> None:
            subprocess.run([*kam, *args], env=env, check=True, capture_output=True)

        run("init")
        run("account", "add", "包头市环境卫生服务中心", "--type", "government", "--class", "A", "--industry", "环卫", "--fleet-size", "120")
        run("opp", "new", "1", "30 台国六压缩式垃圾车", "--quantity", "30")
        for kind in KINDS:
            run("doc", "fill", "1", kind, "--file", str(sample_path(kind)))
        photos = []
        for i in range(4):
            _photo(root / f"photo{i}.jpg", i)
            photos.append(str(root / f"photo{i}.jpg"))
        run("attach", "add", "1", *photos[:2], "--kind", "visit-feedback")
        run("attach", "add", "1", *photos[2:], "--kind", "product-proposal")
        out: dict[str, float] = {"photos MB": sum(Path(p).stat().st_size for p in photos) / 1e6}
        for label, extra in (("-o DIR", []), ("-o DIR --internal", ["--internal"]), ("-o DIR --zip", ["--zip", "ZIP"])):
            times = []
            for n in range(runs):
                args = ["doc", "render-all", "1", "-o", str(root / f"out-{label}-{n}"), *extra]
                args = [str(root / f"all-{n}.zip") if a == "ZIP" else a for a in args]
                started = time.perf_counter()
                run(*args)
                times.append(time.perf_counter() - started)
            out[label] = statistics.median(times)
        pdfs = sorted((root / "out--o DIR-0").glob("*.pdf"))
        out["largest PDF KB"] = max(p.stat().st_size for p in pdfs) / 1024
        internal = sorted((root / "out--o DIR --internal-0").glob("*visit-feedback*.pdf"))
        out["visit-feedback internal with 2 thumbnails KB"] = internal[0].stat().st_size / 1024
    return out


def unbroken_runs() -> list[tuple[int, float, float]]:
    """(n characters, seconds in a table cell, seconds in a paragraph) of a run without a break opportunity."""
    from forms.samples import load as sample
    from reports.context import sample_context
    from reports.html import load_document
    from reports.pdf import render_pdf

    token = ("3f9a1c0e7b2d4c55a8e19f0b6d7c2e4a" * 3200)[:100_000]
    rows = []
    for n in (12_500, 25_000, 50_000, 100_000):
        cell = sample("evaluation-scorecard")
        cell["criteria"][0]["name"] = token[:n]
        paragraph = sample("phone-invite-feedback") | {"notes": token[:n]}
        times = []
        for kind, data in (("evaluation-scorecard", cell), ("phone-invite-feedback", paragraph)):
            started = time.perf_counter()
            render_pdf(load_document(kind, data), sample_context(), "en", kind=kind)
            times.append(time.perf_counter() - started)
        rows.append((n, times[0], times[1]))
    return rows


def main() -> None:
    repeat = int(os.environ.get("KAM_BENCH_REPEAT", "5"))
    opportunities = int(os.environ.get("KAM_BENCH_OPPS", "50"))

    print(f"per document, CPU seconds (median of {repeat}; target: ours <= 1.15x bare WeasyPrint, median <= 0.4 s, <= 250 KB)", flush=True)
    print(f"{'kind (edition)':32} {'ours s':>8} {'bare s':>8} {'ratio':>6} {'KB':>6}", flush=True)
    rows = per_document(repeat)
    for kind, ours, bare, size in rows:
        print(f"{kind:32} {ours:8.3f} {bare:8.3f} {ours / bare:6.2f} {size / 1024:6.0f}", flush=True)
    ours_all = statistics.median(r[1] for r in rows)
    bare_all = statistics.median(r[2] for r in rows)
    print(f"{'median':32} {ours_all:8.3f} {bare_all:8.3f} {ours_all / bare_all:6.2f} {max(r[3] for r in rows) / 1024:6.0f} (max)", flush=True)

    print("\nkam doc render-all: 8 documents, 4 photo attachments (12 MP JPEGs), a fresh process, median of 3", flush=True)
    for label, value in render_all().items():
        print(f"  {label:46} {value:8.2f}{'' if 'KB' in label or 'MB' in label else ' s'}", flush=True)

    if os.environ.get("KAM_BENCH_RUNS", "1") != "0":
        print("\nunbroken run (no break opportunity), English, one render each: seconds", flush=True)
        print(f"  {'characters':>10} {'table cell':>11} {'paragraph':>10}", flush=True)
        for n, cell, paragraph in unbroken_runs():
            print(f"  {n:10,} {cell:11.2f} {paragraph:10.2f}", flush=True)

    if opportunities > 0:
        docs, pool_s, one_s, workers = batch(opportunities)
        print(f"\nrender_many: {opportunities} opportunities x 8 = {docs} PDFs (target: >= 1.6x faster than one process)", flush=True)
        print(f"  pool ({workers} workers) {pool_s:7.1f} s  {docs / pool_s:5.1f} PDF/s", flush=True)
        print(f"  one process    {one_s:7.1f} s  {docs / one_s:5.1f} PDF/s", flush=True)
        print(f"  speed-up       {one_s / pool_s:7.2f}x", flush=True)


if __name__ == "__main__":
    main()
