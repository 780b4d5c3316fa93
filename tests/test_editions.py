"""Customer and internal editions: who a kind is for, what each edition prints, and that every field is printed.

Rendered from the long realistic documents of tests/long_documents.py (every field filled;
every value of a field marked internal tagged 内情). PDFs are read back as text (pdftotext).
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from long_documents import INTERNAL_TAG, long
from PIL import Image

import forms
from forms.base import is_internal, not_printed
from forms.introspect import FieldSpec, describe
from forms.samples import load as sample
from reports.context import AttachmentNote, Letterhead, sample_context
from reports.html import hidden_keys, load_document, render_html, soften
from reports.pdf import render_pdf
from workflow.rules.files import thumbnail

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")

CUSTOMER_KINDS = ("product-proposal", "exchange-minutes", "negotiation-minutes", "service-plan")
INTERNAL_KINDS = ("phone-invite-feedback", "visit-feedback", "evaluation-scorecard", "contract-review")
MARK = {"zh": "内部资料·请勿外传", "en": "Internal·donotcirculate"}


def pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, whitespace and zero-width spaces removed (cells and lines split strings anywhere)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [squash(page) for page in text.split("\f")[:-1]]


def squash(text: str) -> str:
    return re.sub(r"[\s\u200b]+", "", text)


def test_each_kind_declares_who_it_is_for() -> None:
    assert {kind: forms.audience(kind) for kind in forms.KINDS} == {
        **dict.fromkeys(CUSTOMER_KINDS, "customer"),
        **dict.fromkeys(INTERNAL_KINDS, "internal"),
    }


def test_the_fields_marked_internal() -> None:
    """The decisions listed in the README: our intelligence never goes to the customer."""
    marked = {kind: sorted(hidden_keys(forms.get(kind))) for kind in CUSTOMER_KINDS}
    assert marked == {
        "product-proposal": ["agreed_to_submit", "competition", "customer_type"],
        "exchange-minutes": [],
        "negotiation-minutes": ["concessions"],
        "service-plan": ["holiday_visits", "policy_support", "senior_visits", "user_file_created"],
    }


def test_the_readme_lists_the_decisions() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for kind in CUSTOMER_KINDS:
        for key in hidden_keys(forms.get(kind)):
            assert f"`{key}`" in readme, f"README: the internal field {kind}.{key} is not listed"


# -- every field is printed -------------------------------------------------------------------


def leaves(specs: list[FieldSpec] | tuple[FieldSpec, ...], prefix: str = "") -> list[tuple[str, FieldSpec]]:
    """(dotted path with list items transparent, spec) of every field, objects and lists included."""
    out = []
    for spec in specs:
        path = f"{prefix}{spec.key}"
        out.append((path, spec))
        out += leaves(spec.children, path + ".")
    return out


def _info(kind: str, path: str) -> Any:
    model: Any = forms.get(kind)
    info = None
    for part in path.split("."):
        info = {**model.model_fields, **model.model_computed_fields}[part]
        annotation = getattr(info, "annotation", None) or getattr(info, "return_type", None)
        model = next((a for a in (annotation, *getattr(annotation, "__args__", ())) if hasattr(a, "model_fields")), None)
        if model is None:
            args = getattr(annotation, "__args__", ())
            model = next((a for arg in args for a in (arg, *getattr(arg, "__args__", ())) if hasattr(a, "model_fields")), None)
    return info


def strings(value: Any, specs: tuple[FieldSpec, ...] | list[FieldSpec]) -> list[str]:
    """Every text typed into a free-text field of `value` (not choices, which print as their labels)."""
    out: list[str] = []
    for spec in specs:
        item = value.get(spec.key) if isinstance(value, dict) else None
        if item is None:
            continue
        if spec.type == "str" and isinstance(item, str):
            out.append(item)
        elif spec.type == "list-of-str":
            out += [v for v in item if isinstance(v, str)]
        elif spec.type == "object":
            out += strings(item, spec.children)
        elif spec.type == "list-of-object":
            out += [s for v in item for s in strings(v, spec.children)]
    return out


@pytest.mark.parametrize("kind", forms.KINDS)
def test_the_long_documents_fill_every_field(kind: str) -> None:
    """The completeness test below can only vouch for fields the data fills."""
    data = forms.dump(load_document(kind, long(kind)))

    def filled(value: Any, parts: list[str]) -> bool:
        if not parts:
            return value not in (None, [], {}, "")
        if isinstance(value, list):
            return bool(value) and all(filled(item, parts) for item in value)
        return isinstance(value, dict) and filled(value.get(parts[0]), parts[1:])

    empty = [path for path, spec in leaves(describe(kind)) if not filled(data, path.split("."))]
    assert empty == []


@pytest.mark.parametrize("kind", forms.KINDS)
def test_every_field_is_printed_unless_the_schema_says_why_not(kind: str) -> None:
    """The internal edition (the full document) reads every field, and every text typed in is on the page."""
    data = long(kind)
    seen: set[str] = set()
    page = render_html(load_document(kind, data), sample_context(), "zh", kind=kind, edition="internal", seen=seen)
    unprinted = [
        path for path, _ in leaves(describe(kind)) if path not in seen and not not_printed(_info(kind, path))
    ]
    assert unprinted == [], f"{kind}: the template never prints {unprinted} (print them, or mark them not_printed=why)"
    text = squash(htmllib.unescape(re.sub(r"<[^>]+>", "", page)))
    missing = [s for s in strings(data, describe(kind)) if squash(s) not in text]
    assert missing == []


# -- the customer edition ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", CUSTOMER_KINDS)
def test_a_customer_edition_holds_no_internal_field(kind: str, lang: str, tmp_path: Path) -> None:
    doc = load_document(kind, long(kind))
    model = forms.get(kind)
    labels = [
        info.json_schema_extra[f"label_{lang}"]
        for key, info in {**model.model_fields, **model.model_computed_fields}.items()
        if is_internal(info)
    ]
    customer = "".join(pages(render_pdf(doc, sample_context(), lang, kind=kind), tmp_path))
    assert INTERNAL_TAG not in customer
    # labels are looked for in the HTML: a label wrapped in its cell is not one string in the PDF's text
    page = render_html(doc, sample_context(), lang, kind=kind)
    assert INTERNAL_TAG not in page and [label for label in labels if label in page] == []
    full = render_html(doc, sample_context(), lang, kind=kind, edition="internal")
    if labels:  # the same document's internal edition prints them: the test above can fail
        assert all(label in full for label in labels)
        assert INTERNAL_TAG in full


def test_the_customer_edition_of_a_proposal(tmp_path: Path) -> None:
    """Letterhead, validity (30 days after the document date by default), totals in figures and 大写, both seals."""
    head = Letterhead(name="北汽福田汽车股份有限公司", short_name="福田汽车", department="大客户部", address="北京市昌平区沙阳路",
                      phone="010-80708888", website="www.foton.com.cn", is_default=False)  # fmt: skip
    ctx = sample_context(company=head, created_at=dt.datetime(2026, 4, 20, 9, 30))
    text = "".join(pages(render_pdf(load_document("product-proposal", sample("product-proposal")), ctx, kind="product-proposal"), tmp_path))
    for expected in ("北汽福田汽车股份有限公司", "地址：北京市昌平区沙阳路", "电话：010-80708888", "网址：www.foton.com.cn",
                     "报价有效期至2026-05-20", "¥13,190,000.00（大写：人民币壹仟叁佰壹拾玖万元整）",
                     "客户方（盖章）", "我方（盖章）", "签字", "日期"):  # fmt: skip
        assert squash(expected) in text, expected
    assert text.count("盖章处") == 2
    assert "内部资料" not in text and "审核人" not in text
    typed = sample("product-proposal") | {"valid_until": "2026-06-30"}
    text = "".join(pages(render_pdf(load_document("product-proposal", typed), ctx, kind="product-proposal"), tmp_path))
    assert "报价有效期至2026-06-30" in text


def test_negotiated_total_in_words_in_english(tmp_path: Path) -> None:
    text = "".join(pages(render_pdf(load_document("negotiation-minutes", sample("negotiation-minutes")), sample_context(), "en", kind="negotiation-minutes"), tmp_path))
    assert "CNY10,860,000.00(inwords:人民币壹仟零捌拾陆万元整)" in text
    assert "Forthecustomer(seal)" in text and "Ourcompany(seal)" in text and text.count("Sealhere") == 2


def test_an_internal_kind_has_no_customer_edition() -> None:
    with pytest.raises(ValueError, match="internal document"):
        render_html(load_document("visit-feedback", sample("visit-feedback")), sample_context(), kind="visit-feedback", edition="customer")


# -- internal documents -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", forms.KINDS)
def test_an_internal_edition_is_marked_on_every_page_and_ends_in_our_boxes(kind: str, lang: str, tmp_path: Path) -> None:
    texts = pages(render_pdf(load_document(kind, long(kind)), sample_context(), lang, kind=kind, edition="internal"), tmp_path)
    assert len(texts) >= 2
    assert [i for i, page in enumerate(texts, 1) if MARK[lang] not in page] == []
    last = texts[-1]
    words = ("填写人", "审核人", "日期") if lang == "zh" else ("Preparedby", "Reviewedby", "Date")
    assert all(w in last for w in words)
    assert "客户方" not in "".join(texts) and "Forthecustomer" not in "".join(texts)


@pytest.mark.parametrize("kind", CUSTOMER_KINDS)
def test_a_customer_edition_is_never_marked_internal(kind: str, tmp_path: Path) -> None:
    texts = pages(render_pdf(load_document(kind, sample(kind)), sample_context(), kind=kind), tmp_path)
    assert not any("内部资料" in page for page in texts)


def test_a_superseded_version_and_a_review_awaiting_sign_offs_say_so(tmp_path: Path) -> None:
    ctx = sample_context(version=1, superseded_by=3, awaiting_signoffs=["财务部", "法务部"])
    texts = pages(render_pdf(load_document("contract-review", sample("contract-review")), ctx, kind="contract-review"), tmp_path)
    assert all("已被v3取代" in page for page in texts)  # in the header of every page
    assert "本文件为v1，已被v3取代，请以最新版本为准。" in texts[0]
    assert "待会签尚待审批：财务部、法务部" in texts[0]
    english = pages(render_pdf(load_document("contract-review", sample("contract-review")), ctx, "en", kind="contract-review"), tmp_path)
    assert "Supersededbyv3" in english[0] and "Awaitingsign-offsNotyetapprovedby:财务部,法务部" in english[0]


def test_attachments_are_listed_and_photos_shown_in_the_internal_edition_only(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 90, 160)).save(buffer, "JPEG")
    photo = buffer.getvalue()
    notes = [
        AttachmentNote(1, "现场照片.jpg", len(photo), "a79dfd2201bd4c55a8e19f0b6d7c2e4a91b0c3d5e6f708192a3b4c5d6e7f8091", "image/jpeg", "客户车场", thumbnail(photo, "image/jpeg")),
        AttachmentNote(2, "招标文件.pdf", 2_400_000, "17d28424e6bd4c55a8e19f0b6d7c2e4a91b0c3d5e6f708192a3b4c5d6e7f8091", "application/pdf"),
    ]
    ctx = sample_context(attachments=notes)
    doc = load_document("product-proposal", sample("product-proposal"))
    customer = render_pdf(doc, ctx, kind="product-proposal")
    internal = render_pdf(doc, ctx, kind="product-proposal", edition="internal")
    for pdf in (customer, internal):
        text = "".join(pages(pdf, tmp_path))
        assert "现场照片.jpg" in text and "a79dfd2201bd" in text and "招标文件.pdf" in text and "2.3MB" in text
    assert "客户车场" not in "".join(pages(customer, tmp_path))  # notes are ours
    assert "附：照片" in "".join(pages(internal, tmp_path)) and "附：照片" not in "".join(pages(customer, tmp_path))
    assert images(internal, tmp_path) == 1 and images(customer, tmp_path) == 0


def images(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "img.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return len(out.splitlines()) - 2


# -- markup and long runs ------------------------------------------------------------------------


def test_markup_in_the_company_settings_prints_literally(tmp_path: Path) -> None:
    head = Letterhead(name="<img src=http://127.0.0.1:9/x>{{ 7*7 }}", department="</style><style>*{color:red}", address="${x}{% raw %}",
                      phone="url(http://127.0.0.1:9/c)", website="javascript:alert(1)", is_default=False)  # fmt: skip
    page = render_html(load_document("exchange-minutes", sample("exchange-minutes")), sample_context(company=head), kind="exchange-minutes")
    assert "<img src=http" not in page and "</style><style>" not in page
    assert "&lt;img src=http://127.0.0.1:9/x&gt;{{ 7*7 }}" in page  # escaped, and never evaluated as a template
    text = "".join(pages(render_pdf(load_document("exchange-minutes", sample("exchange-minutes")), sample_context(company=head), kind="exchange-minutes"), tmp_path))
    for value in (head.name, head.department, head.address, head.phone, head.website):
        assert squash(value) in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3f9a1c0e7b2d4c55a8e19f0b6d7c2e4a91b0c3d5", "3f9a1c0e7b2d\u200b4c55a8e19f0b\u200b6d7c2e4a91b0\u200bc3d5"),
        ("https://example.com/a/very/long/path?query=1", "https:\u200b/\u200b/\u200bexample.\u200bcom/\u200ba/\u200bvery/\u200blong/\u200bpath?\u200bquery=\u200b1"),
        ("short hash 3f9a1c0e7b2d", "short hash 3f9a1c0e7b2d"),  # under 40: untouched
        ("客户车队常年在京津冀长三角干线与城配两种工况下运营冬季最低气温零下二十度夏季高温高湿对整车可靠性", None),  # breaks anyway
        ("Christopher Montgomery-Smith and Zhang Wei-Long Alexander met twice", None),  # spaces: untouched
    ],
)
def test_long_runs_get_break_opportunities(text: str, expected: str | None) -> None:
    assert soften(text) == (text if expected is None else expected)


def test_a_grapheme_is_never_split() -> None:
    run = "e\u0301" * 30 + "👩\u200d🔧" * 10
    softened = soften(run)
    assert softened.replace("\u200b", "") == run
    assert all(not (a == "\u200b" and (b in "\u0301\u200d")) for a, b in zip(softened, softened[1:], strict=False))
    assert "\u200d\u200b" not in softened
