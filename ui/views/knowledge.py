"""Knowledge base: the paper passage by passage, with the items and rules that encode each one."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import streamlit as st

from ui.i18n import bi, current_lang, t
from ui.kbtext import vocab
from ui.services import md_text


@st.cache_resource(show_spinner=False)
def _index() -> dict[str, Any]:
    """Paragraphs, items by paragraph (where their quotes lie), rules by item, not-encoded notes."""
    from knowledge_base.loader import load_kb
    from knowledge_base.passages import load_paper

    paper = load_paper()
    kb = load_kb()
    items_by_para: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for item in kb.items.values():
        for src in item.source:
            for para in paper.locate(src.quote_zh):
                entry = (item.id, src)
                if entry not in items_by_para[para.id]:
                    items_by_para[para.id].append(entry)
    rules_by_item: dict[str, list[str]] = defaultdict(list)
    try:
        from rules.dsl import load_rules  # the rule definitions, when the engine has landed

        for rule in load_rules():
            for item_id in {*getattr(rule, "rests_on", []), getattr(rule, "concludes", None)}:
                if item_id:
                    rules_by_item[item_id].append(rule.id)
    except Exception:  # rules not available yet: the page shows the items alone
        pass
    not_encoded = {pid: ne.reason for pid, ne in getattr(kb, "not_encoded", {}).items()}
    return {
        "paper": paper,
        "kb": kb,
        "items_by_para": dict(items_by_para),
        "rules_by_item": dict(rules_by_item),
        "not_encoded": not_encoded,
    }


st.title(t("kb.title"))
st.caption(t("kb.intro"))
idx = _index()
paper, kb = idx["paper"], idx["kb"]
lang = current_lang()

c1, c2 = st.columns([3, 2])
query = c1.text_input(t("kb.search"), key="kb_query", placeholder=t("kb.search_hint")).strip()
sections = sorted(
    {p.section for p in paper.paragraphs},
    key=lambda s: paper.paragraphs.index(next(p for p in paper.paragraphs if p.section == s)),
)
section = c2.selectbox(
    t("kb.section"),
    ["all", *sections],
    format_func=lambda s, lang=lang: (
        t("kb.all_sections", lang) if s == "all" else t("kb.section_n", lang, s=s)
    ),
    key="kb_section",
)
kinds = sorted({it.kind for it in kb.items.values()})
encoded_n = sum(1 for p in paper.paragraphs if p.id in idx["items_by_para"])
st.caption(
    t("kb.stats", items=len(kb.items), paragraphs=len(paper.paragraphs), encoded=encoded_n)
    + " · "
    + " · ".join(
        f"{t(f'kb.kind.{k}')} {sum(1 for i in kb.items.values() if i.kind == k)}" for k in kinds
    )
)


def _matches(para: Any, q: str) -> bool:
    if not q:
        return True
    ql = q.lower()
    if ql in para.text.lower():
        return True
    for item_id, src in idx["items_by_para"].get(para.id, []):
        item = kb.items[item_id]
        hay = " ".join(
            [item_id, item.label.zh, item.label.en, item.summary.zh, item.summary.en, src.quote_en]
        ).lower()
        if ql in hay:
            return True
    return False


shown = [
    p for p in paper.paragraphs if (section == "all" or p.section == section) and _matches(p, query)
]
st.caption(t("kb.showing", n=len(shown)))
for para in shown[:60]:
    with st.container(border=True):
        encoded = idx["items_by_para"].get(para.id, [])
        head = f"`{para.id}`"
        if encoded:
            head += " · " + t("kb.encoded_by", n=len({i for i, _ in encoded}))
        elif para.id in idx["not_encoded"]:
            head += " · " + t("kb.not_encoded")
        st.markdown(head)
        st.markdown(md_text(para.text))
        if para.id in idx["not_encoded"] and idx["not_encoded"][para.id]:
            st.caption(t("kb.reason") + " " + md_text(bi(idx["not_encoded"][para.id])))
        seen: set[str] = set()
        for item_id, src in encoded:
            item = kb.items[item_id]
            if item_id in seen:
                continue
            seen.add(item_id)
            with st.expander(
                f"{t(f'kb.kind.{item.kind}')} · {bi(item.label)} ({item_id})",
                icon=":material/link:",
            ):
                st.markdown(md_text(bi(item.summary)))
                st.markdown(f"> {md_text(src.quote_zh)}")
                if lang == "en":
                    st.caption(md_text(src.quote_en))
                st.caption(t("kb.provenance") + " " + vocab("provenance", item.provenance.kind))
                rules = idx["rules_by_item"].get(item_id, [])
                if rules:
                    st.markdown(t("kb.rules") + " " + ", ".join(f"`{r}`" for r in rules))
if len(shown) > 60:
    st.info(t("kb.more", n=len(shown) - 60))
