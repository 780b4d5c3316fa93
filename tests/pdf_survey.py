"""Render every document kind and report in both languages, check each PDF's layout, write PNGs to look at.

    python tests/pdf_survey.py OUTDIR [--only TEXT] [--skip TEXT] [--no-png] [--no-timing] [--reports COPY]

For each of the eight kinds: the sample (`reports.samples`), the realistic fixture
(`tests/fixtures/docs/KIND.yaml`), long data made here (many rows, long Chinese and
English texts) and the sample with a 99,000-character token that has no break
opportunity; each in Chinese and English (`--lang zh/en`). Then the compliance review
and the pipeline report, built from plain data (no database). Writes
OUTDIR/pdf/NAME.pdf, OUTDIR/png/NAME-N.png (pdftoppm -r 60), OUTDIR/survey.json and
OUTDIR/survey.md, and prints the summary. `--reports COPY` renders with the templates
and stylesheet of a patched copy of reports/ (to try a fix without touching the tree).

A long text inside a table cell costs WeasyPrint time quadratic in its length (the row
is laid out again on every page it spans): 12,000 characters take ~17 s, 99,000 would
take ~20 minutes. So the token goes into a paragraph field where the kind has one, and
kinds whose free text sits only in table cells get a 12,000-character token there; the
`cell-timing` probe measures the growth.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
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

import yaml

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:  # run as a script: the checker sits next to this file
    sys.path.insert(0, str(TESTS))

from pdf_layout import KINDS as PROBLEM_KINDS  # noqa: E402
from pdf_layout import Problem, problems, read_layout  # noqa: E402

from reports.html import load_document  # noqa: E402
from reports.pdf import render_pdf, render_report_pdf  # noqa: E402
from reports.samples import KINDS, sample, sample_context  # noqa: E402

FIXTURES = TESTS / "fixtures" / "docs"
LANGS = ("zh", "en")
TOKEN = ("3f9a1c0e7b2d4c55a8e19f0b6d7c2e4a" * 3100)[:99_000]  # a hash-like run: no space, no CJK, no hyphen
CELL_TOKEN = TOKEN[:12_000]

ZH_PARAGRAPH = (
    "客户车队常年在京津冀—长三角干线与城配两种工况下运营，冬季最低气温 -20℃，夏季高温高湿；"
    "对整车可靠性、冷机稳定性、百公里油耗与服务响应时效都提出了明确的量化要求，并要求供应商提供同线路实测数据、"
    "驻场工程师与备件储备方案。"
)
EN_PARAGRAPH = (
    "The customer's fleet runs both trunk routes between Beijing-Tianjin-Hebei and the Yangtze delta and city deliveries, "
    "at down to -20 °C in winter and in hot, humid summers; it sets measurable targets for reliability, refrigeration "
    "uptime, fuel consumption per 100 km and service response times, and asks for measured data on the same routes, "
    "an engineer on site and a spare-parts plan."
)
NAMES = ["张伟", "Zhang Wei-Long Alexander", "欧阳建国", "Christopher Montgomery-Smith", "司马相如", "王芳"]
DEPARTMENTS = ["设备部采购与技术评审委员会", "Procurement and technical evaluation committee", "总经理办公室", "Fleet operations"]


def _text(n: int) -> str:
    """n paragraphs alternating Chinese and English, one a line (templates print one <p> a line)."""
    return "\n".join(ZH_PARAGRAPH if i % 2 == 0 else EN_PARAGRAPH for i in range(n))


def _long(kind: str) -> dict[str, Any]:
    """The sample made long: many rows, long Chinese and English texts, long names in narrow columns."""
    d = sample(kind)
    names = NAMES * 5
    if kind == "phone-invite-feedback":
        d["contact"] = {"name": "Christopher Montgomery-Smith（欧阳建国）", "title": "车队队长兼设备管理部副主任 Fleet manager", "phone": "+86 138-1021-5566 ext. 8021"}
        d["visit_place"] = "北京市顺义区顺通物流园 3 号楼 2 层大会议室 Building 3, Shuntong Logistics Park, Shunyi District, Beijing"
        d["our_visitors"], d["customer_attendees"] = names[:12], names[6:18]
        d["purpose"], d["notes"] = _text(4), _text(8)
        d["attachments"] = [f"通话记录 call-recording-2026-03-{i:02d}-customer-fleet-department.m4a" for i in range(1, 16)]
    elif kind == "visit-feedback":
        d["our_visitors"] = names[:10]
        d["customer_attendees"] = [{"name": n, "department": DEPARTMENTS[i % 4], "title": "Deputy director of equipment 设备部副主任"} for i, n in enumerate(names[:24])]
        d["decision_chain"] = [
            {"name": n, "department": DEPARTMENTS[i % 4], "role": "技术选型决策人 Technical selection decision maker",
             "influence": ["high", "medium", "low"][i % 3], "stance": ["supporter", "neutral", "opponent", "unknown"][i % 4]}
            for i, n in enumerate(names[:30])
        ]
        d["materials_delivered"] = [f"欧曼 EST 产品手册 Auman EST product brochure, edition {i}" for i in range(20)]
        d["advantages_presented"], d["purchase_process"], d["next_steps"] = _text(6), _text(3), _text(3)
        d["needs"]["vehicle_use"] = d["needs"]["operating_environment"] = EN_PARAGRAPH
    elif kind == "product-proposal":
        d["customer_concerns"] = [ZH_PARAGRAPH[:40], EN_PARAGRAPH[:90]] * 6
        d["configurations"] = [
            {"model": f"欧曼 EST 6×4 牵引车 Auman EST 6x4 tractor, X12 480 hp AMT variant {i}", "tonnage": 25.5, "chassis": f"BJ4259SNFKB-AA{i:02d}",
             "body": "冷藏厢体 9.6 米 refrigerated box body", "emission_standard": "国六 b China VI b", "quantity": 120 + i, "unit_price": 398000.5 + i}
            for i in range(25)
        ]
        d["competition"]["competitors"] = [{"name": n, "strengths": EN_PARAGRAPH[:120], "relationship": ZH_PARAGRAPH[:50]} for n in names[:12]]
        d["competition"]["previous_prices"] = d["competition"]["previous_vehicle_performance"] = _text(2)
        d["solution_summary"] = _text(6)
    elif kind == "exchange-minutes":
        d["our_participants"], d["customer_participants"] = names[:14], names[3:20]
        d["topics"] = d["technical_requirements"] = d["commercial_standards"] = [ZH_PARAGRAPH[:60], EN_PARAGRAPH[:140]] * 6
        d["open_issues"] = [{"issue": EN_PARAGRAPH[: 60 + i * 5], "owner": names[i], "due": "2026-04-30"} for i in range(30)]
    elif kind == "evaluation-scorecard":
        rivals = ["解放 FAW Jiefang", "重汽 Sinotruk HOWO", "东风商用车 Dongfeng", "陕汽重卡 Shacman"]
        labels = ["客户关系 Customer relationship", "售后服务 After-sales service", "行业地位 Industry standing", "品牌 Brand",
                  "产品性能 Product performance", "价格 Price", "供货能力 Supply capacity", "快速解决方案 Fast solutions",
                  "融资方案 Financing", "配件供应 Parts supply"]
        d["criteria"] = [
            {"name": label, "weight": 10, "our_score": 7.5, "competitor_scores": {r: 6.5 + j for j, r in enumerate(rivals)}} for label in labels
        ]
        d["decision_roles"] = [{"name": n, "role": ["decider", "manager", "executor"][i % 3], "department": DEPARTMENTS[i % 4]} for i, n in enumerate(names[:20])]
        d["purchase_standards"] = [{"standard": ZH_PARAGRAPH[:30 + i] + " " + EN_PARAGRAPH[:60], "we_meet": i % 2 == 0, "competitor_meets": i % 3 == 0} for i in range(12)]
    elif kind == "negotiation-minutes":
        d["our_participants"], d["customer_participants"] = names[:12], names[2:16]
        d["product"] = "欧曼 EST 6×4 牵引车（X12 480 马力，AMT，国六）Auman EST 6x4 tractor, X12 480 hp, AMT gearbox, China VI b, refrigerated body"
        d["service_terms"], d["delivery_mode"] = _text(5), EN_PARAGRAPH
        d["concessions"] = [{"given": ZH_PARAGRAPH[: 30 + i], "received": EN_PARAGRAPH[: 80 + i]} for i in range(20)]
        d["agreed_items"] = d["open_items"] = [ZH_PARAGRAPH[:50], EN_PARAGRAPH[:120]] * 6
    elif kind == "contract-review":
        d["contract_no"] = "FT-KA-2026-0412-BEIJING-SHUNTONG-COLD-CHAIN-LOGISTICS-FLEET-RENEWAL-PHASE-2"
        d["delivery_mode"], d["special_service_requests"] = _text(3), _text(4)
        d["quantity"], d["unit_price"], d["quality_deposit"] = 999_999, 999_999_999.99, 999_999_999.99
    elif kind == "service-plan":
        d["training"] = [
            {"date": "2026-05-21", "audience": f"驾驶员（{i + 20} 人）Drivers and fleet supervisors, group {i}", "topics": ["节油驾驶 Fuel-saving driving", "AMT 使用 AMT operation", "日常检查 Daily checks"]}
            for i in range(20)
        ]
        d["service_station"] = {"name": "北京顺义欧曼服务站 Beijing Shunyi Auman authorised service station (24 h)", "contact": "Christopher Montgomery-Smith", "phone": "+86 010-6945-1234 ext. 801"}
        d["care_activities"] = [ZH_PARAGRAPH[:40], EN_PARAGRAPH[:100]] * 5
        for key in ("policy_support", "business_meetings", "senior_visits", "holiday_visits"):
            d[key] = _text(2)
    return d


# Where the 99,000-character token goes: a paragraph (text block) field where the kind has one;
# otherwise a table cell with the 12,000-character token (see the module docstring).
TOKEN_FIELD: dict[str, tuple[str, str]] = {
    "phone-invite-feedback": ("notes", TOKEN),
    "visit-feedback": ("advantages_presented", TOKEN),
    "product-proposal": ("solution_summary", TOKEN),
    "negotiation-minutes": ("service_terms", TOKEN),
    "exchange-minutes": ("topics", TOKEN),  # a bullet of the list
    "evaluation-scorecard": ("criteria.0.name", CELL_TOKEN),
    "contract-review": ("special_service_requests", CELL_TOKEN),
    "service-plan": ("policy_support", CELL_TOKEN),
}


def _token(kind: str) -> dict[str, Any]:
    d = sample(kind)
    path, token = TOKEN_FIELD[kind]
    if path == "topics":
        d["topics"] = [token, *d["topics"]]
    elif path == "criteria.0.name":
        d["criteria"][0]["name"] = token
    else:
        d[path] = token
    return d


def _fixture(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / f"{kind}.yaml").read_text(encoding="utf-8"))
    return data


# -- the two reports, from plain data -----------------------------------------------------------


def _compliance_pdf(lang: str, long: bool) -> bytes:
    """The compliance review page (compliance-review.html) from data shaped like `review_view`."""
    from workflow.compliance import PAGE_WORDS, RULES  # the page's own words and rule titles
    from workflow.evaluation import RISK_LABELS

    def say(zh: str, en: str) -> str:
        return zh if lang == "zh" else en

    reasons = {
        "delivery-cycle": [say("交货周期 45 天短于生产周期 60 天加 7 天余量", "the delivery cycle of 45 days is shorter than production (60 days) plus the 7-day margin")],
        "breach-liability": [say("违约赔偿比例 12% 超过上限 10%", "the penalty of 12% exceeds the 10% limit")],
        "signoffs": [say("财务部尚未审批合同审核表 v3", "finance has not approved contract review v3"),
                     say("法务部（钱丽）驳回：保证金比例需复核", "legal (Qian Li) rejected: the deposit ratio needs another look")],
    }
    if long:
        reasons = {code: [*texts, *(say(ZH_PARAGRAPH, EN_PARAGRAPH) for _ in range(3))] for code, texts in reasons.items()}
    rules = [
        {"code": f"compliance.{code}", "title": title.render(lang), "ok": code not in reasons, "reasons": reasons.get(code, []),
         "detail": None if code in reasons else say("贷款，上完牌后到账", "loan, after registration"),
         "command": "kam review approve 12 --department DEPT" if code in reasons else ""}
        for code, title in RULES
    ]
    departments = [("sales", "销售部", "Sales"), ("finance", "财务部", "Finance"), ("legal", "法务部", "Legal"), ("production", "生产部", "Production")]
    signoffs = [
        {"department": "sales", "department_label": say("销售部", "Sales"), "reviewer": "张伟", "decision": "approve", "void": False,
         "review_version": 3, "at": dt.datetime(2026, 4, 18, 15, 2), "comment": say("同意", "agreed") if not long else EN_PARAGRAPH},
        {"department": "legal", "department_label": say("法务部", "Legal"), "reviewer": "Christopher Montgomery-Smith", "decision": "reject",
         "void": False, "review_version": 3, "at": dt.datetime(2026, 4, 19, 9, 30), "comment": say("保证金比例需复核", "the deposit ratio needs another look")},
    ]
    standards = [{"standard": say("-30℃ 冷启动，带发动机预热", "cold start at -30 °C with engine pre-heating"), "we_meet": True, "competitor_meets": False, "risk": "watch"}]
    if long:
        standards *= 10
    evaluation = {"version": 2, "our_total": 76.5, "competitor_totals": {"解放 FAW Jiefang": 74.0, "重汽 Sinotruk HOWO": 71.5, "东风 Dongfeng": 69.0},
                  "leader": "us", "margin": 2.5, "defection_risk": "watch", "standards": standards}
    review = {"id": 12, "contract_no": "FT-KA-2026-0412", "review_version": 3, "minutes_version": 2, "ok": False, "rules": rules,
              "signoffs": signoffs, "evaluation": evaluation}
    words = {key: text.render(lang) for key, text in PAGE_WORDS.items()}
    words["some_fail"] = PAGE_WORDS["some_fail"].render(lang).format(n=len(reasons))
    decided = {s["department"] for s in signoffs}
    context = {
        "title": words["title"], "review": review, "W": words,
        "risk_label": {key: text.render(lang) for key, text in RISK_LABELS.items()},
        "waiting": [{"id": i, "label": say(zh, en)} for i, zh, en in departments if i not in decided],
    }
    return render_report_pdf("compliance-review.html", context, sample_context(version=3), lang)


def _pipeline_pdf(lang: str) -> bytes:
    """The pipeline report through the command's own PDF writer, fed figures made here."""
    from commands import report as command  # the writer builds the page context; only its output is replaced
    from workflow.pipeline import Conversion, PipelineReport, Section, StageFigures, Stalled
    from workflow.process import load_process

    process = load_process()
    counts = [120, 80, 55, 40, 26, 14, 9]
    stages = [
        StageFigures(s.id, s.name(lang), count=c, vehicles=c * 8, forecast=(c * 8 * 0.3 if s.trigger else None), avg_days=12.5, on_hold=1)
        for s, c in zip(process.stages, counts, strict=True)
    ]
    stages.append(StageFigures("lost", process.stage_label("lost", lang), count=31, vehicles=240))
    reached = [sum(counts[i:]) + 10 for i in range(len(counts))]
    conversion = [Conversion(a.id, b.id, reached[i], reached[i + 1]) for i, (a, b) in enumerate(zip(process.stages, process.stages[1:], strict=False))]
    now = dt.datetime(2026, 4, 20, 9, 30)
    stalled = [
        Stalled(100 + i, "内蒙古包头市环境卫生服务中心（东河区环卫所）Baotou Sanitation Centre", "2026 年压缩式垃圾车更新采购项目（第二批）Refuse trucks, lot 2",
                NAMES[i % len(NAMES)], "technical_exchange", now - dt.timedelta(days=40 + i), 40 + i, i % 3 == 0)
        for i in range(45)
    ]
    lost = [{"reason": "price", "count": 12, "vehicles": 90}, {"reason": "competitor", "count": 9, "vehicles": 70}]
    section = Section(stages, conversion, lost, stalled, 45)
    result = PipelineReport(now, 30, section, {"王磊": section, "Zhang Wei-Long Alexander": section})

    class Kam:  # what the writer reads of the command context
        actor = "王芳"

        def __init__(self) -> None:
            self.lang, self.process = lang, process

        def t(self, zh: str, en: str) -> str:
            return zh if self.lang == "zh" else en

    written: dict[str, bytes] = {}

    def capture(path: str, content: bytes, force: bool) -> Path:
        written["pdf"] = content
        return Path(path)

    original = command.write_output
    command.write_output = capture
    try:
        # the writer reads only lang, t(), actor and process of the command context
        command._write_pdf(Kam(), result, "pipeline.pdf", None, True)  # type: ignore[arg-type]
    finally:
        command.write_output = original
    return written["pdf"]


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


def _document(kind: str, data: Callable[[str], dict[str, Any]], lang: str) -> Callable[[], bytes]:
    def build() -> bytes:
        return render_pdf(load_document(kind, copy.deepcopy(data(kind))), sample_context(), lang, kind=kind)

    return build


def cases() -> list[Case]:
    out: list[Case] = []
    variants: dict[str, Callable[[str], dict[str, Any]]] = {"sample": sample, "fixture": _fixture, "long": _long, "token": _token}
    for kind in KINDS:
        for variant, data in variants.items():
            for lang in LANGS:
                out.append(Case(f"{kind}.{variant}.{lang}", kind, variant, lang, _document(kind, data, lang)))
    for lang in LANGS:
        for long in (False, True):
            variant = "long" if long else "sample"
            out.append(Case(f"compliance-review.{variant}.{lang}", "compliance-review", variant, lang, functools.partial(_compliance_pdf, lang, long)))
        out.append(Case(f"pipeline.sample.{lang}", "pipeline", "sample", lang, functools.partial(_pipeline_pdf, lang)))
    return out


def cell_timing() -> list[tuple[int, float]]:
    """Seconds to render a visit-feedback whose decision-chain role holds an unbroken token of n characters."""
    out = []
    for n in (3_000, 6_000, 12_000):
        d = sample("visit-feedback")
        d["decision_chain"][1]["role"] = TOKEN[:n]
        start = time.perf_counter()
        render_pdf(load_document("visit-feedback", d), sample_context(), "en", kind="visit-feedback")
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
