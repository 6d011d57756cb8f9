"""The Assess page's form: every profile field, its 不清楚 / range choices and basis marks.

The draft (``ui.profile_form``) is the one source of truth; widgets are keyed by generation
(``ui.services.form_key``) and set from the draft whenever their key is new or their state is
not something the field can hold, so a language switch or a page change never changes a value.

What is new here (issues 11, 12, 13):

- with "some information is not known" switched on, each field gets a choice of how it is
  filled in: a value, 不清楚 (unknown), or a range (shares and counts: lowest and highest; levels
  and choices: every value that is possible). The draft keeps the exact value meanwhile, so
  going back to "value" restores it. The data is then a version 2 profile (``advisor.uncertain``).
- shares are typed as percentages (35 means 35 %); the draft keeps the contract's share (0.35),
  converted through decimal digits so that nothing like 0.35000000000000003 is ever stored.
- when the profile carries a ``basis`` map (the paper's presets do), a small mark beside each
  field says whether its value is a fact of the paper (with the section) or our assumption, the
  quote or the reasoning in its tooltip; a value changed since loses the mark ("your value").
"""

from __future__ import annotations

import functools
import json
import types
from typing import Any

import streamlit as st

from advisor import basis as basis_mod
from advisor.models import FieldBasis
from ui import profile_form
from ui.components import field_widget, from_widget, to_widget, widget_label, widget_ok
from ui.i18n import catalogue, current_lang, in_lang, t
from ui.kbtext import field_label, value_label
from ui.profile_form import MODE, PRESENT, RANGE, UNCERTAIN_UI, FieldSpec
from ui.services import draft, form_key, keep_draft, md_text, problems, validate_draft


def _specs() -> dict[str, FieldSpec]:
    return {f.path: f for f in profile_form.all_fields()}


# --------------------------------------------------------------------------- values in widgets
# One input per field, shared with What-if: ``ui.components.field_widget`` (shares in %).
def _value_widget(spec: FieldSpec, key: str, initial: Any, disabled: bool) -> None:
    """The input for a field's exact value (``ui.components.field_widget``, shares in %)."""
    field_widget(spec, key, initial, disabled=disabled, on_change=_commit, args=(spec.path, key))


def _commit(path: str, key: str) -> None:
    """A value widget changed: its value goes into the draft now (before the page is redrawn),
    and problems already on screen are checked again, so a fixed field loses its message."""
    if key != form_key(path):
        return  # a widget of an earlier generation, which the browser reports as emptied
    spec = _specs().get(path)
    value = st.session_state.get(key)
    if spec is not None and widget_ok(spec, value):
        new = from_widget(spec, value)
        if spec.kind != "share" or new != draft().get(path):
            draft()[path] = new
    elif path.endswith(PRESENT):
        draft()[path] = bool(value)
    _after_change()


def _after_change() -> None:
    if problems():
        validate_draft()
    keep_draft()


# --------------------------------------------------------------------------- 不清楚 and ranges


def _commit_mode(path: str, key: str) -> None:
    if key != form_key(f"{path}.{MODE}"):
        return
    mode = st.session_state.get(key) or "value"  # clicking the chosen option again: a value
    if mode in profile_form.MODES:
        draft()[f"{path}.{MODE}"] = mode
        spec = _specs()[path]
        rng = draft().get(f"{path}.{RANGE}")
        if mode == "range" and not profile_form.range_ok(spec, rng):
            draft()[f"{path}.{RANGE}"] = _initial_range(spec, draft().get(path))
    _after_change()


def _initial_range(spec: FieldSpec, value: Any) -> list[Any]:
    """A first range around the value there was (the person widens it)."""
    if spec.kind == "share":
        v = float(value) if isinstance(value, int | float) else 0.0
        return [v, v]
    if spec.kind == "count":
        v = int(value) if isinstance(value, int) else int(spec.low or 0)
        return [v, v]
    return [value] if value is not None else []


def _commit_range(path: str, *keys: str) -> None:
    spec = _specs()[path]
    if keys[0] != form_key(f"{path}.{RANGE}" + (".low" if len(keys) == 2 else "")):
        return
    if len(keys) == 2:
        lo, hi = (st.session_state.get(k) for k in keys)
        if all(widget_ok(spec, v) and v is not None for v in (lo, hi)):
            draft()[f"{path}.{RANGE}"] = [from_widget(spec, lo), from_widget(spec, hi)]
    else:
        chosen = st.session_state.get(keys[0]) or []
        order = profile_form.choices_of(spec)
        draft()[f"{path}.{RANGE}"] = [v for v in order if v in chosen]
    _after_change()


def _mode_widget(spec: FieldSpec, disabled: bool) -> str:
    key = form_key(f"{spec.path}.{MODE}")
    options = [m for m in profile_form.MODES if m != "range" or profile_form.can_be_range(spec)]
    mode = profile_form.mode_of(draft(), spec.path)
    if key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = mode
    st.segmented_control(  # the draft's mode as the default in every run (see _value_widget)
        t("uform.mode_of", label=field_label(spec.path)),
        options,
        default=mode if mode in options else None,
        format_func=in_lang(lambda m, lang: t(f"uform.mode.{m}", lang)),
        key=key,
        label_visibility="collapsed",
        disabled=disabled,
        on_change=_commit_mode,
        args=(spec.path, key),
    )
    return profile_form.mode_of(draft(), spec.path)


def _range_widget(spec: FieldSpec, disabled: bool) -> None:
    path = spec.path
    rng = draft().get(f"{path}.{RANGE}")
    if not profile_form.range_ok(spec, rng):
        rng = _initial_range(spec, draft().get(path))
        draft()[f"{path}.{RANGE}"] = rng
    label = field_label(path)
    if spec.kind in ("share", "count"):
        k_lo, k_hi = form_key(f"{path}.{RANGE}.low"), form_key(f"{path}.{RANGE}.high")
        for k, v in ((k_lo, rng[0]), (k_hi, rng[1])):
            if k in st.session_state and not widget_ok(spec, st.session_state[k]):
                st.session_state[k] = to_widget(spec, v)
        pct = spec.kind == "share"
        c1, c2 = st.columns(2)
        for col, k, which, v in ((c1, k_lo, "low", rng[0]), (c2, k_hi, "high", rng[1])):
            col.number_input(
                t(f"uform.{which}{'_pct' if pct else ''}", label=label),
                min_value=0.0 if pct else int(spec.low or 0),
                max_value=100.0 if pct else (int(spec.high) if spec.high is not None else None),
                step=5.0 if pct else 1,
                format="%.1f" if pct else "%d",
                value=to_widget(spec, v),  # the draft's, in every run (see _value_widget)
                key=k,
                disabled=disabled,
                on_change=_commit_range,
                args=(path, k_lo, k_hi),
            )
        lo, hi = rng
        if lo > hi:
            st.caption(":orange[" + t("uform.low_above_high") + "]")
    else:
        key = form_key(f"{path}.{RANGE}")
        if key in st.session_state and not profile_form.range_ok(spec, st.session_state[key]):
            st.session_state[key] = list(rng)
        st.multiselect(
            label,
            profile_form.choices_of(spec),
            default=list(rng),  # the draft's, in every run (see _value_widget)
            format_func=in_lang(lambda v, lang, p=path: value_label(p, v, lang)),
            placeholder=t("uform.set_placeholder"),
            help=t("uform.set_help"),
            key=key,
            disabled=disabled,
            on_change=_commit_range,
            args=(path, key),
        )


def _unknown_widget(spec: FieldSpec) -> None:
    key = form_key(f"{spec.path}.__unknown_shown__")
    st.session_state[key] = t("uform.unknown_value")
    st.text_input(widget_label(spec), key=key, disabled=True, help=t("uform.unknown_help"))


# --------------------------------------------------------------------------- basis marks


@functools.lru_cache(maxsize=8)
def _basis_entries(basis_json: str) -> dict[str, FieldBasis]:
    out: dict[str, FieldBasis] = {}
    for path, entry in json.loads(basis_json).items():
        try:
            out[path] = FieldBasis.model_validate(entry)
        except ValueError:
            continue  # a basis entry the contract refuses is not shown (the profile says so)
    return out


def basis_marks(values: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """Per field path: (kind, mark text, tooltip) of its basis; empty when there is no basis map.

    ``kind`` is ``fact``, ``assumption`` or ``edited`` (a value changed since the basis was
    recorded: it is the user's now, not the paper's)."""
    raw = values.get(profile_form.BASIS)
    if not isinstance(raw, dict) or not raw:
        return {}
    entries = _basis_entries(json.dumps(raw, sort_keys=True, ensure_ascii=False))
    holder = types.SimpleNamespace(basis=entries)
    data = profile_form.data_from_draft(values)
    lang = current_lang()
    out: dict[str, tuple[str, str, str]] = {}
    for spec in profile_form.all_fields():
        parts = spec.path.split(".")
        nearest = next(
            (
                ".".join(parts[:n])
                for n in range(len(parts), 0, -1)
                if ".".join(parts[:n]) in entries
            ),
            None,
        )
        if nearest is None:
            continue
        entry = basis_mod.field_basis(holder, spec.path, data)  # type: ignore[arg-type]
        if entry is None:
            out[spec.path] = ("edited", t("uform.basis.edited"), t("uform.basis.edited_help"))
            continue
        text = basis_mod.describe(entry)
        tip = text.zh if lang == "zh" else text.en
        if entry.kind == "fact":
            where = entry.section or entry.source or ""
            if entry.section == "abstract":
                where = t("uform.basis.abstract")
            mark = t("uform.basis.fact", where=where).strip()
        else:
            mark = t("uform.basis.assumption")
        out[spec.path] = (entry.kind, mark, tip)
    return out


_MARK_COLOUR = {"fact": "blue", "assumption": "orange", "edited": "gray"}
_MARK_ICON = {
    "fact": ":material/menu_book:",
    "assumption": ":material/lightbulb:",
    "edited": ":material/edit:",
}


def _basis_mark(mark: tuple[str, str, str] | None) -> None:
    if mark is None:
        return
    kind, text, tip = mark
    st.badge(text, icon=_MARK_ICON[kind], color=_MARK_COLOUR[kind], help=tip)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the form


def _id_note(values: dict[str, Any]) -> None:
    """Under the case number: the id the case is kept under, when it is not what was typed."""
    typed = str(values.get("id") or "").strip()
    made = profile_form.case_id_for(typed, str(values.get("name") or ""))
    if made is None or made == typed:
        return
    if typed:
        st.caption(t("form.id_made_from_number", id=made, number=md_text(typed)))
    else:
        st.caption(t("form.id_made_from_name", id=made))


def _field(
    spec: FieldSpec,
    values: dict[str, Any],
    disabled: bool,
    uncertain_ui: bool,
    mark: tuple[str, str, str] | None,
) -> None:
    mode = "value"
    if uncertain_ui and profile_form.can_be_unknown(spec):
        mode = _mode_widget(spec, disabled)
    elif profile_form.mode_of(values, spec.path) != "value":
        mode = profile_form.mode_of(values, spec.path)
    if mode == "unknown":
        _unknown_widget(spec)
        mark = None  # the field says 不清楚: no value, so no basis for one
    elif mode == "range" and profile_form.can_be_range(spec):
        _range_widget(spec, disabled)
    else:
        key = form_key(spec.path)
        _value_widget(spec, key, values.get(spec.path), disabled)
    _basis_mark(mark)
    if spec.path == "id":
        _id_note(values)
    for msg in problems().get(spec.path, []):
        st.error(md_text(msg), icon=":material/error:")


def _uncertain_toggle(values: dict[str, Any]) -> bool:
    key = form_key(UNCERTAIN_UI)
    on = bool(values.get(UNCERTAIN_UI)) or profile_form.is_uncertain(values)
    if key in st.session_state and not isinstance(st.session_state[key], bool):
        st.session_state[key] = on

    def _flip() -> None:
        if st.session_state.get(key) is False and profile_form.is_uncertain(draft()):
            st.session_state[key] = True  # never hide fields marked 不清楚 or given as a range
            st.toast(t("uform.toggle_kept"), icon=":material/info:")
            return
        draft()[UNCERTAIN_UI] = bool(st.session_state.get(key))

    st.toggle(
        t("uform.toggle"), value=on, key=key, help=t("uform.toggle_help"), on_change=_flip
    )  # the draft's, in every run (see _value_widget)
    return bool(st.session_state[key])


def profile_form_sections(expanded: bool = False) -> None:
    """The whole case profile as a form in sections; edits go straight into the session draft."""
    values = draft()
    found = problems()
    uncertain_ui = _uncertain_toggle(values)
    marks = basis_marks(values)
    if marks:
        st.caption(t("uform.basis.legend"))
    for msg in found.get("", []):
        st.error(md_text(msg), icon=":material/error:")
    for section in profile_form.sections():
        n_problems = sum(
            len(v) for k, v in found.items() if k == section.id or k.startswith(section.id + ".")
        )
        if section.id == "basics":
            n_problems = sum(
                len(v) for k, v in found.items() if any(k == f.path for f in section.fields) and k
            )
        title = t(f"section.{section.id}")
        if n_problems:
            title = t("form.section_with_problems", title=title, n=n_problems)
        with st.expander(title, expanded=expanded or bool(n_problems), icon=_section_icon(section)):
            hint = f"section_hint.{section.id}"
            if hint in catalogue():
                st.caption(t(hint))
            for msg in found.get(section.id, []):
                st.error(md_text(msg), icon=":material/error:")
            present = True
            if section.optional:
                pkey = f"{section.id}.{PRESENT}"
                wkey = form_key(pkey)
                st.toggle(  # the draft's, in every run (see _value_widget)
                    t(f"form.present.{section.id}"),
                    value=bool(values.get(pkey)),
                    key=wkey,
                    on_change=_commit,
                    args=(pkey, wkey),
                )
                values[pkey] = present = bool(st.session_state[wkey])
            cols = st.columns(2)
            for i, spec in enumerate(section.fields):
                with cols[i % 2]:
                    _field(spec, values, not present, uncertain_ui, marks.get(spec.path))
            _share_sums(section, values)


def _share_sums(section: profile_form.Section, values: dict[str, Any]) -> None:
    """Under a group of shares, their running total in percent (or its bounds with ranges)."""
    groups: dict[str, list[FieldSpec]] = {}
    for spec in section.fields:
        if spec.kind == "share":
            groups.setdefault(spec.path.rsplit(".", 1)[0], []).append(spec)
    for parent, specs in groups.items():
        if len(specs) < 2:
            continue
        lo = hi = 0.0
        for spec in specs:
            mode = profile_form.mode_of(values, spec.path)
            rng = values.get(f"{spec.path}.{RANGE}")
            if mode == "unknown":
                hi += 1.0
            elif mode == "range" and profile_form.range_ok(spec, rng):
                lo, hi = lo + min(rng), hi + max(rng)
            else:
                v = float(values.get(spec.path) or 0.0)
                lo, hi = lo + v, hi + v
        what = field_label(parent)
        if hi - lo > 1e-9:
            shown_lo, shown_hi = f"{lo * 100:.0f}", f"{hi * 100:.0f}"
            ok = lo <= 1.01 and hi >= 0.99
            colour = "green" if ok else "orange"
            key = "uform.share_sum_range_ok" if ok else "uform.share_sum_range"
            st.caption(f":{colour}[" + t(key, what=what, low=shown_lo, high=shown_hi) + "]")
        elif abs(lo - 1.0) <= 0.01:
            st.caption(":green[" + t("uform.share_sum_ok", what=what, total=f"{lo * 100:g}") + "]")
        else:
            total = f"{round(lo * 100, 1):g}"
            st.caption(":orange[" + t("uform.share_sum", what=what, total=total) + "]")


def _section_icon(section: profile_form.Section) -> str:
    icons = {
        "basics": ":material/badge:",
        "legitimacy": ":material/verified:",
        "funding": ":material/payments:",
        "human_resources": ":material/groups:",
        "knowledge": ":material/school:",
        "government": ":material/account_balance:",
        "agenda": ":material/event_note:",
        "management": ":material/tune:",
        "third_party": ":material/handshake:",
        "community": ":material/location_city:",
        "coproduction": ":material/diversity_3:",
        "linkage": ":material/hub:",
    }
    return icons.get(section.id, ":material/list:")
