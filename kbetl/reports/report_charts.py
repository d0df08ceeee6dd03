"""The campaign report's charts, built with Altair as Vega-Lite specs (plain dicts, data inline). The
page renders them with vega-embed, bundled once into the page (report_html.py). Text in the data stays
data: Vega draws it as SVG text, never as markup."""

from datetime import date, datetime
from decimal import Decimal

import altair as alt
from altair.utils.schemapi import disable_debug_mode

from kbetl.reports.report_data import DEFAULT_BANDS, Band

# Altair checks every object against the Vega-Lite JSON schema as it is built: a second of a national
# report's few seconds, for specs this module writes itself (a test renders them in a real browser).
disable_debug_mode()

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
ROW_HEIGHT = 19  # a label of 11 px and its gap: names on neighbouring rows do not touch on a phone
WIDTH = "container"  # drawn to the width of its box: a phone (412 px) or a desktop page alike
# one colour per method, in ref.methods order (non-MKJP in blues, MKJP in greens/oranges)
METHOD_COLOURS = ("#9ecae1", "#c6dbef", "#4292c6", "#31a354", "#74c476", "#e6550d", "#fd8d3c")


def _plain(value):
    """A value JSON can hold (DuckDB gives Decimal for decimal(9,2) and date objects)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _values(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    return [{k: _plain(r[k]) for k in keys} for r in rows]


def _spec(chart: alt.TopLevelMixin) -> dict:
    spec = chart.configure(font=FONT, autosize=alt.AutoSizeParams(type="fit", contains="padding")).configure_view(
        stroke=None).to_dict(validate=False)
    spec.pop("$schema", None)  # no URL in the page; the page tells vega-embed the mode
    return spec


def _band_scale(bands: tuple[Band, ...]) -> alt.Scale:
    return alt.Scale(domain=[b.label for b in bands], range=[b.colour for b in bands])


def achievement_bars(rows: list[dict], title: str, bands: tuple[Band, ...] = DEFAULT_BANDS) -> dict:
    """Horizontal bars of achievement %, highest first, coloured by band, with the 100% line."""
    values = [{**v, "band": next((b.label for b in bands if b.holds(v["pct"])), "")}
              for v in _values([{"name": r["region_name"], "code": r["region_code"], "pct": r["achievement_pct"],
                                 "achieved": r["achieved"], "target": r["target"]} for r in rows],
                               ("name", "code", "pct", "achieved", "target"))]
    base = alt.Chart(alt.Data(values=values))
    bars = base.mark_bar().encode(
        y=alt.Y("name:N", sort=alt.EncodingSortField("pct", order="descending"), title=None),
        x=alt.X("pct:Q", title="Capaian (%)"),
        color=alt.Color("band:N", scale=_band_scale(bands), legend=alt.Legend(title="Capaian", orient="bottom")),
        tooltip=[alt.Tooltip("name:N", title="Wilayah"), alt.Tooltip("pct:Q", title="Capaian %", format=",.2f"),
                 alt.Tooltip("achieved:Q", title="Capaian", format=",d"),
                 alt.Tooltip("target:Q", title="Sasaran", format=",d")],
    )
    line = alt.Chart(alt.Data(values=[{"x": 100}])).mark_rule(color="#333333", strokeDash=[4, 3]).encode(
        x="x:Q")
    chart = alt.layer(bars, line).properties(title=title, width=WIDTH, height=max(len(values), 1) * ROW_HEIGHT)
    return _spec(chart)


def progress_curves(rows: list[dict], title: str, by_hour: bool = False) -> dict:
    """Cumulative % by day (or, for a one-day campaign, by hour of that day) of a scope and its children,
    with the 100% line. One colour for the scope (the nation or the province), grey for every child: a page
    of 14 lines in 14 colours cannot be told apart; the tooltip names each line."""
    scope_level = "national" if any(r["level"] == "national" for r in rows) else "province"
    values = _values([{"x": r["hour"] if by_hour else r["report_date"], "name": r["region_name"],
                       "role": r["region_name"] if r["level"] == scope_level else "lainnya",
                       "pct": r["cumulative_pct"], "cumulative": r["cumulative_achieved"], "target": r["target"]}
                      for r in rows if r["cumulative_pct"] is not None],
                     ("x", "name", "role", "pct", "cumulative", "target"))
    roles = list(dict.fromkeys(v["role"] for v in values if v["role"] != "lainnya"))
    others = "provinsi" if scope_level == "national" else "kabupaten/kota"
    domain = roles + (["lainnya"] if any(v["role"] == "lainnya" for v in values) else [])
    x = (alt.X("x:Q", title="Jam (WIB), hari pelayanan", scale=alt.Scale(domain=[0, 24]),
               axis=alt.Axis(values=list(range(0, 25, 3)), format="02d"))
         if by_hour else alt.X("x:T", title="Hari pelayanan", axis=alt.Axis(format="%d %b", tickCount="day")))
    when = (alt.Tooltip("x:Q", title="Sebelum jam") if by_hour
            else alt.Tooltip("x:T", title="Hari", format="%d %B %Y"))
    base = alt.Chart(alt.Data(values=values)).mark_line(point=not by_hour).encode(
        x=x,
        y=alt.Y("pct:Q", title="Capaian kumulatif (%)"),
        detail="name:N",
        color=alt.Color("role:N", title=None, scale=alt.Scale(
            domain=domain, range=["#1c5d99"] * len(roles) + ["#b8bec6"]),
            legend=alt.Legend(orient="bottom", labelExpr=f"datum.label === 'lainnya' ? '{others} (abu-abu)' "
                                                         ": datum.label", labelLimit=300)),
        strokeWidth=alt.condition("datum.role === 'lainnya'", alt.value(1.2), alt.value(3.5)),
        order=alt.Order("x:Q" if by_hour else "x:T"),
        tooltip=[alt.Tooltip("name:N", title="Wilayah"), when,
                 alt.Tooltip("pct:Q", title="Kumulatif %", format=",.2f"),
                 alt.Tooltip("cumulative:Q", title="Kumulatif", format=",d"),
                 alt.Tooltip("target:Q", title="Sasaran", format=",d")],
    )
    line = alt.Chart(alt.Data(values=[{"y": 100}])).mark_rule(color="#333333", strokeDash=[4, 3]).encode(y="y:Q")
    grey, scope = (base.transform_filter(f"datum.role {op} 'lainnya'") for op in ("===", "!=="))  # scope on top
    return _spec(alt.layer(grey, scope, line).properties(title=title, width=WIDTH, height=260))


def method_mix(rows: list[dict], methods: list[dict], title: str) -> dict:
    """Each region's acceptors by method, as shares of 100% (stacked bars), MKJP methods last."""
    values = _values(rows, ("region_name", "method", "order", "count", "mkjp_share_pct"))
    names = [m["name_id"] for m in methods]
    regions = list(dict.fromkeys(r["region_name"] for r in rows))
    chart = alt.Chart(alt.Data(values=values)).mark_bar().encode(
        y=alt.Y("region_name:N", sort=regions, title=None),
        x=alt.X("count:Q", stack="normalize", title="Bauran metode (porsi akseptor)",
                axis=alt.Axis(format="%")),
        color=alt.Color("method:N", scale=alt.Scale(domain=names, range=list(METHOD_COLOURS[:len(names)])),
                        sort=names, legend=alt.Legend(title="Metode", orient="bottom", columns=2)),  # 2: fits 412 px
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("region_name:N", title="Wilayah"), alt.Tooltip("method:N", title="Metode"),
                 alt.Tooltip("count:Q", title="Akseptor", format=",d"),
                 alt.Tooltip("mkjp_share_pct:Q", title="Porsi MKJP %", format=",.2f")],
    ).properties(title=title, width=WIDTH, height=max(len(regions), 1) * ROW_HEIGHT)
    return _spec(chart)
