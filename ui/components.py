"""Reusable pieces of the pages: the profile form, the dependence chart, diagnosis and action cards.

They only lay out what the advisor returned (an :class:`~advisor.models.Assessment`) and what the
knowledge base says; no rule, score or sentence is computed here. User-entered text goes through
``md_text`` (or a plain-text widget) so that markup in a case name is shown, never interpreted.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from advisor.models import DIMENSIONS, Action, Assessment, Diagnosis, SourceRef, TraceStep
from advisor.textsafe import csv_cell
from advisor.vocabulary import government_need
from ui import profile_form
from ui.i18n import bi, current_lang, in_lang, t
from ui.kbtext import field_help, field_label, value_label, vocab
from ui.services import TECHNICAL, md_text

# --------------------------------------------------------------------------- form


def to_widget(spec: profile_form.FieldSpec, value: Any) -> Any:
    """A model value as its widget holds it: a share (0..1) as a percentage (0..100)."""
    if spec.kind == "share" and isinstance(value, int | float) and not isinstance(value, bool):
        return profile_form.share_to_percent(value)
    return value


def from_widget(spec: profile_form.FieldSpec, value: Any) -> Any:
    """A widget's value as the model keeps it: a percentage as a share (exact in decimal digits)."""
    if spec.kind == "share" and isinstance(value, int | float) and not isinstance(value, bool):
        return profile_form.percent_to_share(value)
    return value


def widget_ok(spec: profile_form.FieldSpec, value: Any) -> bool:
    """Whether a widget's state is something this field's widget can hold (shares in %)."""
    if spec.kind == "share":
        if value is None:
            return spec.optional
        return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100
    return profile_form.accepts(spec, value)


def widget_label(spec: profile_form.FieldSpec, label: str | None = None) -> str:
    """The label of a field's input: its name (or ``label``), with "(%)" for a share."""
    label = label or field_label(spec.path)
    return t("uform.percent_label", label=label) if spec.kind == "share" else label


def field_widget(
    spec: profile_form.FieldSpec,
    key: str,
    initial: Any,
    disabled: bool = False,
    label: str | None = None,
    on_change: Any = None,
    args: tuple[Any, ...] = (),
) -> Any:
    """One input for a profile field, bound to ``key``, showing ``initial`` (the model's value);
    returns the widget's value as the model keeps it. Used by the Assess form and What-if alike.

    Shares are entered and shown as percentages (35 means 35 %); ``initial`` and the value
    returned are the model's share (0.35). The conversion goes through decimal digits and
    happens only here, so a value the user does not touch goes back unchanged (0.333 is shown as
    33.3 and stays 0.333); callers write back only a value that differs (see ``from_widget``).

    The draft (or the variant), not the widget, is the one source of truth: ``initial`` is the
    widget's declared default in every run, rather than a value put into Session State once. A
    value set through Session State reaches the browser only with the run that set it, and when
    that run is interrupted by the next click (Streamlit then drops its unsent messages), the
    next run draws the widget with its declared default; the browser then showed a blank form
    and sent the blanks back into the draft (the district benchmark's stuck sessions). A new key
    (see ``ui.services.form_key``: keys change after a load, a language switch or a page change)
    starts from it; Session State is written only to replace a state the field cannot hold; each
    change goes back through ``on_change``.
    """
    shown = to_widget(spec, initial)
    if not widget_ok(spec, shown):
        shown = None
    if key in st.session_state and not widget_ok(spec, st.session_state[key]):
        st.session_state[key] = shown
    common: dict[str, Any] = {
        "key": key,
        "help": field_help(spec.path),
        "disabled": disabled,
        "on_change": on_change,
        "args": args,
    }
    label = widget_label(spec, label)
    fmt = in_lang(lambda v, lang, p=spec.path: value_label(p, v, lang))
    if spec.kind == "share":
        st.number_input(
            label,
            min_value=0.0,
            max_value=100.0,
            step=5.0,
            format="%.1f",
            placeholder=t("form.unknown") if spec.optional else None,
            value=shown if shown is not None or spec.optional else 0.0,
            **common,
        )
    elif spec.optional and spec.kind in ("level", "bool"):
        # an optional level or yes/no may stay unknown: a choice with no default
        choices = profile_form.choices_of(spec)
        st.selectbox(
            label,
            choices,
            index=choices.index(shown) if shown in choices else None,
            format_func=fmt,
            placeholder=t("form.unknown"),
            **common,
        )
    elif spec.optional and spec.kind == "count":
        st.number_input(
            label,
            min_value=int(spec.low or 0),
            max_value=int(spec.high) if spec.high is not None else None,
            step=1,
            format="%d",
            placeholder=t("form.unknown"),
            value=shown,
            **common,
        )
    elif spec.kind == "enum":
        options = list(spec.options)
        st.selectbox(
            label,
            options,
            index=options.index(shown) if shown in options else None,
            format_func=fmt,
            placeholder=(
                t("form.choose")
                if not spec.optional
                else t("form.infer")
                if spec.path == "development_mode"
                else t("form.unknown")
            ),
            **common,
        )
    elif spec.kind == "level":
        levels = profile_form.choices_of(spec)
        st.select_slider(
            label,
            levels,
            value=shown if shown in levels else levels[0],
            format_func=fmt,
            **common,
        )
    elif spec.kind == "count":
        st.number_input(
            label,
            min_value=int(spec.low or 0),
            max_value=int(spec.high) if spec.high is not None else None,
            step=1,
            value=shown if shown is not None else int(spec.low or 0),
            **common,
        )
    elif spec.kind == "bool":
        st.toggle(label, value=bool(shown), **common)
    elif spec.kind == "date":
        st.date_input(label, value=shown, format="YYYY-MM-DD", **common)
    else:
        st.text_input(label, value=shown or "", max_chars=200, **common)
    return from_widget(spec, st.session_state[key])


# --------------------------------------------------------------------------- results


def dependence_frame(a: Assessment) -> pd.DataFrame:
    """The dependence profile as rows (dimension, on whom, value) for the chart."""
    rows = []
    for d in DIMENSIONS:
        rows.append(
            {
                "dimension": vocab("dimension", d),
                "on": t("results.on_government"),
                "value": getattr(a.dependence, d),
            }
        )
        rows.append(
            {
                "dimension": vocab("dimension", d),
                "on": t("results.on_third_party"),
                "value": getattr(a.third_party_dependence, d),
            }
        )
    return pd.DataFrame(rows)


def chart_table(df: pd.DataFrame) -> None:
    """The numbers behind a chart, as a table under a toggle (for screen readers and checking)."""
    with st.expander(t("results.chart_data"), icon=":material/table:"):
        shown = df.rename(
            columns={
                "dimension": t("results.dimension"),
                "on": t("results.on"),
                "value": t("results.value"),
            }
        )
        st.dataframe(shown.round(2), hide_index=True, width="stretch")


def dependence_chart(a: Assessment) -> alt.Chart:
    """Grouped bars: the force's dependence per dimension on government and on the third party."""
    df = dependence_frame(a)
    order = [vocab("dimension", d) for d in DIMENSIONS]
    return (
        alt.Chart(df, title=t("results.chart_title"))
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=t("results.dependence_axis"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("dimension:N", title=None, sort=order, axis=alt.Axis(labelLimit=0)),
            yOffset=alt.YOffset("on:N"),
            color=alt.Color(
                "on:N",
                title=None,
                scale=alt.Scale(range=["#c0392b", "#2471a3"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("dimension:N", title=t("results.dimension")),
                alt.Tooltip("on:N", title=t("results.on")),
                alt.Tooltip("value:Q", format=".2f", title=t("results.value")),
            ],
        )
        .properties(height=alt.Step(18))  # per bar; a plain height is not honoured
    )


def sources_block(sources: list[SourceRef]) -> None:
    """The paper's passages: section, the Chinese original, and the English translation in en."""
    lang = current_lang()
    for s in sources:
        ref = t("results.section", section=s.section)
        if s.interview_code:
            ref += t("results.interview", code=s.interview_code)
        st.markdown(f"> {md_text(s.quote_zh)}  \n> — {md_text(ref)}")
        if lang == "en":
            st.caption(md_text(s.quote_en))


def _code(value: Any) -> str:
    """A value shown inside a code span: a backtick in it cannot end the span."""
    return str(value).replace("`", "'")


def technical_toggle() -> None:
    """The sidebar switch for analysts: show the rule trace (ids, fields, values) on results."""
    st.toggle(t("results.technical"), key=TECHNICAL, help=t("results.technical_help"))


def trace_block(trace: list[TraceStep], rules: list[str]) -> None:
    """The rules that fired and the facts each matched: for analysts, only with the toggle on."""
    if not st.session_state.get(TECHNICAL):
        return
    st.caption(t("results.technical_trace"))
    if not trace:
        st.markdown(t("results.rules_fired") + " " + ", ".join(f"`{r}`" for r in rules))
        return
    for step in trace:
        facts = ", ".join(f"`{_code(k)}` = `{_code(v)}`" for k, v in step.matched.items())
        st.markdown(f"- `{step.rule}`: {facts}" if facts else f"- `{step.rule}`")


def diagnosis_card(d: Diagnosis, slots: dict[tuple[str, str], Any] | None = None) -> None:
    """A diagnosis: label, severity, the paper's first quote; the rest under 'why'.

    ``slots``: a place for a mark beside the label (the Assess page's robustness badge) is kept
    there under ``("diagnosis", id)``, to be filled once it is known."""
    with st.container(border=True):
        st.markdown(f"**{md_text(bi(d.label))}**")
        if slots is not None:
            slots[("diagnosis", d.id)] = st.empty()
        st.progress(min(max(d.severity, 0.0), 1.0), text=t("results.severity", v=d.severity))
        sources_block(d.sources[:1])
        with st.expander(t("results.why")):
            because = [bi(b) for b in d.because_text]
            if because:
                st.markdown(t("results.because"))
                st.markdown("\n".join(f"- {md_text(b)}" for b in because))
            sources_block(d.sources[1:])
            trace_block(d.trace, d.rules)


def action_card(
    a: Action,
    diagnosis_labels: dict[str, str],
    slots: dict[tuple[str, str], Any] | None = None,
) -> None:
    """An action: rank, label, priority and its breakdown, rationale, and a 'why' expander."""
    with st.container(border=True):
        head, score = st.columns([5, 1])
        head.markdown(f"**#{a.rank} · {md_text(bi(a.label))}**")
        if slots is not None:
            slots[("action", a.id)] = head.empty()
        score.metric(t("results.priority"), f"{a.priority:.0f}")
        st.caption(
            " · ".join(
                [
                    vocab("actor", a.actor),
                    vocab("phase", a.phase),
                    vocab("stage", a.stage),
                    vocab("provenance", a.provenance),
                ]
            )
        )
        st.write(bi(a.rationale))
        parts = [
            f"{bi(f.label) if f.label else vocab('factor', f.factor)} {f.value:+.1f}"
            for f in a.priority_breakdown
        ]
        st.caption(t("results.breakdown", total=f"{a.priority:.0f}") + " " + " · ".join(parts))
        with st.expander(t("results.why")):
            if a.addresses:
                st.markdown(
                    t("results.addresses")
                    + " "
                    + "; ".join(md_text(diagnosis_labels.get(x, x)) for x in a.addresses)
                )
            trace_block(a.trace, a.rules)
            sources_block(a.sources)


def direction_note(a: Assessment) -> None:
    """Who depends more on whom, in words, when the assessment says so (an optional field)."""
    from ui.i18n import catalogue

    direction = getattr(a.asymmetry, "direction", None)
    key = f"results.direction.{direction}"
    if direction and key in catalogue():
        st.caption(t(key))


def assessment_view(a: Assessment, slots: dict[tuple[str, str], Any] | None = None) -> None:
    """The whole result of an assessment (``slots``: see ``diagnosis_card``)."""
    actions = sorted(a.actions, key=lambda x: x.rank)
    if actions:
        st.success(
            t(
                "results.top_action",
                label=bi(actions[0].label),
                priority=f"{actions[0].priority:.0f}",
            ),
            icon=":material/flag:",
        )
    # the third label is the longest ("对政府依赖 / 政府的需要（计入）"): room for it whole
    c1, c2, c3, c4 = st.columns([1, 1, 1.8, 1])
    c1.metric(t("results.asymmetry_level"), vocab("level", a.asymmetry.level))
    c2.metric(t("results.asymmetry_index"), f"{a.asymmetry.index:+.2f}")
    need = government_need(a.asymmetry)
    if need is None:  # an assessment stored before 0.2 has no alternatives: the raw need
        c3.metric(
            t("results.force_vs_gov"),
            f"{a.asymmetry.force_on_government:.2f} / {a.asymmetry.government_on_force:.2f}",
        )
    else:
        # government's need as the index counts it (after the force's alternatives), with the
        # one line that says why (case Y: 0.75 raw, 0.02 counted)
        c3.metric(
            t("results.force_vs_gov_counted"),
            f"{a.asymmetry.force_on_government:.2f} / {need[0]:.2f}",
            help=bi(need[1]),
        )
    c4.metric(t("results.coproduction"), f"{a.coproduction.score}/16")
    direction_note(a)
    if a.development_mode is not None:
        mode = vocab("development_mode", a.development_mode.value)
        note = t("results.inferred") if a.development_mode.inferred else ""
        st.caption(t("results.development_mode", mode=mode) + note)
    for w in a.warnings:
        st.warning(bi(w.message))
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(dependence_chart(a), width="stretch")
        chart_table(dependence_frame(a))
    with right:
        st.markdown(f"**{t('results.top_three')}**")
        for act in actions[:3]:
            st.markdown(
                f"{act.rank}. {md_text(bi(act.label))}  \n"
                f":gray[{vocab('actor', act.actor)} · {t('results.priority')} {act.priority:.0f}]"
            )
    st.subheader(t("results.diagnoses", n=len(a.diagnoses)))
    if not a.diagnoses:
        st.info(t("results.no_diagnoses"))
    ordered = sorted(a.diagnoses, key=lambda d: (-d.severity, d.id))
    for start in range(0, len(ordered), 3):
        cols = st.columns(3)
        for col, d in zip(cols, ordered[start : start + 3], strict=False):
            with col:
                diagnosis_card(d, slots)
    st.subheader(t("results.framework", n=len(actions)))
    st.caption(t("results.framework_hint"))
    labels = {d.id: bi(d.label) for d in a.diagnoses}
    if not actions:
        st.info(t("results.no_actions"))
    group = st.segmented_control(
        t("results.group_by"),
        ["phase", "actor"],
        default="phase",
        format_func=in_lang(lambda g, lang: t(f"results.group.{g}", lang)),
        key="results_group",
    )
    if group == "actor":
        for actor in ("government", "third_party", "volunteers", "residents"):
            mine = [x for x in actions if x.actor == actor]
            if mine:
                st.markdown(f"#### {vocab('actor', actor)}")
                for phase in (1, 2, 3):
                    in_phase = [x for x in mine if x.phase == phase]
                    if in_phase:
                        st.markdown(f"###### {vocab('phase', phase)}")
                        for act in in_phase:
                            action_card(act, labels, slots)
    else:
        for phase in (1, 2, 3):
            mine = [x for x in actions if x.phase == phase]
            if mine:
                st.markdown(f"#### {vocab('phase', phase)}")
                for act in mine:
                    action_card(act, labels, slots)
    if a.not_recommended:
        with st.expander(t("results.why_not", n=len(a.not_recommended))):
            for nr in a.not_recommended:
                st.markdown(
                    f"- **{md_text(bi(nr.label))}** ({vocab('actor', nr.actor)}): "
                    f"{md_text(bi(nr.reason))}"
                )


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table of user text as Streamlit shows it (and offers it as "Download as CSV"): every text
    cell that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``) gets
    a leading apostrophe, as in every CSV the project writes (advisor.textsafe). Numbers and the
    stored data are unchanged."""
    return frame.map(lambda v: csv_cell(v) if isinstance(v, str) else v)
