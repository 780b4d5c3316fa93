"""Render every document kind and report in both languages, check each PDF's layout, write PNGs to look at.

    python tests/pdf_survey.py OUTDIR [--only TEXT] [--skip TEXT] [--no-png] [--no-timing] [--reports COPY]

For each of the eight kinds: the sample (`forms.samples`), the long data of
tests/long_documents.py (many rows, long Chinese and English texts) and the sample with a
99,000-character token that has no break opportunity; each in Chinese and English and in
each edition the kind has (customer and internal for a customer-facing kind). Then the
compliance review and the pipeline report, built from plain data (no database). Writes
OUTDIR/pdf/NAME.pdf, OUTDIR/png/NAME-N.png (pdftoppm -r 60), OUTDIR/survey.json and
OUTDIR/survey.md, and prints the summary. `--reports COPY` renders with the templates
and stylesheet of a patched copy of reports/ (to try a fix without touching the tree).

A long unbroken run costs WeasyPrint time quadratic in its length unless it has break
opportunities (reports.html.soften gives it some, so it is linear now); the `cell-timing`
probe measures the time a run in a table cell takes, by its length.
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:  # run as a script: the checker sits next to this file
    sys.path.insert(0, str(TESTS))

from long_documents import LANGS, TOKEN, compliance_pdf, context, long, pipeline_pdf, token  # noqa: E402
from pdf_layout import KINDS as PROBLEM_KINDS  # noqa: E402
from pdf_layout import Problem, problems, read_layout  # noqa: E402

import forms  # noqa: E402
from forms.samples import load as sample  # noqa: E402
from reports.html import load_document  # noqa: E402
from reports.pdf import render_pdf  # noqa: E402

KINDS = forms.KINDS


# -- the survey -----------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    subject: str  # document kind, or "compliance-review" / "pipeline"
    variant: str
    lang: str
    build: Callable[[], bytes]


@dataclass
class Result:
    name: str
    subject: str
    variant: str
    lang: str
    pages: int = 0
    render_s: float = 0.0
    check_ms: float = 0.0
    size: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    pngs: list[str] = field(default_factory=list)
    error: str = ""


def _document(kind: str, data: Callable[[str], dict[str, Any]], lang: str, edition: str) -> Callable[[], bytes]:
    def build() -> bytes:
        return render_pdf(load_document(kind, copy.deepcopy(data(kind))), context(), lang, kind=kind, edition=edition)

    return build


def cases() -> list[Case]:
    out: list[Case] = []
    variants: dict[str, Callable[[str], dict[str, Any]]] = {"sample": sample, "long": long, "token": token}
    for kind in KINDS:
        editions = ("customer", "internal") if forms.audience(kind) == "customer" else ("internal",)
        for variant, data in variants.items():
            for lang in LANGS:
                for edition in editions:
                    name = f"{kind}.{variant}.{lang}.{edition}"
                    out.append(Case(name, kind, variant, lang, _document(kind, data, lang, edition)))
    for lang in LANGS:
        for is_long in (False, True):
            variant = "long" if is_long else "sample"
            out.append(Case(f"compliance-review.{variant}.{lang}", "compliance-review", variant, lang, functools.partial(compliance_pdf, lang, is_long)))
        out.append(Case(f"pipeline.sample.{lang}", "pipeline", "sample", lang, functools.partial(pipeline_pdf, lang)))
    return out


def cell_timing() -> list[tuple[int, float]]:
    """Seconds to render a visit-feedback whose decision-chain role holds an unbroken token of n characters."""
    out = []
    for n in (3_000, 6_000, 12_000):
        d = sample("visit-feedback")
        d["decision_chain"][1]["role"] = TOKEN[:n]
        start = time.perf_counter()
        render_pdf(load_document("visit-feedback", d), context(), "en", kind="visit-feedback")
        out.append((n, round(time.perf_counter() - start, 2)))
    return out


def run(case: Case, out: Path, png: bool) -> Result:
    result = Result(case.name, case.subject, case.variant, case.lang)
    try:
        start = time.perf_counter()
        pdf = case.build()
        result.render_s = round(time.perf_counter() - start, 2)
    except Exception as exc:  # a survey reports a case it cannot build and goes on
        result.error = f"{type(exc).__name__}: {exc}"
        return result
    path = out / "pdf" / f"{case.name}.pdf"
    path.write_bytes(pdf)
    result.size = len(pdf)
    start = time.perf_counter()
    found: list[Problem] = problems(pdf)
    result.check_ms = round((time.perf_counter() - start) * 1000, 1)
    result.pages = len(read_layout(pdf))
    result.problems = [asdict(p) for p in found]
    if png and shutil.which("pdftoppm"):
        wanted = sorted({p.page for p in found} | {1, result.pages}) if result.pages > 6 else list(range(1, result.pages + 1))
        for page in wanted:
            prefix = out / "png" / f"{case.name}-{page}"
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(path), str(prefix)], check=True)
            result.pngs.append(str(prefix.parent / f"{prefix.name}.png"))  # with_suffix would eat ".en-2"
    return result


def markdown(results: list[Result], timing: list[tuple[int, float]]) -> str:
    lines = ["# PDF layout survey", "", "| document | pages | render s | check ms | ms/page | " + " | ".join(PROBLEM_KINDS) + " |",
             "|---|---|---|---|---|" + "---|" * len(PROBLEM_KINDS)]
    for r in results:
        counts = [str(sum(p["kind"] == k for p in r.problems) or "") for k in PROBLEM_KINDS]
        per_page = f"{r.check_ms / r.pages:.1f}" if r.pages else ""
        lines.append(f"| {r.name} | {r.pages} | {r.render_s} | {r.check_ms} | {per_page} | " + " | ".join(counts) + " |" + (f" **{r.error}**" if r.error else ""))
    lines += ["", "## Problems", ""]
    for r in results:
        if not r.problems:
            continue
        lines.append(f"### {r.name}")
        for p in r.problems:
            png = next((x for x in r.pngs if x.endswith(f"-{p['page']}.png")), "")
            lines.append(f"- p{p['page']} **{p['kind']}** `{p['text']}`: {p['detail']}" + (f" ({png})" if png else ""))
        lines.append("")
    lines += ["## Unbroken token in a table cell: render time", ""] + [f"- {n:,} characters: {s} s" for n, s in timing]
    return "\n".join(lines) + "\n"


def use_reports_copy(root: Path) -> None:
    """Render with the templates and stylesheet of `root` (a patched copy of reports/): try a fix before making it."""
    import reports.html
    import reports.pdf

    reports.html.TEMPLATES = root / "templates"
    reports.html.ASSETS = reports.pdf.ASSETS = root / "assets"
    reports.pdf.BASE_URL = (root / "assets").resolve().as_uri() + "/"
    reports.html.environment.cache_clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--only", default="", help="only the cases whose name contains this text")
    parser.add_argument("--skip", default="", help="leave out the cases whose name contains this text")
    parser.add_argument("--no-png", action="store_true", help="skip pdftoppm")
    parser.add_argument("--no-timing", action="store_true", help="skip the table-cell token timing probe")
    parser.add_argument("--reports", type=Path, help="a copy of reports/ (templates/ and assets/) with a proposed fix, to render with")
    args = parser.parse_args(argv)
    if args.reports:
        use_reports_copy(args.reports)
    out: Path = args.outdir
    (out / "pdf").mkdir(parents=True, exist_ok=True)
    (out / "png").mkdir(parents=True, exist_ok=True)
    results = []
    for case in cases():
        if args.only not in case.name or (args.skip and args.skip in case.name):
            continue
        result = run(case, out, not args.no_png)
        results.append(result)
        kinds = ", ".join(f"{k} {n}" for k in PROBLEM_KINDS if (n := sum(p["kind"] == k for p in result.problems)))
        print(f"{case.name}: {result.pages} pages, render {result.render_s} s, check {result.check_ms} ms: {result.error or kinds or 'clean'}", flush=True)
    timing = [] if args.no_timing else cell_timing()
    (out / "survey.json").write_text(json.dumps({"results": [asdict(r) for r in results], "cell_timing": timing}, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "survey.md").write_text(markdown(results, timing), encoding="utf-8")
    pages = sum(r.pages for r in results)
    total = sum(r.check_ms for r in results)
    print(f"{len(results)} PDFs, {pages} pages, checked in {total / 1000:.1f} s ({total / max(pages, 1):.1f} ms a page); {out / 'survey.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
