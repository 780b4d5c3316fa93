"""Realistic sample documents, one per kind (§8 keys), for tests, the benchmark and demos."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from reports.context import DocumentContext

_SAMPLES: dict[str, dict[str, Any]] = {
    "phone-invite-feedback": {
        "call_date": "2026-03-02",
        "caller": "张伟",
        "contact": {"name": "李建国", "title": "车队队长", "phone": "138-1021-5566"},
        "visit_time": "2026-03-05T14:00",
        "visit_place": "北京市顺义区顺通物流园 3 号楼 2 层会议室",
        "our_visitors": ["张伟", "王芳"],
        "customer_attendees": ["李建国", "赵敏"],
        "purpose": "介绍欧曼 EST 6×4 牵引车及冷藏厢式上装方案，了解客户 2027 年车队更新计划与采购流程。",
        "interest": "high",
        "notes": "客户对百公里油耗和冷机可靠性最为关注，希望看到同线路的实测数据。",
        "attachments": ["通话记录 2026-03-02.m4a"],
    },
    "visit-feedback": {
        "visit_date": "2026-03-05",
        "our_visitors": ["张伟", "王芳", "刘强（技术支持）"],
        "customer_attendees": [
            {"name": "李建国", "department": "车队", "title": "车队队长"},
            {"name": "赵敏", "department": "采购部", "title": "采购经理"},
            {"name": "孙立", "department": "设备部", "title": "设备主管"},
        ],
        "handler_found": True,
        "handler": "赵敏（采购经理）",
        "materials_delivered": ["欧曼 EST 产品手册", "冷链运输解决方案", "同类客户油耗实测报告"],
        "advantages_presented": "介绍了 X12 发动机 + AMT 变速箱的节油表现（同线路实测百公里 29.6 升），"
        "冷藏厢体的保温性能与全国 2,000 余家服务站的保障能力。",
        "purchase_process": "车队提出需求 → 设备部技术论证 → 采购部组织招标（三家以上比价）→ 总经理办公会审批 → 签订合同。"
        "单笔 500 万元以上需集团备案。",
        "project_lead": "孙立（设备主管）",
        "decision_chain": [
            {"name": "周海", "department": "总经理室", "role": "最终拍板人", "influence": "high", "stance": "neutral"},
            {"name": "孙立", "department": "设备部", "role": "技术选型决策人", "influence": "high", "stance": "supporter"},
            {"name": "赵敏", "department": "采购部", "role": "采购经理", "influence": "medium", "stance": "neutral"},
            {"name": "李建国", "department": "车队", "role": "使用者", "influence": "low", "stance": "supporter"},
        ],
        "needs": {
            "fleet_size": 120,
            "replacement_cycle_years": 5,
            "purchase_quantity": 30,
            "purchase_timing": "2026 年第三季度",
            "vehicle_use": "冷链干线运输（生鲜、医药）",
            "operating_environment": "京津冀—长三角干线，冬季最低 -20℃",
        },
        "relationship_level": 2,
        "next_steps": "3 月 15 日前提交初步方案；邀请孙立参观北京工厂；安排同线路试驾。",
        "attachments": ["拜访照片.zip"],
    },
    "product-proposal": {
        "customer_concerns": ["可靠性", "运营经济性（油耗）", "服务能力", "价格"],
        "competition": {
            "previous_prices": "2021 年采购某品牌 6×4 牵引车，单价约 42 万元（含冷机）。",
            "previous_vehicle_performance": "在用车辆百公里油耗约 33 升，冷机故障率偏高，服务站响应慢。",
            "competitors": [
                {"name": "解放", "strengths": "价格低，本地经销商关系深", "relationship": "与采购部关系良好"},
                {"name": "重汽", "strengths": "发动机口碑好", "relationship": "与设备部有接触"},
            ],
        },
        "configurations": [
            {"model": "欧曼 EST 6×4 牵引车", "tonnage": 25, "chassis": "BJ4259SNFKB", "body": "—",
             "emission_standard": "国六", "quantity": 20, "unit_price": 398000},
            {"model": "欧曼 EST 冷藏车", "tonnage": 18, "chassis": "BJ5189XLC", "body": "冷藏厢体 9.6 米",
             "emission_standard": "国六", "quantity": 10, "unit_price": 456000},
        ],
        "solution_summary": "以 20 台牵引车承担干线运输，10 台冷藏车承担城配；配套车联网油耗管理与驻场服务，"
        "预计全生命周期成本较在用车辆降低 8%。",
        "agreed_to_submit": True,
    },
    "exchange-minutes": {
        "meeting_date": "2026-03-20",
        "place": "顺通物流 2 层会议室",
        "our_participants": ["张伟", "刘强", "陈静（产品经理）"],
        "customer_participants": ["孙立", "李建国", "赵敏"],
        "topics": ["牵引车动力链选型", "冷藏厢体保温指标", "车联网数据接口"],
        "technical_requirements": ["冷藏厢 K 值 ≤ 0.4 W/(m²·K)", "发动机功率 ≥ 480 马力", "车联网数据对接客户 TMS"],
        "commercial_standards": ["三家比价", "质保 3 年或 30 万公里", "付款方式可选全款或贷款"],
        "solution_confirmed": True,
        "open_issues": [
            {"issue": "车联网接口协议需客户 IT 部门确认", "owner": "刘强", "due": "2026-03-31"},
            {"issue": "冷机品牌二选一（开利 / 冷王）", "owner": "孙立", "due": "2026-04-05"},
        ],
    },
    "evaluation-scorecard": {
        "criteria": [
            {"name": "客户关系", "weight": 15, "our_score": 7, "competitor_scores": {"解放": 8, "重汽": 6}},
            {"name": "售后服务", "weight": 15, "our_score": 8, "competitor_scores": {"解放": 7, "重汽": 7}},
            {"name": "行业地位", "weight": 10, "our_score": 8, "competitor_scores": {"解放": 9, "重汽": 8}},
            {"name": "品牌", "weight": 10, "our_score": 8, "competitor_scores": {"解放": 8, "重汽": 8}},
            {"name": "产品性能", "weight": 20, "our_score": 9, "competitor_scores": {"解放": 7, "重汽": 8}},
            {"name": "价格", "weight": 15, "our_score": 6, "competitor_scores": {"解放": 8, "重汽": 7}},
            {"name": "供货能力", "weight": 10, "our_score": 8, "competitor_scores": {"解放": 8, "重汽": 7}},
            {"name": "快速解决方案", "weight": 5, "our_score": 9, "competitor_scores": {"解放": 6, "重汽": 6}},
        ],
        "decision_roles": [
            {"name": "周海", "role": "decider", "department": "总经理室"},
            {"name": "孙立", "role": "manager", "department": "设备部"},
            {"name": "李建国", "role": "executor", "department": "车队"},
        ],
    },
    "negotiation-minutes": {
        "meeting_date": "2026-04-12",
        "our_participants": ["张伟", "区域经理 何明"],
        "customer_participants": ["周海", "赵敏"],
        "product": "欧曼 EST 6×4 牵引车（X12 480 马力，AMT，国六）",
        "quantity": 20,
        "unit_price": 392000,
        "price_includes": {"freight": True, "packaging": True, "registration": False},
        "service_terms": "整车质保 3 年或 30 万公里；首年两次免费保养；驻场服务工程师 1 名（前 3 个月）。",
        "payment_method": "loan",
        "payment_timing": "after_registration",
        "delivery_mode": "分两批交车：5 月 10 台、6 月 10 台；北京交车，客户自行上牌。",
        "delivery_cycle_days": 45,
        "concessions": [
            {"given": "单价由 39.8 万降至 39.2 万", "received": "订单量由 15 台增至 20 台"},
            {"given": "增加驻场服务 3 个月", "received": "付款改为上牌后到账"},
        ],
        "agreed_items": ["数量与单价", "交车批次", "质保条款"],
        "open_items": ["上牌费用由谁承担"],
    },
    "contract-review": {
        "contract_no": "FT-KA-2026-0412",
        "configuration": {
            "chassis_confirmed": True,
            "in_announcement_catalogue": True,
            "emission_compliant": True,
            "body_confirmed": True,
        },
        "quantity": 20,
        "unit_price": 392000,
        "price_includes": {"freight": True, "packaging": True, "registration": False},
        "payment_method": "loan",
        "payment_timing": "after_registration",
        "delivery_mode": "分两批交车：5 月 10 台、6 月 10 台；北京交车。",
        "registration_possible_in_region": True,
        "delivery_cycle_days": 45,
        "production_cycle_days": 30,
        "special_service_requests": "前 3 个月驻场服务工程师 1 名。",
        "service_within_policy": True,
        "penalty_percent": 5,
        "quality_deposit": 392000,
    },
    "service-plan": {
        "delivery_date": "2026-05-20",
        "user_file_created": True,
        "training": [
            {"date": "2026-05-21", "audience": "驾驶员（20 人）", "topics": ["节油驾驶", "AMT 使用", "日常检查"]},
            {"date": "2026-05-22", "audience": "车队管理人员", "topics": ["车联网平台", "保养计划"]},
        ],
        "service_station": {"name": "北京顺义欧曼服务站", "contact": "马军", "phone": "010-6945-1234"},
        "care_activities": ["每季度上门巡检", "首保免费"],
        "policy_support": "享受大客户配件八五折。",
        "business_meetings": "每半年一次经营分析会。",
        "senior_visits": "事业部总经理每年拜访一次。",
        "holiday_visits": "春节、中秋走访车队。",
        "order_assurance": {
            "production_control": True,
            "key_component_consistency": True,
            "goods_contract_check": True,
            "first_sample_reviewed": True,
        },
        "pre_delivery_inspection": True,
    },
}

CUSTOMER = "北京顺通冷链物流有限公司"


def sample(kind: str) -> dict[str, Any]:
    """A fresh copy of the sample data for `kind`."""
    return copy.deepcopy(_SAMPLES[kind])


def sample_context(version: int = 1, **overrides: Any) -> DocumentContext:
    values: dict[str, Any] = {
        "opportunity_id": 12,
        "opportunity_number": "KA-2026-0012",
        "opportunity_title": "顺通冷链 2026 年车队更新（30 台）",
        "customer": CUSTOMER,
        "owner": "张伟",
        "author": "王芳",
        "version": version,
        "created_at": dt.datetime(2026, 4, 20, 9, 30, tzinfo=dt.UTC),
        "doc_hash": "3f9a1c0e7b2d4c55a8e19f0b6d7c2e4a91b0c3d5e6f708192a3b4c5d6e7f8091",
    }
    values.update(overrides)
    return DocumentContext(**values)


KINDS = tuple(_SAMPLES)
