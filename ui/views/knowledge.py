"""Knowledge base: the paper passage by passage, with the items and rules that encode each one."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import streamlit as st

from knowledge_base.rule_index import rules_by_item as knowledge_rules_by_item
from rules.dsl import load_rules
from ui import services
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
    rules_by_item = knowledge_rules_by_item(load_rules())
    not_encoded = {pid: ne.reason for pid, ne in getattr(kb, "not_encoded", {}).items()}
    return {
        "paper": paper,
        "kb": kb,
        "items_by_para": dict(items_by_para),
        "rules_by_item": rules_by_item,
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


PAGE_SIZE = 8


def _hay(para: Any) -> str:
    """Everything a search looks through for a paragraph: its text and the items encoding it."""
    parts = [para.text]
    for item_id, src in idx["items_by_para"].get(para.id, []):
        item = kb.items[item_id]
        parts += [item_id, item.label.zh, item.label.en, item.summary.zh, item.summary.en]
        parts.append(src.quote_en)
    return " ".join(parts).lower()


def _matches(para: Any, words: list[str]) -> bool:
    """Every word of the search (in any order) is in the paragraph or in what encodes it."""
    hay = _hay(para)
    return all(w in hay for w in words)


def highlight(text: str, words: list[str]) -> str:
    """``text`` made inert for markdown, with every occurrence of the search words in bold."""
    out = md_text(text)
    for w in sorted({md_text(w) for w in words if w}, key=len, reverse=True):
        out = re.sub(re.escape(w), lambda m: f"**{m.group(0)}**", out, flags=re.IGNORECASE)
    return out.replace("****", "")


words = [w.lower() for w in query.split()]
shown = [
    p for p in paper.paragraphs if (section == "all" or p.section == section) and _matches(p, words)
]
pages = max(1, (len(shown) + PAGE_SIZE - 1) // PAGE_SIZE)
p1, p2 = st.columns([3, 2], vertical_alignment="bottom")
p1.caption(t("kb.showing", n=len(shown)))
page_no = 1
if pages > 1:
    page_no = p2.selectbox(
        t("kb.page"),
        list(range(1, pages + 1)),
        format_func=lambda n, lang=lang: t("kb.page_n", lang, n=n, of=pages),
        key=f"kb_page:{query}:{section}",  # a new search starts at its first page
    )
for para in shown[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]:
    with st.container(border=True):
        encoded = idx["items_by_para"].get(para.id, [])
        head = (
            t("kb.paragraph_abstract")
            if para.section == "abstract"
            else t("kb.paragraph", section=para.section)
        )
        if encoded:
            head += " · " + t("kb.encoded_by", n=len({i for i, _ in encoded}))
        elif para.id in idx["not_encoded"]:
            head += " · " + t("kb.not_encoded")
        st.markdown(f"**{head}**")
        st.markdown(highlight(para.text, words))
        if para.id in idx["not_encoded"] and idx["not_encoded"][para.id]:
            st.caption(t("kb.reason") + " " + md_text(bi(idx["not_encoded"][para.id])))
        seen: set[str] = set()
        for item_id, src in encoded:
            item = kb.items[item_id]
            if item_id in seen:
                continue
            seen.add(item_id)
            with st.expander(
                f"{t(f'kb.kind.{item.kind}')} · {bi(item.label)}",
                icon=":material/link:",
            ):
                st.markdown(highlight(bi(item.summary), words))
                st.markdown(f"> {md_text(src.quote_zh)}")
                if lang == "en":
                    st.caption(md_text(src.quote_en))
                st.caption(t("kb.provenance") + " " + vocab("provenance", item.provenance.kind))
                rules = idx["rules_by_item"].get(item_id, [])
                if rules and services.show_technical():
                    st.markdown(t("kb.rules") + " " + ", ".join(f"`{r}`" for r in rules))
