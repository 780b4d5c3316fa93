"""PDF rendering: our pipeline vs bare WeasyPrint, a process-pool batch vs one process, sizes; render-all with photos.

Run: `python -m benchmarks bench_render` (or `make bench`). KAM_BENCH_OPPS sets the
batch size in opportunities (8 documents each; default 50), KAM_BENCH_REPEAT the
timed renders per document (default 5). Figures are printed, never asserted.

Per document: each kind in its default edition (customer for a customer-facing kind)
and the internal edition of those, against WeasyPrint rendering the same HTML with its
defaults. `kam doc render-all` (the whole command, a fresh process) of one opportunity with
its 8 documents and 4 photo attachments (12-megapixel JPEGs): PDFs, thumbnails, the
attachments, SHA256SUMS, and with --zip. Then every kind at the document limits (forms.MAX_DOCUMENT_CHARS
characters, MAX_DOCUMENT_ITEMS list entries): the render time that the limits of issue 12
promise stays under 10 s (what would pass reports.pdf.MAX_PAGES is stopped there).
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


def _filled(kind: str, chars: int, items: int) -> dict:
    """The kind's sample grown to the document limits: every list to its share of `items`, every text to its share
    of `chars` (dates, times, numbers and choices left as they are)."""
    import copy

    from forms.samples import load as sample

    data = sample(kind)
    lists, texts = [], []

    def walk(value, parent, key):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, value, k)
        elif isinstance(value, list):
            lists.append(value)
            for i, v in enumerate(value):
                walk(v, value, i)
        elif isinstance(value, str) and not str(key).endswith(("date", "time", "_no")):
            texts.append((parent, key))

    walk(data, None, None)
    share = max(1, items // max(1, len(lists)))
    for values in lists:
        first = values[:]
        while values and len(values) < share:
            values.append(copy.deepcopy(first[len(values) % len(first)]))
    texts = []
    walk(data, None, None)
    text = "客户车队常年在京津冀—长三角干线与城配两种工况下运营 the fleet runs trunk routes and city deliveries; "
    each = chars // max(1, len(texts))
    for parent, key in texts:
        if len(parent[key]) < each:
            parent[key] = (text * (each // len(text) + 1))[:each]
    return data


def at_the_limits() -> list[tuple[str, str, float, str]]:
    """(kind, shape, CPU seconds, pages or "stopped") for documents at forms' limits, and the worst shape past them.

    Each text grown to its share is checked against the schema one value at a time: a text that a choice or a
    pattern refuses is left as in the sample, so every document rendered here is one `doc fill` accepts.
    """
    import forms
    import forms.samples
    from reports.context import sample_context
    from reports.errors import TooManyPages
    from reports.html import load_document
    from reports.pdf import MAX_PAGES, render_pdf

    render_pdf(load_document("visit-feedback", forms.samples.load("visit-feedback")), sample_context(), "zh")  # warm
    rows = []
    for kind in forms.KINDS:
        chars, items = forms.MAX_DOCUMENT_CHARS, forms.MAX_DOCUMENT_ITEMS
        data = _filled(kind, chars, items)
        while True:
            try:
                document = load_document(kind, data)
                break
            except forms.FormInvalid as exc:
                if any(error.path == "" for error in exc.errors):  # over a total (nested lists grew too): a little less
                    chars, items = int(chars * 0.97), int(items * 0.9)
                    data = _filled(kind, chars, items)
                    continue
                sample = forms.samples.load(kind)  # a choice, a duplicate name: put the sample's value back
                for error in exc.errors:
                    _restore(data, sample, error.path)
        started = time.process_time()
        try:
            pdf = render_pdf(document, sample_context(), "zh", kind=kind, edition="internal")
            pages = str(_pages(pdf))
        except TooManyPages:
            pages = "stopped"
        used = _size(data)
        rows.append((kind, f"{used[0]:,} chars, {used[1]} items", time.process_time() - started, pages))
    # The worst shapes: the text in a narrow table column, one cell or a column of 180 rows. Stopped at the page limit.
    card = forms.samples.load("evaluation-scorecard")
    card["criteria"][0]["name"] = ("3f9a1c0e7b2d4c55a8e19f0b6d7c2e4a" * 600)[: forms.MAX_DOCUMENT_CHARS - _size(card)[0]]
    proposal = forms.samples.load("product-proposal")
    first = proposal["configurations"][0] | {"chassis": "欧曼", "body": "压缩"}
    proposal["configurations"] = []
    room = (forms.MAX_DOCUMENT_CHARS - _size(proposal)[0]) // 180 - 12
    proposal["configurations"] = [first | {"model": f"{i:03d}" + "欧曼" * (room // 2)} for i in range(180)]
    for kind, data, shape in (("evaluation-scorecard", card, "a narrow cell"), ("product-proposal", proposal, "a narrow column")):
        document = load_document(kind, data)
        started = time.process_time()
        try:
            pages = str(_pages(render_pdf(document, sample_context(), "zh", kind=kind, edition="internal")))
        except TooManyPages:
            pages = f"stopped at {MAX_PAGES}"
        used = _size(data)
        rows.append((kind, f"{shape}, {used[0]:,} chars", time.process_time() - started, pages))
    return rows


def _size(value: object) -> tuple[int, int]:
    """(characters of text, list entries) in a document, as forms counts them."""
    if isinstance(value, str):
        return len(value), 0
    if isinstance(value, dict):
        parts = [_size(v) for v in value.values()]
        return sum(p[0] for p in parts), sum(p[1] for p in parts)
    if isinstance(value, list):
        parts = [_size(v) for v in value]
        return sum(p[0] for p in parts), len(value) + sum(p[1] for p in parts)
    return 0, 0


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _restore(data: dict, sample: dict, path: str) -> None:
    """Put back the sample's value at `path` ("criteria[3].name"), or drop a list item the sample lacks."""
    import re

    steps = [int(s) if s.isdigit() else s for s in re.findall(r"[^.\[\]]+", path)]
    target, source = data, sample
    for step in steps[:-1]:
        target = target[step]
        if isinstance(step, int):
            step = step % len(source)
        source = source[step]
    last = steps[-1]
    if isinstance(last, int):
        target[last] = source[last % len(source)]
    elif isinstance(source, dict) and last in source:
        target[last] = source[last]
    else:
        target.pop(last, None)


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

    if os.environ.get("KAM_BENCH_LIMITS", "1") != "0":
        print("\ndocuments at the limits (internal edition, zh): CPU seconds of one render (target: under 10 s)", flush=True)
        for kind, shape, seconds, pages in at_the_limits():
            print(f"  {kind:24} {shape:34} {seconds:6.2f} s  {pages} pages", flush=True)

    if opportunities > 0:
        docs, pool_s, one_s, workers = batch(opportunities)
        print(f"\nrender_many: {opportunities} opportunities x 8 = {docs} PDFs (target: >= 1.6x faster than one process)", flush=True)
        print(f"  pool ({workers} workers) {pool_s:7.1f} s  {docs / pool_s:5.1f} PDF/s", flush=True)
        print(f"  one process    {one_s:7.1f} s  {docs / one_s:5.1f} PDF/s", flush=True)
        print(f"  speed-up       {one_s / pool_s:7.2f}x", flush=True)


if __name__ == "__main__":
    main()
