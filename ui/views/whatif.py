"""What-if: a baseline and up to four variants side by side, and what moved between them.

The baseline is the profile of the Assess page (or the case a smallest-change path started
from). A variant starts as a copy of it or as one of the paper's levers applied to it
(``advisor.whatif.LEVERS``); more levers can be combined in the same variant and any field of it
changed. ``advisor.whatif.compare`` reports what moved. A variant can be saved as a case of the
user's organisation, or sent to Smallest change and Roadmap (the planning flow of issue 13).
Every write of this page's session state goes through ``ui.services`` (the ``whatif_*`` block).
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from advisor.errors import AdvisorError, ProfileError
from advisor.io import profile_from_data
from advisor.models import BiText, CaseProfile
from ui import profile_form, services
from ui.components import field_widget, from_widget, widget_ok
from ui.i18n import bi, current_lang, in_lang, t
from ui.kbtext import field_label
from ui.services import md_text
from ui.views import plan_view

MAX_VARIANTS = services.WHATIF_MAX

st.title(t("whatif.title"))
st.caption(t("whatif.intro"))

try:
    from advisor import whatif
except ImportError as exc:  # the what-if module is part of the advisor; say so plainly
    st.error(md_text(str(exc)))
    st.stop()

# ---------------------------------------------------------------- the baseline
state = services.whatif_state()
current = services.validate_draft()
res = services.result()
if current is None and res is not None:
    current = res.profile
current_data = current.model_dump(mode="json") if current is not None else None
if state["baseline"] is None:
    if current_data is None:
        st.info(t("whatif.no_baseline"), icon=":material/info:")
        st.page_link("views/assess.py", label=t("nav.assess"), icon=":material/fact_check:")
        st.stop()
    services.whatif_set_baseline(current_data, keep_variants=True)
elif current_data is not None and state["baseline"] != current_data:
    c1, c2 = st.columns([4, 1], vertical_alignment="center")
    c1.warning(t("whatif.baseline_differs"), icon=":material/sync_problem:")
    if c2.button(t("whatif.use_current"), icon=":material/sync:", width="stretch"):
        services.whatif_set_baseline(current_data)
        st.rerun()
baseline = CaseProfile.model_validate(state["baseline"])
variants: list[dict[str, Any]] = state["variants"]
st.caption(t("plan.baseline_is", name=md_text(baseline.name)))


def _problem(p: Any) -> str:
    """A variant's problem in words: the field's name, never its path; shares in %."""
    return md_text(profile_form.problem_line(p, current_lang()))


def _label_of(levers: list[str]) -> dict[str, str]:
    """A variant made of levers is named after them, joined by " + "."""
    names = [whatif.LEVERS[n].label for n in levers if n in whatif.LEVERS]
    return {lang: " + ".join(getattr(x, lang) for x in names) for lang in ("zh", "en")}


def _variant_label(i: int, v: dict[str, Any]) -> str:
    if v.get("label"):
        return bi(v["label"])
    return t("whatif.variant_n", n=i + 1)


# ---------------------------------------------------------------- one-click variants
st.markdown(f"**{t('whatif.add')}**")
full = len(variants) >= MAX_VARIANTS
choices = [*whatif.LEVERS.items(), ("copy", None)]


def _add_copy() -> None:
    services.whatif_add_variant(copy.deepcopy(services.whatif_state()["baseline"]))


def _add_lever(name: str) -> None:
    # a callback: the variant is there when the page runs (one run, no st.rerun)
    try:
        made = whatif.apply_lever(baseline, name)
    except ProfileError as exc:
        services.flash("; ".join(_problem(p) for p in exc.problems), "error")
        return
    services.whatif_add_variant(made.model_dump(mode="json"), _label_of([name]), [name])


# two a row: a button does not wrap its label, and in three columns the English "Government takes
# an auxiliary role (enabler)" ended in "..."
cols = st.columns(2)
for n, (name, lever) in enumerate(choices):
    col = cols[n % 2]
    if lever is None:
        col.button(
            t("whatif.add_copy"),
            key="add_copy",
            icon=":material/add:",
            disabled=full,
            width="stretch",
            on_click=_add_copy,
        )
        continue
    col.button(
        bi(lever.label),
        key=f"lever_{name}",
        icon=":material/bolt:",
        disabled=full,
        width="stretch",
        help=bi(lever.description()),
        on_click=_add_lever,
        args=(name,),
    )
if full:
    st.caption(t("whatif.full", n=MAX_VARIANTS))

if not variants:
    st.info(t("whatif.no_variants"), icon=":material/info:")
    st.stop()

# ---------------------------------------------------------------- edit one variant at a time
specs = {f.path: f for f in profile_form.all_fields() if f.path not in ("id",)}
gen = state.get("generation", 0)
editing = min(state.get("editing", 0), len(variants) - 1)


def _set_field(i: int, path: str, key: str) -> None:
    if key != services.form_key(f"val_{services.whatif_state().get('generation', 0)}_{i}_{path}"):
        return  # a widget of an earlier generation (see ui.services.form_key)
    spec = specs[path]
    value = services.widget_value(key)
    if not widget_ok(spec, value):
        return
    value = from_widget(spec, value)  # a share typed in % is kept as the model's 0-1 share
    if spec.kind == "share" and value == _field_value(i, path):
        return  # the same share: the variant keeps its own digits
    services.whatif_set_field(i, path, value)


def _field_value(i: int, path: str) -> Any:
    """The value of ``path`` in variant ``i`` (None where a section is absent)."""
    node: Any = services.whatif_state()["variants"][i]["data"]
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _combine_lever(i: int, key: str) -> None:
    name = services.widget_value(key)
    if name not in whatif.LEVERS or i >= len(variants):
        return
    v = variants[i]
    try:
        made = whatif.apply_lever(profile_from_data(v["data"]), name)
    except ProfileError as exc:
        services.flash("; ".join(_problem(p) for p in exc.problems), "error")
        return
    levers = [*v.get("levers", []), name]
    label = v.get("label")
    renamed = label is not None and label != _label_of(v.get("levers", []))
    services.whatif_update_variant(
        i,
        data=made.model_dump(mode="json"),
        levers=levers,
        label=label if renamed else _label_of(levers),
    )
    services.whatif_bump()


def _rename(i: int, key: str) -> None:
    text = str(services.widget_value(key) or "").strip()[:80]
    services.whatif_update_variant(i, label={"zh": text, "en": text} if text else None)


services.show_flash()
st.subheader(t("plan.edit_title"))
if len(variants) > 1:
    picked = st.radio(
        t("plan.edit_which"),
        list(range(len(variants))),
        index=editing,
        format_func=lambda i: _variant_label(i, variants[i]),
        horizontal=True,
        key=services.form_key(f"editing_{gen}"),
    )
    if picked is not None and picked != editing:
        services.whatif_edit(picked)
        editing = picked
i = editing
v = variants[i]
with st.container(border=True):
    head, rm = st.columns([6, 1], vertical_alignment="center")
    head.markdown(f"**{md_text(_variant_label(i, v))}**")
    rm.button(
        t("plan.remove_short"),
        key=f"rm_{gen}_{i}",
        icon=":material/close:",
        help=t("whatif.remove"),
        on_click=services.whatif_remove_variant,
        args=(i,),
    )
    applied = v.get("levers") or []
    if applied:
        st.caption(
            t("plan.levers_applied", levers=" + ".join(bi(whatif.LEVERS[n].label) for n in applied))
        )
    c_name, c_lever = st.columns(2)
    name_key = services.form_key(f"name_{gen}_{i}")
    services.widget_default(name_key, _variant_label(i, v))
    c_name.text_input(
        t("plan.variant_name"), key=name_key, max_chars=80, on_change=_rename, args=(i, name_key)
    )
    lever_key = services.form_key(f"addlever_{gen}_{i}")
    c_lever.selectbox(
        t("plan.add_lever"),
        [n for n in whatif.LEVERS if n not in applied],
        index=None,
        format_func=in_lang(lambda n, lang: getattr(whatif.LEVERS[n].label, lang)),
        placeholder=t("plan.add_lever_hint"),
        key=lever_key,
        on_change=_combine_lever,
        args=(i, lever_key),
    )
    c_field, c_value = st.columns(2)
    with c_field:
        path = st.selectbox(
            t("whatif.field"),
            list(specs),
            index=None,
            format_func=in_lang(
                lambda p, lang: f"{t('section.' + specs[p].section, lang)} · {field_label(p, lang)}"
            ),
            key=services.form_key(f"field_{gen}_{i}"),
            placeholder=t("whatif.field_hint"),
        )
    if path:
        parts = path.split(".")
        node: Any = v["data"]
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        with c_value:
            if node is None:
                st.info(t("whatif.no_section", section=t(f"section.{parts[0]}")))
            else:
                key = services.form_key(f"val_{gen}_{i}_{path}")
                field_widget(
                    specs[path],
                    key,
                    node.get(parts[-1]),
                    label=t("whatif.value"),
                    on_change=_set_field,
                    args=(i, path, key),
                )
                basis = plan_view.basis_of(baseline, path)
                if basis:
                    st.caption(t("plan.basis_baseline", basis=md_text(basis)))

# every variant is validated; an invalid one is named and left out
valid: list[tuple[int, CaseProfile]] = []
for n, var in enumerate(variants):
    try:
        valid.append((n, profile_from_data(var["data"])))
    except ProfileError as exc:
        st.error(
            f"**{md_text(_variant_label(n, var))}**: "
            + t("whatif.invalid")
            + "\n\n"
            + "\n".join(f"- {_problem(p)}" for p in exc.problems),
            icon=":material/error:",
        )
valid_of = dict(valid)
# the robustness of every scenario is worked out in another process while the page is drawn
for prof in [baseline, *(p for _, p in valid)]:
    services.robustness_start(prof)

# ---------------------------------------------------------------- use the variant
if i in valid_of:
    plan_view.variant_actions(i, valid_of[i], variants[i], _variant_label(i, variants[i]), baseline)

if not valid:
    st.stop()

# ---------------------------------------------------------------- compare
try:
    comparison = whatif.compare(
        baseline,
        [p for _, p in valid],
        labels=[
            BiText(**variants[n]["label"])
            if variants[n].get("label")
            else BiText(
                zh=t("whatif.variant_n", "zh", n=n + 1), en=t("whatif.variant_n", "en", n=n + 1)
            )
            for n, _ in valid
        ],
        levers=["+".join(variants[n].get("levers") or []) or None for n, _ in valid],
        assess=services.assess_cached,
    )
    base_assessment = services.assess_cached(baseline)
except AdvisorError as exc:
    st.error(md_text(str(exc)))
    st.stop()

st.divider()
st.subheader(t("whatif.results"))
scenario_names = [t("whatif.baseline")] + [bi(d.label) for d in comparison.variants]
plan_view.headline_table(base_assessment, comparison, scenario_names)

rows = plan_view.dependence_rows(base_assessment, comparison, scenario_names)
# a Vega-Lite spec written out (altair would rebuild and validate it on every rerun)
st.vega_lite_chart(
    plan_view.dependence_spec(rows, scenario_names), width="stretch", theme="streamlit"
)
plan_view.dependence_table(rows, scenario_names)

# what moved in each variant: wrapped text in one column per variant (nothing cut off)
detail_cols = st.columns(len(comparison.variants))
for col, vd, (_n, prof) in zip(detail_cols, comparison.variants, valid, strict=True):
    with col, st.container(border=True):
        plan_view.variant_details(vd, baseline, prof)

# how robust each conclusion is: drawn last, so the diff above is on screen while it is worked out
st.subheader(t("plan.rob.title"))
st.caption(t("plan.rob.intro"))
slot = st.empty()
slot.caption(t("plan.rob.working"))
try:
    robs = [services.robustness_cached(baseline)] + [
        services.robustness_cached(p) for _, p in valid
    ]
    assessments = [base_assessment] + [services.assess_cached(p) for _, p in valid]
except AdvisorError as exc:
    slot.error(md_text(str(exc)))
    st.stop()
with slot.container():
    plan_view.robustness_tables(assessments, robs, scenario_names, services.show_technical())
