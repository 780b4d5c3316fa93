"""Text with no break opportunity wraps inside its box, in every kind and both editions (issue 12).

Each document carries a 2,000-character URL and a 3,000-character hash-like token (no space, no CJK, no hyphen)
in its long field; the PDF is read back glyph by glyph (PDFium, tests/pdf_layout.py): no glyph lies outside the
page's text area (the @page margins: 16 mm each side), none overlaps another, crosses its cell or is clipped.
Whole-page pictures (pdftoppm -r 60) of these PDFs were looked at when this was written.
The text layer reads the URL back whole: the break opportunities kam adds (reports.html.soften) are not in it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from long_documents import TOKEN, TOKEN_FIELD, context, sample
from pdf_layout import describe, problems, read_layout

import forms
from reports.html import load_document, render_html
from reports.pdf import html_to_pdf

MM = 72 / 25.4
SIDE_MARGIN = 16 * MM  # reports/assets/report.css: @page { margin: 26mm 16mm 22mm 16mm }
URL = ("https://portal.example.com/tender/2026/" + "/".join(f"lot{i:03d}-doc" for i in range(300)))[:2000]
CASES = [
    (kind, edition)
    for kind in forms.KINDS
    for edition in (("customer", "internal") if forms.audience(kind) == "customer" else ("internal",))
]


# The long field of each kind (tests/long_documents.py), where it is printed in both editions; service-plan's
# policy_support is internal (not in the customer edition at all), so the URL goes into business_meetings there.
FIELDS = {**TOKEN_FIELD, "service-plan": "business_meetings"}


def _document(kind: str) -> dict[str, object]:
    data = sample(kind)
    value = f"{URL} {TOKEN[:3000]}"
    path = FIELDS[kind]
    if path == "topics":
        data["topics"] = [value, *data["topics"]]  # type: ignore[list-item]
    elif path == "criteria.0.name":
        data["criteria"][0]["name"] = value  # type: ignore[index]
    else:
        data[path] = value
    return data


@pytest.mark.parametrize(("kind", "edition"), CASES, ids=["-".join(c) for c in CASES])
def test_a_url_and_a_token_wrap_inside_the_text_area(kind: str, edition: str, tmp_path: Path) -> None:
    pdf = html_to_pdf(render_html(load_document(kind, _document(kind)), context(), "en", kind=kind, edition=edition))
    found = problems(pdf)
    assert found == [], describe(found)
    pages = read_layout(pdf)
    for number, page in enumerate(pages, 1):
        outside = [g for g in page.glyphs if not g.watermark and (g.x0 < SIDE_MARGIN - 0.5 or g.x1 > page.width - SIDE_MARGIN + 0.5)]
        assert outside == [], (number, "".join(g.char for g in outside[:40]))
    if shutil.which("pdftotext"):
        body, wanted = _body_text(pdf, tmp_path), f"{_squeezed(URL)}{TOKEN[:3000]}"
        if kind in PARAGRAPHS:
            assert wanted in body  # character for character: nothing lost, nothing added
        else:  # in a table, the other cells of each line come in between: in order all the same
            assert _subsequence(wanted, body)


# Kinds whose long field prints as a paragraph (the others print it in a table cell beside other columns).
PARAGRAPHS = {"phone-invite-feedback", "product-proposal", "negotiation-minutes", "contract-review"}


def _subsequence(wanted: str, text: str) -> bool:
    found = iter(text)
    return all(char in found for char in wanted)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _body_text(pdf: bytes, tmp_path: Path) -> str:
    """The text layer of the pages' body (the running header and footer cropped off, the diagonal mark removed).

    `-raw` keeps the text in content order and a hyphen at a line's end as it is (pdftotext would otherwise join
    "lot005-" and "doc" into "lot005doc"), so the URL must come back character for character: nothing lost, no
    zero-width space added, the token right after it.
    """
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    top, height = int(26 * MM), int((297 - 26 - 22) * MM)
    command = ["pdftotext", "-raw", "-enc", "UTF-8", "-x", "0", "-y", str(top), "-W", "596", "-H", str(height)]
    text = subprocess.run([*command, str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "\u200b" not in text
    squeezed = _squeezed(text)
    for mark in ("INTERNAL·DONOTCIRCULATE", "内部资料·请勿外传"):
        squeezed = squeezed.replace(mark, "")
    return squeezed
