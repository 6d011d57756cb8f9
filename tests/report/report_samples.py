"""Sample data for report tests: a case profile and a hand-built assessment of it.

The assessment is built by hand against ``advisor.models.Assessment`` so the templates are tested
on every part of the model (several actors and phases, quotes with and without interview codes,
'why not', warnings) independently of what the engine happens to conclude for a preset.
"""

from __future__ import annotations

from typing import Any

PROFILE: dict[str, Any] = {
    "id": "sample-y",
    "name": "Y 社区志愿服务协会",
    "region": "C 市 J 区",
    "as_of": "2022-03-07",
    "force_type": "government_cultivated",
    "development_mode": None,
    "legitimacy": {"status": "via_government"},
    "funding": {
        "government_direct": 0.8,
        "government_via_third_party": 0.0,
        "third_party_own": 0.0,
        "charity": 0.1,
        "residents": 0.1,
        "self_generated": 0.0,
    },
    "human_resources": {
        "volunteers": 120,
        "core_volunteers": 6,
        "recruited_by": {"government": 0.9, "third_party": 0.0, "self": 0.1},
        "leadership": "cadre",
        "resident_awareness": 1,
    },
    "knowledge": {
        "training_provider": "government",
        "training_sessions_per_year": 2,
        "self_sufficiency": 0,
    },
    "government": {
        "reliance_on_force": 2,
        "control": 4,
        "role": "director",
        "acceptance_mechanism": False,
        "purchases_services": False,
        "party_leadership": 4,
    },
    "agenda": {"set_by": "government", "pattern": "holiday_campaign"},
    "management": {"decision_participation": 0, "incentives": "informal", "records": False},
    "third_party": None,
    "coproduction": {"planning": 0, "design": 0, "delivery": 2, "evaluation": 0},
    "linkage": "three_social",
}

QUOTE_5_1 = {
    "section": "5.1",
    "quote_zh": "逐渐沦为成为基层公共事务的“行政助手”",
    "quote_en": "gradually reduced to an 'administrative assistant' of grassroots public affairs",
}
QUOTE_CODED = {
    "section": "5.1",
    "quote_zh": "目前自发起来的居民只有五六个骨干",
    "quote_en": "at present only five or six residents came forward on their own as core members",
    "interview_code": "202203073123",
}
QUOTE_6 = {
    "section": "6",
    "quote_zh": "重点扮演辅助性角色",
    "quote_en": "focus on playing an auxiliary role",
}


def _action(
    ident: str, rank: int, priority: float, actor: str, phase: int, zh: str, en: str
) -> dict[str, Any]:
    return {
        "id": ident,
        "rank": rank,
        "priority": priority,
        "actor": actor,
        "phase": phase,
        "stage": "foundation" if phase < 3 else "co_planning",
        "addresses": ["administrative_assistant"],
        "dimensions": ["legitimacy", "funding"],
        "label": {"zh": zh, "en": en},
        "rationale": {"zh": f"{zh}的理由。", "en": f"Why: {en}."},
        "priority_breakdown": [
            {"factor": "severity", "value": priority * 0.6},
            {
                "factor": "leverage",
                "value": priority * 0.4,
                "label": {"zh": "论文所述的作用", "en": "Leverage per the paper"},
            },
        ],
        "rules": [f"act_{ident}"],
        "sources": [QUOTE_6],
        "provenance": "paper",
    }


ASSESSMENT: dict[str, Any] = {
    "profile_id": "sample-y",
    "profile_name": "Y 社区志愿服务协会",
    "engine_version": "0.1.0+test",
    "knowledge_base_version": "abc123def456",
    "development_mode": {"value": "top_down", "inferred": True},
    "dependence": {"legitimacy": 0.9, "funding": 0.8, "human_resources": 0.85, "knowledge": 0.7},
    "third_party_dependence": {
        "legitimacy": 0.0,
        "funding": 0.0,
        "human_resources": 0.0,
        "knowledge": 0.0,
    },
    "asymmetry": {
        "force_on_government": 0.81,
        "government_on_force": 0.5,
        "index": 0.31,
        "level": "high",
    },
    "coproduction": {"score": 2, "stage": "co_delivery"},
    "diagnoses": [
        {
            "id": "administrative_assistant",
            "label": {"zh": "行政助手", "en": "Administrative assistant"},
            "severity": 0.9,
            "because": ["agenda.set_by = government"],
            "because_text": [
                {"zh": "议程由政府决定", "en": "the government sets the agenda"},
            ],
            "rules": ["dx_administrative_assistant_agenda"],
            "sources": [QUOTE_5_1],
        },
        {
            "id": "sole_dependence",
            "label": {"zh": "唯一性依赖", "en": "Sole dependence"},
            "severity": 0.7,
            "because": ["funding.government_direct = 0.8"],
            "rules": ["dx_sole_dependence"],
            "sources": [QUOTE_CODED],
        },
    ],
    "actions": [
        _action(
            "gov_auxiliary_role",
            1,
            88.5,
            "government",
            1,
            "政府扮演辅助性角色",
            "Government takes an auxiliary role",
        ),
        _action(
            "gov_bring_in_third_party",
            2,
            80.0,
            "government",
            1,
            "引入社会组织",
            "Bring in a social organisation",
        ),
        _action(
            "tp_train_volunteers",
            3,
            61.25,
            "third_party",
            2,
            "加强对志愿者的培训",
            "Train the volunteers",
        ),
        _action(
            "gov_co_planning", 4, 40.0, "government", 3, "共同规划", "Plan together with volunteers"
        ),
    ],
    "not_recommended": [
        {
            "id": "tp_build_own_capacity",
            "label": {"zh": "社会组织自身能力建设", "en": "Third party builds its own capacity"},
            "actor": "third_party",
            "reason": {"zh": "没有社会组织介入", "en": "there is no third party"},
        }
    ],
    "warnings": [
        {
            "code": "inferred_mode",
            "message": {"zh": "发展模式由本工具推断", "en": "the development mode was inferred"},
        }
    ],
}
