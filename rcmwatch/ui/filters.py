"""Global filters (facility, payer, period) that every page honours.

Streamlit resets a widget's value when the page that created it changes, so the chosen values
live in session state under stable ``_g_*`` keys and in the URL query string (a link carries its
filters); each page's sidebar widgets are seeded from them on every run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import streamlit as st

from rcmwatch.queries import inventory

PERIOD_ALL = "all"
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class GlobalFilters:
    facility_codes: tuple[str, ...]  # empty: every facility the user may see
    payer_codes: tuple[str, ...]  # empty: every payer
    period: str  # "all", "YYYY-MM" or "YYYY-MM-DD..YYYY-MM-DD"

    def period_bounds(self) -> tuple[date, date] | None:
        """Inclusive first and last day, or None for all time."""
        if self.period == PERIOD_ALL:
            return None
        match = _RANGE.match(self.period)
        if match:
            return date.fromisoformat(match[1]), date.fromisoformat(match[2])
        year, month = map(int, self.period.split("-"))
        first = date(year, month, 1)
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return first, date.fromordinal(nxt.toordinal() - 1)

    def describe(self) -> str:
        facilities = ", ".join(self.facility_codes) or "all facilities"
        payers = ", ".join(self.payer_codes) or "all payers"
        period = "all time" if self.period == PERIOD_ALL else self.period
        return f"{facilities} · {payers} · {period}"


def _initial(key: str, param: str, default):
    """Session value, else the URL's, else the default (first run of a session)."""
    if key not in st.session_state:
        raw = st.query_params.get(param)
        if raw is None:
            st.session_state[key] = default
        elif isinstance(default, list):
            st.session_state[key] = [v for v in raw.split(",") if v]
        else:
            st.session_state[key] = raw
    return st.session_state[key]


def _persist(global_key: str, widget_key: str) -> None:
    st.session_state[global_key] = st.session_state[widget_key]


def render_global_filters(store, user) -> GlobalFilters:
    facilities = inventory.facility_options(store, user.facility_ids)
    payers = inventory.payer_options(store)
    months = inventory.month_options(store)
    facility_names = dict(facilities)
    payer_names = dict(payers)
    period_choices = [PERIOD_ALL, *months]

    chosen_fac = [c for c in _initial("_g_facility", "facility", []) if c in facility_names]
    chosen_pay = [c for c in _initial("_g_payer", "payer", []) if c in payer_names]
    period = _initial("_g_period", "period", months[0] if months else PERIOD_ALL)
    if period not in period_choices and not _RANGE.match(period):
        period = PERIOD_ALL

    with st.sidebar:
        st.caption("Filters apply to every page")
        st.session_state["w_facility"] = chosen_fac
        st.multiselect(
            "Facility",
            options=list(facility_names),
            format_func=lambda c: facility_names.get(c, c),
            key="w_facility",
            placeholder="All facilities",
            on_change=_persist,
            args=("_g_facility", "w_facility"),
        )
        st.session_state["w_payer"] = chosen_pay
        st.multiselect(
            "Payer",
            options=list(payer_names),
            format_func=lambda c: payer_names.get(c, c),
            key="w_payer",
            placeholder="All payers",
            on_change=_persist,
            args=("_g_payer", "w_payer"),
        )
        st.session_state["w_period"] = period if period in period_choices else PERIOD_ALL
        st.selectbox(
            "Period",
            options=period_choices,
            format_func=lambda p: "All time" if p == PERIOD_ALL else p,
            key="w_period",
            on_change=_persist,
            args=("_g_period", "w_period"),
        )

    filters = GlobalFilters(
        facility_codes=tuple(st.session_state["w_facility"]),
        payer_codes=tuple(st.session_state["w_payer"]),
        period=st.session_state["w_period"],
    )
    st.session_state["_g_facility"] = list(filters.facility_codes)
    st.session_state["_g_payer"] = list(filters.payer_codes)
    st.session_state["_g_period"] = filters.period
    _sync_query_params(filters)
    return filters


def _sync_query_params(filters: GlobalFilters) -> None:
    wanted = {
        "facility": ",".join(filters.facility_codes),
        "payer": ",".join(filters.payer_codes),
        "period": filters.period,
    }
    for name, value in wanted.items():
        if value and st.query_params.get(name) != value:
            st.query_params[name] = value
        elif not value and name in st.query_params:
            del st.query_params[name]
