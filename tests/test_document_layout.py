"""Both languages laid out for their own text: every kind, both editions, the two reports, from long realistic data.

Each PDF is read back glyph by glyph (tests/pdf_layout.py, PDFium): no two words overlap, no
text crosses its cell or leaves the printable page, nothing is clipped, and no page holds only
a signature box. The documents are tests/long_documents.py's: 20-30 rows, paragraphs
alternating Chinese and English, long mixed names in narrow columns, a 5-competitor scorecard.
"""

from __future__ import annotations

import pytest
from long_documents import LANGS, compliance_pdf, context, long, pipeline_pdf, token
from pdf_layout import describe, problems

import forms
from reports.html import load_document, render_html
from reports.pdf import html_to_pdf, render_pdf

CASES = [
    (kind, lang, edition)
    for kind in forms.KINDS
    for lang in LANGS
    for edition in (("customer", "internal") if forms.audience(kind) == "customer" else ("internal",))
]


@pytest.mark.parametrize(("kind", "lang", "edition"), CASES, ids=["-".join(c) for c in CASES])
def test_every_kind_in_both_languages_and_editions_is_laid_out_cleanly(kind: str, lang: str, edition: str) -> None:
    pdf = html_to_pdf(render_html(load_document(kind, long(kind)), context(), lang, kind=kind, edition=edition))
    found = problems(pdf)
    assert found == [], describe(found)


@pytest.mark.parametrize("lang", LANGS)
def test_the_compliance_review_is_laid_out_cleanly(lang: str) -> None:
    found = problems(compliance_pdf(lang, long=True))
    assert found == [], describe(found)


@pytest.mark.parametrize("lang", LANGS)
def test_the_pipeline_report_is_laid_out_cleanly(lang: str) -> None:
    found = problems(pipeline_pdf(lang))
    assert found == [], describe(found)


# A run of 99,000 characters without a break opportunity (a hash pasted whole): in a paragraph it ran off the page;
# in a table cell WeasyPrint took ~30 minutes (each line laid the rest of the run out again). Now a document holds at
# most forms.MAX_DOCUMENT_CHARS characters, and the renderer gives long runs break opportunities
# (reports.html.soften): the longest run a document can hold wraps inside its box, in time linear in its length.
@pytest.mark.parametrize("kind", ["phone-invite-feedback", "evaluation-scorecard"], ids=["paragraph", "table-cell"])
def test_the_longest_token_a_document_holds_wraps_inside_its_box(kind: str) -> None:
    from bounded import run_bounded

    import forms

    room = forms.MAX_DOCUMENT_CHARS - sum(len(s) for s in _texts(token(kind, 0)))
    assert room > 15_000
    if kind == "evaluation-scorecard":  # a narrow column: the whole room would pass the page limit (next test)
        room = 5_000
    outcome = run_bounded(
        lambda: problems(render_pdf(load_document(kind, token(kind, room)), context(), "en", kind=kind)),
        cpu_seconds=240,
        memory_bytes=1536 << 20,
    )
    assert outcome.bound is None and outcome.error is None, (outcome.bound, outcome.error)
    assert outcome.value == [], describe(outcome.value)


def test_a_table_cell_that_would_pass_the_page_limit_is_stopped_there() -> None:
    from bounded import run_bounded

    import forms
    from reports.errors import TooManyPages
    from reports.pdf import MAX_PAGES

    kind = "evaluation-scorecard"
    room = forms.MAX_DOCUMENT_CHARS - sum(len(s) for s in _texts(token(kind, 0)))
    outcome = run_bounded(
        lambda: render_pdf(load_document(kind, token(kind, room)), context(), "zh", kind=kind),
        cpu_seconds=60,
        memory_bytes=1536 << 20,
    )
    assert outcome.bound is None and outcome.error is not None and outcome.error.startswith("TooManyPages: "), outcome
    with pytest.raises(TooManyPages) as caught:
        render_pdf(load_document(kind, token(kind, room)), context(), "zh", kind=kind)
    assert caught.value.render("zh") == (
        f"商机 12 的项目评估表 v1：排版超过 {MAX_PAGES} 页的上限，已停止：请缩短长文本（尤其是表格中窄列的文字）或减少条目，"
        "长篇材料可作为附件（kam attach add）"
    )


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in _texts(item)]


def test_a_row_taller_than_a_page_starts_under_its_heading() -> None:
    """A scorecard row with 5,000 characters in its 30 mm name column used to be carried whole to the next page,
    and its heading with it, leaving a page with only the heading; it now breaks inside (`tr.tall`): the row
    starts on the page of its heading, and no page holds a heading alone."""
    import pypdfium2

    import forms.samples
    from reports.context import sample_context
    from reports.pdf import render_pdf

    card = forms.samples.load("evaluation-scorecard")
    card["criteria"][0]["name"] = ("3f9a1c0e7b2d4c55a8e19f0b6d7c2e4a" * 200)[:5000]
    pdf = render_pdf(forms.validate("evaluation-scorecard", card), sample_context(), "en", kind="evaluation-scorecard", edition="internal")
    pages = [page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf)]
    first = pages[0]
    assert "Criterion Weight" in first and "3f9a1c0e" in first  # the table and its tall row begin under the heading
    for text in pages:
        body = [line for line in text.splitlines() if line.strip()]
        assert "3f9a1c0e" in text or len(body) > 12, body  # every page holds the row's text or a real body
