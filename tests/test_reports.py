"""Rendering documents to HTML and PDF: what the reader sees, safety, determinism.

PDFs are checked through their extracted text (pdftotext), HTML against goldens
in tests/fixtures/reports/ (regenerate with KAM_UPDATE_GOLDENS=1).
"""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import forms
import reports
from forms import KINDS
from forms.samples import load as sample
from reports import DocumentContext, MissingFont, RefusedResource, RenderJob
from reports import fonts as report_fonts
from reports.context import sample_context
from reports.html import label_for, load_document, render_html, render_report_html
from reports.pdf import html_to_pdf, render_pdf, url_fetcher

FIXTURES = Path(__file__).parent / "fixtures" / "reports"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


def pdf_text(pdf: bytes, tmp_path: Path, first: int | None = None, last: int | None = None) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def squash(text: str) -> str:
    """Text without whitespace: table cells and wrapped lines split strings anywhere."""
    return re.sub(r"\s+", "", text)


def page_count(pdf: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    """Each kind's sample document as a Chinese PDF, rendered once for the module."""
    return {kind: render_pdf(load_document(kind, sample(kind)), sample_context(), kind=kind) for kind in KINDS}


# -- each kind prints its content -------------------------------------------------------

EXPECTED = {
    "phone-invite-feedback": ["电话邀约反馈单", "赵建国", "车管科科长", "2026-09-0809:30", "高"],
    "visit-feedback": ["拜访反馈报告", "技术选型决策人", "支持者", "周海涛", "财政局预算批复"],
    "product-proposal": ["产品推介书", "福田欧曼EST", "¥368,000.00", "¥11,040,000.00", "人民币壹仟叁佰壹拾玖万元整", "报价有效期至2026-05-20"],
    "exchange-minutes": ["技术交流纪要", "底盘与上装匹配及整备质量", "2026-10-15", "三名一线驾驶员代表"],
    "evaluation-scorecard": ["项目评估表", "客户关系", "快速解决方案", "77.5", "决策者", "执行者"],
    "negotiation-minutes": ["谈判纪要", "¥362,000.00", "¥10,860,000.00", "全款", "上完牌到账"],
    "contract-review": ["合同审核表", "BTHW-2026-118", "已列入公告", "¥362,000.00"],
    "service-plan": ["关系维护与服务计划", "包头福田鑫达服务站", "DPF再生操作", "2027-02-02"],
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_prints_title_customer_and_key_values(kind: str, rendered: dict[str, bytes], tmp_path: Path) -> None:
    text = squash(pdf_text(rendered[kind], tmp_path))
    assert "包头市环境卫生服务中心" in text
    assert "KA-2026-0012" in text
    assert "福田汽车大客户部" in text
    assert "3f9a1c0e7b2d" in text  # the footer's short hash
    for value in EXPECTED[kind]:
        assert squash(value) in text, value


@pytest.mark.parametrize("kind", KINDS)
def test_typical_document_is_small(kind: str, rendered: dict[str, bytes]) -> None:
    assert len(rendered[kind]) <= 250_000


def test_footer_counts_pages(rendered: dict[str, bytes], tmp_path: Path) -> None:
    pdf = rendered["visit-feedback"]
    n = page_count(pdf)
    assert n >= 2
    assert f"第1页/共{n}页" in squash(pdf_text(pdf, tmp_path, 1, 1))
    assert f"第{n}页/共{n}页" in squash(pdf_text(pdf, tmp_path, n, n))


# -- goldens ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_html_matches_golden(kind: str, lang: str) -> None:
    html = render_html(load_document(kind, sample(kind)), sample_context(), lang, kind=kind)
    golden = FIXTURES / f"{kind}.{lang}.html"
    if os.environ.get("KAM_UPDATE_GOLDENS") or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8")


# -- Chinese text: rare characters, long paragraphs, tables across pages -----------------


def test_rare_characters_and_long_paragraphs_wrap(tmp_path: Path) -> None:
    data = sample("visit-feedback")
    paragraph = "吉𠮷犇驫鱻，客户车队在高寒与高湿环境下长期运营，对整车可靠性、冷机稳定性与服务响应时效提出了很高要求。" * 40
    data["advantages_presented"] = paragraph
    pdf = render_pdf(load_document("visit-feedback", data), sample_context(customer="𠮷犇运输有限公司"), kind="visit-feedback")
    text = pdf_text(pdf, tmp_path)
    assert "𠮷犇运输有限公司" in text
    assert squash(paragraph[:60]) in squash(text)
    # The paragraph wraps into many lines instead of running off the page.
    assert sum(1 for line in text.splitlines() if "客户车队" in line or "冷机稳定性" in line) >= 10


def test_long_decision_chain_repeats_its_header_on_the_next_page(tmp_path: Path) -> None:
    data = sample("visit-feedback")
    data["decision_chain"] = [
        {"name": f"联系人{i:02d}", "department": "设备部", "role": "技术评审", "influence": "medium", "stance": "neutral"}
        for i in range(40)
    ]
    pdf = render_pdf(load_document("visit-feedback", data), sample_context(), kind="visit-feedback")
    pages = page_count(pdf)
    assert pages >= 3
    rows_seen_on = [p for p in range(1, pages + 1) if "联系人" in pdf_text(pdf, tmp_path, p, p)]
    assert len(rows_seen_on) >= 2, "the 40-row table should span pages"
    second = pdf_text(pdf, tmp_path, rows_seen_on[1], rows_seen_on[1])
    # The header row is printed again above the continued rows.
    model = forms.get("visit-feedback")
    influence, stance = (label_for(model, f"decision_chain.{k}") for k in ("influence", "stance"))
    assert influence in second and stance in second
    assert second.index(stance) < second.index("联系人")


# -- English -----------------------------------------------------------------------------


def test_english_labels(tmp_path: Path) -> None:
    pdf = render_pdf(load_document("visit-feedback", sample("visit-feedback")), sample_context(), "en", kind="visit-feedback")
    text = pdf_text(pdf, tmp_path)
    for label in ["Visit feedback report", "Decision chain", "Relationship level", "supporter", "Opportunity", "Page 1 of"]:
        assert label in text
    for zh_label in ["拜访反馈报告", "决策链", "支持者", "项目编号"]:
        assert zh_label not in text


def test_english_choice_labels_in_html() -> None:
    html = render_html(load_document("negotiation-minutes", sample("negotiation-minutes")), sample_context(), "en", kind="negotiation-minutes")
    assert "after registration" in html and "full payment" in html
    assert "上完牌到账" not in html


# -- safety ------------------------------------------------------------------------------


INJECTIONS = [
    '<img src="http://127.0.0.1:{port}/img">',
    "<link rel=stylesheet href=http://127.0.0.1:{port}/css>",
    '<img src="file:///etc/hostname">',
    "<style>@import url(http://127.0.0.1:{port}/import);</style>",
    "</td></tr></table><script>alert(1)</script>",
]


@pytest.fixture
def spy_server():
    """An HTTP server on 127.0.0.1 (random port) that records every request it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


def test_markup_in_fields_prints_literally_and_fetches_nothing(spy_server, tmp_path: Path) -> None:
    port, seen = spy_server
    strings = [s.format(port=port) for s in INJECTIONS]
    data = sample("phone-invite-feedback")
    data["notes"] = "\n".join(strings)
    data["purpose"] = strings[0]
    data["contact"]["name"] = strings[1]
    ctx = sample_context(customer=strings[2], company=strings[3], opportunity_title=strings[4])
    doc = load_document("phone-invite-feedback", data)

    html = render_html(doc, ctx)
    # Only escaped forms remain: our templates have no <img>, <script> or @import of their own.
    assert "<img" not in html and "<script>" not in html and "@import" not in html.replace("&lt;style&gt;@import", "")
    assert "<link rel=stylesheet href=http" not in html
    assert "&lt;img src=&#34;http://127.0.0.1" in html

    text = squash(pdf_text(render_pdf(doc, ctx), tmp_path))
    for s in strings:
        assert squash(s) in text
    assert seen == []


def test_fetcher_refuses_everything_but_packaged_assets(spy_server) -> None:
    port, seen = spy_server
    fetcher = url_fetcher()
    for url in [
        f"http://127.0.0.1:{port}/x",
        "file:///etc/hostname",
        (Path(reports.__file__).parent / "assets" / ".." / "html.py").resolve().as_uri(),
        (Path(reports.__file__).parent / "assets").resolve().as_uri() + "/../html.py",
        "ftp://127.0.0.1/x",
    ]:
        with pytest.raises(RefusedResource):
            fetcher.fetch(url)
    assert seen == []
    css = (Path(reports.__file__).parent / "assets" / "report.css").resolve().as_uri()
    assert b"@page" in fetcher.fetch(css).read()
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"


def test_raw_html_with_external_urls_fetches_nothing(spy_server) -> None:
    # Even if a template (not user text) named a URL, the fetcher would refuse it.
    port, seen = spy_server
    html = (
        f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/a.css"></head>'
        f'<body><p>中文</p><img src="http://127.0.0.1:{port}/b.png"><img src="file:///etc/hostname"></body></html>'
    )
    assert html_to_pdf(html).startswith(b"%PDF")
    assert seen == []


# -- determinism ---------------------------------------------------------------------------


def test_same_version_renders_to_the_same_bytes(rendered: dict[str, bytes]) -> None:
    again = render_pdf(load_document("visit-feedback", sample("visit-feedback")), sample_context(), kind="visit-feedback")
    assert again == rendered["visit-feedback"]
    import pypdf

    info = pypdf.PdfReader(io.BytesIO(again)).metadata
    assert info["/CreationDate"].startswith("D:20260420093000")  # the version's time, not "now"
    assert info["/ModDate"] == info["/CreationDate"]


def test_same_bytes_in_another_process(rendered: dict[str, bytes]) -> None:
    code = (
        "import hashlib, sys\n"
        "from reports.html import load_document\n"
        "from reports.pdf import render_pdf\n"
        "from forms.samples import load as sample\nfrom reports.context import sample_context\n"
        "pdf = render_pdf(load_document('product-proposal', sample('product-proposal')), sample_context(), kind='product-proposal')\n"
        "print(hashlib.sha256(pdf).hexdigest())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "123"})
    assert out.stdout.strip() == hashlib.sha256(rendered["product-proposal"]).hexdigest()


def test_new_version_changes_the_footer_and_dates(tmp_path: Path) -> None:
    doc = load_document("exchange-minutes", sample("exchange-minutes"))
    ctx = sample_context(version=3, doc_hash="0123456789abcdef" * 4)
    text = pdf_text(render_pdf(doc, ctx, kind="exchange-minutes"), tmp_path)
    assert "0123456789ab" in text and "0123456789abc" not in text
    assert "v3" in text


# -- fonts and doctor ------------------------------------------------------------------------


def test_missing_chinese_font_is_an_error_not_a_pdf_of_boxes(monkeypatch) -> None:
    monkeypatch.setattr(report_fonts.shutil, "which", lambda name: None)  # no fontconfig at all
    report_fonts.cjk_fonts.cache_clear()
    try:
        with pytest.raises(MissingFont, match="fonts-noto-cjk"):
            render_pdf(load_document("phone-invite-feedback", sample("phone-invite-feedback")), sample_context())
        failed = {c.name: c for c in report_fonts.checks(import_weasyprint=False)}
        assert not failed["chinese-font"].ok
        assert failed["chinese-font"].fix == "sudo apt-get install fonts-noto-cjk"
    finally:
        report_fonts.cjk_fonts.cache_clear()


def test_font_without_chinese_reported_by_fontconfig(monkeypatch) -> None:
    class Empty:
        stdout = ""

    monkeypatch.setattr(report_fonts.subprocess, "run", lambda *a, **k: Empty())
    report_fonts.cjk_fonts.cache_clear()
    try:
        with pytest.raises(MissingFont):
            report_fonts.require_cjk_font()
    finally:
        report_fonts.cjk_fonts.cache_clear()


def test_checks_on_this_machine() -> None:
    result = {c.name: c for c in reports.checks()}
    assert set(result) == {"chinese-font", "pdf-subsetter", "weasyprint"}
    assert result["chinese-font"].ok, result["chinese-font"].detail
    for check in result.values():
        assert check.ok or check.fix


def test_missing_subsetter_says_how_to_fix(monkeypatch) -> None:
    monkeypatch.setattr(report_fonts, "harfbuzz_subset_library", lambda: None)
    check = {c.name: c for c in report_fonts.checks(import_weasyprint=False)}["pdf-subsetter"]
    assert not check.ok and check.fix == "sudo apt-get install libharfbuzz-subset0"


def test_importing_reports_does_not_import_weasyprint() -> None:
    code = "import sys, reports; reports.DocumentContext; reports.MissingFont; print('weasyprint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- robustness --------------------------------------------------------------------------------


def test_minimal_valid_document_renders() -> None:
    data = {
        "visit_date": "2026-03-05",
        "our_visitors": ["张伟"],
        "customer_attendees": [{"name": "李建国"}],
        "handler_found": False,
        "purchase_process": "未知",
        "project_lead": "李建国",
        "needs": {"purchase_quantity": 5},
        "relationship_level": 1,
        "next_steps": "再约",
    }
    html = render_html(load_document("visit-feedback", data), sample_context(), kind="visit-feedback")
    assert "拜访反馈报告" in html and "再约" in html


def test_unknown_kind_uses_the_generic_layout() -> None:
    data = {"subject": "年度回顾", "items": [{"name": "甲", "quantity": 3}], "done": True}
    html = render_html(data, sample_context(), kind="annual-review")
    assert "年度回顾" in html and "<th>数量</th>" in html and ">是<" in html


def test_signoffs_table() -> None:
    signoffs = [{"department": "财务", "reviewer": "钱丽", "decision": "rejected", "at": "2026-04-18 15:02", "comment": "保证金比例需复核"}]
    html = render_html(load_document("contract-review", sample("contract-review")), sample_context(signoffs=signoffs), kind="contract-review")
    assert "部门会签" in html and "驳回" in html and "保证金比例需复核" in html


def test_report_template_mechanism(tmp_path: Path) -> None:
    # Later reports (pipeline, compliance) extend base.html; base.html alone is a valid report.
    ctx = DocumentContext(opportunity_id="—", customer="全部客户", version=1, created_at=sample_context().created_at)
    html = render_report_html("base.html", {"title": "项目管线报告"}, ctx)
    assert "<h1>项目管线报告</h1>" in html
    pdf = reports.render_report_pdf("base.html", {"title": "项目管线报告"}, ctx)
    assert "项目管线报告" in pdf_text(pdf, tmp_path)


def test_render_many_returns_the_pdfs_in_job_order(tmp_path: Path) -> None:
    """The pool renders; the caller writes (one file writer for every PDF kam makes)."""
    jobs = [
        RenderJob(kind, sample(kind), sample_context(), tmp_path / "out" / f"{kind}.pdf")
        for kind in ("exchange-minutes", "evaluation-scorecard")
    ]
    calls: list[int] = []
    results = reports.render_many(jobs, workers=2, progress=lambda done, total, result: calls.append(done))
    assert [r.path for r in results] == [j.output for j in jobs]
    assert sorted(calls) == [1, 2]
    assert not (tmp_path / "out").exists()
    for r in results:
        assert r.pdf.startswith(b"%PDF-") and hashlib.sha256(r.pdf).hexdigest() == r.sha256 and r.size == len(r.pdf)
