"""Long realistic documents and reports for the layout tests and the survey (tests/pdf_survey.py).

`long(kind)`: the kind's sample (`forms.samples`) made long: many rows, paragraphs
alternating Chinese and English, long mixed names ("Christopher Montgomery-Smith",
"Zhang Wei-Long Alexander") in narrow columns, and every optional field filled, so a
template that leaves a field out is caught. Fields marked internal hold text tagged
`INTERNAL_TAG`, so a customer edition can be searched for any of it.

`token(kind)`: the sample with a 99,000-character run without a break opportunity in
a paragraph or a table cell. `compliance_pdf(lang, long)` and `pipeline_pdf(lang)`:
the two reports, built from plain data shaped like their views (no database).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from forms.samples import load as sample
from reports import DocumentContext
from reports.context import AttachmentNote, Letterhead, sample_context

LANGS = ("zh", "en")
TOKEN = ("3f9a1c0e7b2d4c55a8e19f0b6d7c2e4a" * 3100)[:99_000]  # a hash-like run: no space, no CJK, no hyphen

# Every value of a field marked internal carries this, so "no internal value in the customer edition" is one search.
INTERNAL_TAG = "内情"

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


def text(n: int) -> str:
    """n paragraphs alternating Chinese and English, one a line (templates print one <p> a line)."""
    return "\n".join(ZH_PARAGRAPH if i % 2 == 0 else EN_PARAGRAPH for i in range(n))


def internal(value: str) -> str:
    return f"{INTERNAL_TAG}：{value}"


# Models of a deal: long names, and quantities that sum to the samples' 30 (the long contract's 999,999 below).
LINES = [
    {"model": f"欧曼 EST 6×4 牵引车 Auman EST 6x4 tractor, X12 480 hp AMT variant {i}", "configuration": "冷藏厢体 9.6 米 refrigerated box body, 国六 b China VI b",
     "quantity": 999_999 - 11 * 83_333 if i == 0 else 83_333, "unit_price": 362000}
    for i in range(12)
]


def long(kind: str) -> dict[str, Any]:
    """The sample made long, every field filled (see the module docstring)."""
    d = sample(kind)
    names = NAMES * 5
    if kind == "phone-invite-feedback":
        d["contact"] = {"name": "Christopher Montgomery-Smith（欧阳建国）", "title": "车队队长兼设备管理部副主任 Fleet manager", "phone": "+86 138-1021-5566 ext. 8021"}
        d["visit_place"] = "北京市顺义区顺通物流园 3 号楼 2 层大会议室 Building 3, Shuntong Logistics Park, Shunyi District, Beijing"
        d["our_visitors"], d["customer_attendees"] = names[:12], names[6:18]
        d["purpose"], d["notes"] = text(4), text(8)
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
        d["advantages_presented"], d["purchase_process"], d["next_steps"] = text(6), text(3), text(3)
        d["needs"]["vehicle_use"] = d["needs"]["operating_environment"] = EN_PARAGRAPH
        d["attachments"] = [f"拜访照片 site-visit-photo-{i:02d}.jpg" for i in range(1, 9)]
    elif kind == "product-proposal":
        d["customer_type"] = "government"
        d["customer_concerns"] = [ZH_PARAGRAPH[:40], EN_PARAGRAPH[:90]] * 6
        d["configurations"] = [
            {"model": f"欧曼 EST 6×4 牵引车 Auman EST 6x4 tractor, X12 480 hp AMT variant {i}", "tonnage": 25.5, "chassis": f"BJ4259SNFKB-AA{i:02d}",
             "body": "冷藏厢体 9.6 米 refrigerated box body", "emission_standard": "国六 b China VI b", "quantity": 120 + i, "unit_price": 398000.5 + i}
            for i in range(25)
        ]
        d["competition"] = {
            "previous_prices": internal(text(2)),
            "previous_vehicle_performance": internal(text(2)),
            "competitors": [{"name": internal(n), "strengths": internal(EN_PARAGRAPH[:120]), "relationship": internal(ZH_PARAGRAPH[:50])} for n in names[:12]],
        }
        d["solution_summary"] = text(6)
        d["valid_until"] = "2026-06-30"
    elif kind == "exchange-minutes":
        d["place"] = "北京市顺义区顺通物流园 3 号楼 2 层大会议室 Building 3, Shuntong Logistics Park"
        d["our_participants"], d["customer_participants"] = names[:14], names[3:20]
        d["topics"] = d["technical_requirements"] = d["commercial_standards"] = [ZH_PARAGRAPH[:60], EN_PARAGRAPH[:140]] * 6
        d["open_issues"] = [{"issue": EN_PARAGRAPH[: 60 + i * 5], "owner": names[i], "due": "2026-11-30"} for i in range(30)]
    elif kind == "evaluation-scorecard":
        rivals = ["解放 FAW Jiefang", "重汽 Sinotruk HOWO", "东风商用车 Dongfeng", "陕汽重卡 Shacman", "江淮 JAC Gallop"]
        labels = ["客户关系 Customer relationship", "售后服务 After-sales service", "行业地位 Industry standing", "品牌 Brand",
                  "产品性能 Product performance", "价格 Price", "供货能力 Supply capacity", "快速解决方案 Fast solutions",
                  "融资方案 Financing", "配件供应 Parts supply"]
        d["criteria"] = [
            {"name": label, "weight": 10, "our_score": 7.5, "competitor_scores": {r: 6.5 + j * 0.5 for j, r in enumerate(rivals)}} for label in labels
        ]
        d["decision_roles"] = [{"name": n, "role": ["decider", "manager", "executor"][i % 3], "department": DEPARTMENTS[i % 4]} for i, n in enumerate(names[:20])]
        d["purchase_standards"] = [{"standard": ZH_PARAGRAPH[:30 + i] + " " + EN_PARAGRAPH[:60], "we_meet": i % 2 == 0, "competitor_meets": i % 3 == 0} for i in range(12)]
    elif kind == "negotiation-minutes":
        d["our_participants"], d["customer_participants"] = names[:12], names[2:16]
        d["product"] = "欧曼 EST 6×4 牵引车（X12 480 马力，AMT，国六）Auman EST 6x4 tractor, X12 480 hp, AMT gearbox, China VI b, refrigerated body"
        d["service_terms"], d["delivery_mode"] = text(5), EN_PARAGRAPH
        d["concessions"] = [{"given": internal(ZH_PARAGRAPH[: 30 + i]), "received": internal(EN_PARAGRAPH[: 80 + i])} for i in range(20)]
        d["agreed_items"] = d["open_items"] = [ZH_PARAGRAPH[:50], EN_PARAGRAPH[:120]] * 6
        d["lines"], d["quantity"] = LINES, 999_999
    elif kind == "contract-review":
        d["contract_no"] = "FT-KA-2026-0412-BEIJING-SHUNTONG-COLD-CHAIN-LOGISTICS-FLEET-RENEWAL-PHASE-2"
        d["delivery_mode"], d["special_service_requests"] = text(3), text(4)
        d["quantity"], d["unit_price"], d["quality_deposit"] = 999_999, 999_999_999.99, 999_999_999.99
        d["lines"] = [{**line, "unit_price": 999_999_999.99} for line in LINES]
        d["deliveries"] = [{"date": f"2027-{1 + i % 12:02d}-15", "quantity": line["quantity"], "region": "北京市顺义区顺通物流园 Shuntong Logistics Park, Shunyi District"} for i, line in enumerate(LINES)]
        # 质保金 at 0.0001 % of the ~10^15 total is the deposit the schema checks against
        d["payments"] = [
            {"milestone": "首付款 down payment on signing the contract", "percent": 30, "due": "2027-01-15"},
            {"milestone": "发车前 before the vehicles leave the factory", "percent": 69.9999, "due": "2027-03-20"},
            {"milestone": "质保金 quality deposit", "percent": 0.0001, "due": "2028-04-20"},
        ]
        d["quality_deposit"] = 999_998_999.99
    elif kind == "service-plan":
        d["deliveries"] = [{"date": "2027-01-31", "quantity": 15, "region": "北京市顺义区 Shunyi"}, {"date": "2027-02-20", "quantity": 15, "region": "天津市 Tianjin"}]
        d["training"] = [
            {"date": "2027-02-21", "audience": f"驾驶员（{i + 20} 人）Drivers and fleet supervisors, group {i}", "topics": ["节油驾驶 Fuel-saving driving", "AMT 使用 AMT operation", "日常检查 Daily checks"]}
            for i in range(20)
        ]
        d["service_station"] = {"name": "北京顺义欧曼服务站 Beijing Shunyi Auman authorised service station (24 h)", "contact": "Christopher Montgomery-Smith", "phone": "+86 010-6945-1234 ext. 801"}
        d["care_activities"] = [ZH_PARAGRAPH[:40], EN_PARAGRAPH[:100]] * 5
        d["business_meetings"] = text(2)
        for key in ("policy_support", "senior_visits", "holiday_visits"):
            d[key] = internal(text(2))
    return d


# Where the 99,000-character token goes: a paragraph where the kind has one, else a table cell.
TOKEN_FIELD: dict[str, str] = {
    "phone-invite-feedback": "notes",
    "visit-feedback": "advantages_presented",
    "product-proposal": "solution_summary",
    "negotiation-minutes": "service_terms",
    "exchange-minutes": "topics",
    "evaluation-scorecard": "criteria.0.name",
    "contract-review": "special_service_requests",
    "service-plan": "policy_support",
}


def token(kind: str, length: int = len(TOKEN)) -> dict[str, Any]:
    d = sample(kind)
    path, value = TOKEN_FIELD[kind], TOKEN[:length]
    if path == "topics":
        d["topics"] = [value, *d["topics"]]
    elif path == "criteria.0.name":
        d["criteria"][0]["name"] = value
    else:
        d[path] = value
    return d


# -- the two reports, from plain data -----------------------------------------------------------


def compliance_pdf(lang: str, long: bool = True) -> bytes:
    """The compliance review page from data shaped like `workflow.views.compliance.review_view`."""
    from workflow.rules.compliance import RULES
    from workflow.views.compliance import render_review

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
        {"code": f"compliance.{rule.suffix}", "title": rule.title.render(lang), "ok": rule.suffix not in reasons,
         "reasons": reasons.get(rule.suffix, []),
         "detail": None if rule.suffix in reasons else say("贷款，上完牌后到账", "loan, after registration"),
         "command": "kam review approve 12 --department DEPT" if rule.suffix in reasons else ""}
        for rule in RULES
    ]
    departments = [{"id": i, "label": say(zh, en)} for i, zh, en in (("sales", "销售部", "Sales"), ("finance", "财务部", "Finance"), ("legal", "法务部", "Legal"), ("production", "生产部", "Production"))]
    signoffs = [
        {"department": "sales", "department_label": say("销售部", "Sales"), "reviewer": "张伟", "decision": "approve", "void": False,
         "review_version": 3, "at": dt.datetime(2026, 4, 18, 15, 2), "comment": say("同意", "agreed") if not long else EN_PARAGRAPH},
        {"department": "legal", "department_label": say("法务部", "Legal"), "reviewer": "Christopher Montgomery-Smith", "decision": "reject",
         "void": False, "review_version": 3, "at": dt.datetime(2026, 4, 19, 9, 30), "comment": say("保证金比例需复核", "the deposit ratio needs another look")},
    ]
    standards = [{"standard": say("-30℃ 冷启动，带发动机预热", "cold start at -30 °C with engine pre-heating"), "we_meet": True, "competitor_meets": False, "risk": "safe"}]
    if long:
        standards = standards * 10 + [{"standard": say("国六 b 排放，列入公告", "China VI b, in the catalogue"), "we_meet": True, "competitor_meets": True, "risk": "watch"}]
    evaluation = {"version": 2, "our_total": 76.5, "competitor_totals": {"解放 FAW Jiefang": 74.0, "重汽 Sinotruk HOWO": 71.5, "东风 Dongfeng": 69.0},
                  "leader": "us", "margin": 2.5, "defection_risk": "watch", "standards": standards}
    review = {"id": 12, "title": "30 台国六压缩式垃圾车", "account": "包头市环境卫生服务中心", "contract_no": "FT-KA-2026-0412",
              "review_version": 3, "minutes_version": 2, "ok": False, "rules": rules, "signoffs": signoffs, "evaluation": evaluation,
              "departments": departments}
    return render_review(review, sample_context(version=3), lang)


def pipeline_pdf(lang: str) -> bytes:
    """The pipeline report through its own PDF writer (`views.pipeline.pipeline_pdf`), fed figures made here."""
    from workflow.rules.process import load_process
    from workflow.views.pipeline import Conversion, PipelineReport, Section, StageFigures, Stalled, pipeline_pdf

    process = load_process()
    counts = [120, 80, 55, 40, 26, 14, 9]
    stages = [
        StageFigures(s.id, process.stage_label(s.id, lang), count=c, vehicles=c * 8, forecast=(c * 8 * 0.3 if s.trigger else None), avg_days=12.5, on_hold=1)
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
    report = PipelineReport(now, 30, section, {"王磊": section, "Zhang Wei-Long Alexander": section})
    return pipeline_pdf(report, process, lang=lang, owner=None, actor="王芳", as_of="2026-04-20 17:30")


def _jpeg(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=80)
    return out.getvalue()


def letterhead() -> Letterhead:
    """A company that filled in everything, with long Chinese and English texts and a wide logo."""
    from PIL import Image

    logo = io.BytesIO()
    Image.new("RGB", (1200, 300), (31, 58, 95)).save(logo, "PNG")
    return Letterhead(
        name="北汽福田汽车股份有限公司 Beiqi Foton Motor Co., Ltd.",
        short_name="福田汽车",
        department="大客户部（政府及集团客户事业部）Key Account Department",
        address="北京市昌平区沙河镇沙阳路老牛湾村北 Laoniuwan Village North, Shayang Road, Shahe Town, Changping District, Beijing",
        phone="+86 010-8070 8888 ext. 8021 / 400-920-3333",
        website="https://www.foton.com.cn/key-accounts/government-and-fleet-customers",
        logo=logo.getvalue(),
        logo_type="image/png",
        is_default=False,
    )


def attachment_notes() -> list[AttachmentNote]:
    """Attachments with long mixed names, two photos (with thumbnails) and a PDF."""
    from workflow.rules.files import thumbnail

    photos = [_jpeg((4000, 3000), (30, 90, 160)), _jpeg((3000, 4000), (160, 90, 30))]
    notes = [
        AttachmentNote(i + 1, name, len(content), f"{i:x}" * 64, "image/jpeg", EN_PARAGRAPH[:90], thumbnail(content, "image/jpeg"))
        for i, (name, content) in enumerate(zip(["客户车场现有车辆照片（东河区停车场）site-photo-2026-09-08-yard-east.jpg",
                                                 "Christopher Montgomery-Smith 车队队长签字确认页 signed-confirmation-page.jpg"], photos, strict=True))
    ]  # fmt: skip
    notes.append(AttachmentNote(3, "招标文件（第二批）tender-documents-lot-2-" + TOKEN[:60] + ".pdf", 18_900_000, "c" * 64, "application/pdf", ZH_PARAGRAPH))
    return notes


def context(**overrides: Any) -> DocumentContext:
    """The sample header with long names in it (customer, title), a full letterhead and attachments."""
    values: dict[str, Any] = {
        "customer": "内蒙古包头市环境卫生服务中心（东河区环卫所）Baotou Municipal Environmental Sanitation Service Centre",
        "opportunity_title": "2026 年压缩式垃圾车更新采购项目（第二批）Refuse compactor trucks, lot 2 of the 2026 renewal",
        "company": letterhead(),
        "attachments": attachment_notes(),
    }
    values.update(overrides)
    return sample_context(**values)
