"""The campaign report's page: one HTML file with its style, the chart library (once) and every chart's
spec inside it, no URL anywhere. Every text from data goes through html.escape here; chart specs go in
as JSON that cannot close their script element."""

import base64
import functools
import hashlib
import html
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kbetl.reference.indonesian import chart_locales, id_number, id_pct
from kbetl.reports.report_data import Band, band_of

CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kbetl"
FORMAT_LOCALE, TIME_FORMAT_LOCALE = chart_locales()  # the charts' numbers and dates, Indonesian

STYLE = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --soft: #f5f7fa; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 16px 20px 48px; max-width: 1100px; line-height: 1.4; font-size: 14px;
       overflow-wrap: anywhere; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 22px 0 6px; } h4 { font-size: 14px; margin: 14px 0 4px; }
p.meta, p.note, .empty { color: var(--muted); } .empty { font-style: italic; }
nav.toc { columns: 4 150px; font-size: 13px; background: var(--soft); padding: 8px 12px; border-radius: 6px; }
nav.toc a { color: #1c5d99; text-decoration: none; } nav.toc a:hover { text-decoration: underline; }
table { border-collapse: collapse; margin: 4px 0 8px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
td.band { font-weight: 600; }
.side { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
.side > * { min-width: 0; max-width: 100%; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll td, .scroll th { overflow-wrap: normal; }
th.keep-l, td.keep-l { position: sticky; left: 0; z-index: 1; background: #fff; box-shadow: 1px 0 0 var(--line); }
th.keep-r, td.keep-r { position: sticky; right: 0; z-index: 1; background: #fff; box-shadow: -1px 0 0 var(--line); }
th.keep-l, th.keep-r { background: var(--soft); }
.scroll td[title] { white-space: nowrap; }
.legend { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; font-size: 13px; min-width: 190px; }
.legend .swatch { display: inline-block; width: 14px; height: 14px; vertical-align: -2px; margin-right: 6px;
                  border: 1px solid #0003; }
.stat { font-size: 28px; font-weight: 700; } .stat small { font-size: 14px; font-weight: 400; color: var(--muted); }
.chart-title { font-weight: 600; margin: 12px 0 0; }
.chart { margin: 4px 0 16px; min-height: 40px; width: 100%; } .chart.vega-embed { display: block; }
.heat td.n { min-width: 64px; }
@media (max-width: 640px) {
  body { padding: 10px 10px 32px; font-size: 13px; } h1 { font-size: 18px; } h2 { font-size: 17px; }
  table { font-size: 12px; } th, td { padding: 3px 5px; } .stat { font-size: 22px; }
  .side { gap: 12px; } .legend { min-width: 0; }
}
section.province { page-break-before: always; }
@media print { nav.toc { display: none; } }
"""

# Nothing leaves the page: no request of any kind; Vega compiles its expressions (eval) and injects styles.
# Only the page's own scripts run: each is allowed by its SHA-256, so injected markup could never run one.
CSP = ("default-src 'none'; script-src %(scripts)s 'unsafe-eval'; style-src 'unsafe-inline'; "
       "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")

RENDER = """
(function () {
  var specs = JSON.parse(document.getElementById("kbetl-chart-specs").textContent);
  var opts = {renderer: "svg", actions: false, mode: "vega-lite",
              formatLocale: %(format)s, timeFormatLocale: %(time)s};
  var nodes = document.querySelectorAll("[data-chart]");
  var pending = [];
  nodes.forEach(function (node) {
    var spec = specs[node.getAttribute("data-chart")];
    pending.push(vegaEmbed(node, spec, opts).then(function () {
      node.setAttribute("data-rendered", "yes");
    }).catch(function (err) {
      node.setAttribute("data-rendered", "error");
      node.textContent = "Grafik tidak dapat ditampilkan.";
      console.error(err);
    }));
  });
  Promise.all(pending).then(function () {
    document.documentElement.setAttribute("data-charts-done", String(nodes.length));
  });
})();
"""


def esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def num(value) -> str:
    return id_number(value)


def pct(value) -> str:
    return "-" if value is None else f"{id_pct(value)}%"


def script_json(value) -> str:
    """JSON for a <script type="application/json"> element: '<', '>' and '&' escaped, so that no text from
    data can end the element or open another."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@functools.lru_cache(maxsize=1)
def chart_library() -> str:
    """vega, vega-lite and vega-embed in one script (vl-convert's bundle), for the Vega-Lite version Altair
    writes. Bundling takes a second; the bundle of a vl-convert version is kept in the user's cache."""
    import importlib.metadata

    import altair as alt
    import vl_convert

    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    version = version if version in vl_convert.get_vegalite_versions() else None
    cached = CACHE_DIR / f"vega-bundle-{importlib.metadata.version('vl-convert-python')}-{version}.js"
    try:
        bundle = cached.read_text(encoding="utf-8")
    except OSError:
        bundle = vl_convert.javascript_bundle(vl_version=version)
        _keep(cached, bundle)
    return bundle.replace("</script", "<\\/script")


def _keep(path: Path, text: str) -> None:
    """Writes the cache file whole or not at all; a cache that cannot be written is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass


@dataclass
class Cell:
    """A table cell: text (escaped when written), right-aligned if numeric, an optional band colour."""

    text: str
    numeric: bool = False
    band: Band | None = None
    title: str | None = None


def n(value) -> Cell:
    return Cell(num(value), numeric=True)


def p(value, bands: Sequence[Band] | None = None) -> Cell:
    return Cell(pct(value), numeric=True, band=band_of(value, bands) if bands else None)


def table(headers: Sequence[str | tuple[str, bool]], rows: Iterable[Sequence[Cell | str]],
          total: Sequence | None = None, css: str = "", data_role: str | None = None,
          keep: tuple[int, ...] = ()) -> str:
    """headers: a label, or (label, numeric). The table scrolls sideways in its own box when it is wider
    than the screen; `keep` names the columns kept in view meanwhile: the first at the left edge (the
    region's name), the second at the right edge (its achievement)."""
    sides = dict(zip(keep, ("keep-l", "keep-r")))
    head = "".join(_head(h, sides.get(i)) for i, h in enumerate(headers))
    body = [f"<tr>{''.join(_cell(c, sides.get(i)) for i, c in enumerate(row))}</tr>" for row in rows]
    if total is not None:
        body.append(f'<tr class="total">{"".join(_cell(c, sides.get(i)) for i, c in enumerate(total))}</tr>')
    role = f' data-role="{esc(data_role)}"' if data_role else ""
    cls = f' class="{esc(css)}"' if css else ""
    return (f'<div class="scroll"><table{cls}{role}><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _head(header: str | tuple[str, bool], side: str | None) -> str:
    label, numeric = (header if isinstance(header, tuple) else (header, False))
    classes = (["n"] if numeric else []) + ([side] if side else [])
    attrs = f' class="{" ".join(classes)}"' if classes else ""
    return f"<th{attrs}>{esc(label)}</th>"


def _cell(cell: Cell | str, side: str | None = None) -> str:
    if not isinstance(cell, Cell):
        cell = Cell(cell)
    classes = (["n"] if cell.numeric else []) + (["band"] if cell.band else []) + ([side] if side else [])
    attrs = f' class="{" ".join(classes)}"' if classes else ""
    if cell.band:
        attrs += f' style="background:{esc(cell.band.colour)};color:{esc(cell.band.text_colour)}"'
    if cell.title:
        attrs += f' title="{esc(cell.title)}"'
    return f"<td{attrs}>{esc(cell.text)}</td>"


def legend(bands: Sequence[Band], title: str = "Keterangan warna") -> str:
    items = "".join(f'<div><span class="swatch" style="background:{esc(b.colour)}"></span>'
                    f"{esc(b.name)}: {esc(b.label)}</div>" for b in bands)
    return f'<div class="legend" data-role="legend"><strong>{esc(title)}</strong>{items}</div>'


@dataclass
class Page:
    """Collects chart specs while sections are written; `html()` puts the page together."""

    title: str
    specs: list[dict] = field(default_factory=list)

    def chart(self, spec: dict, label: str) -> str:
        """The chart's box; its title is written above it as text, so that it wraps on a narrow screen."""
        title = spec.pop("title", None)
        self.specs.append(spec)
        caption = f'<p class="chart-title">{esc(title)}</p>' if title else ""
        return (f'{caption}<div class="chart" data-chart="{len(self.specs) - 1}" '
                f'data-label="{esc(label)}"></div>')

    def html(self, body: str) -> str:
        scripts = [chart_library(), RENDER % {"format": json.dumps(FORMAT_LOCALE),
                                              "time": json.dumps(TIME_FORMAT_LOCALE)}] if self.specs else []
        library, render = [f"<script>{script}</script>" for script in scripts] or ["", ""]
        csp = CSP % {"scripts": " ".join(map(script_hash, scripts)) or "'none'"}
        return ("<!DOCTYPE html>\n"
                '<html lang="id"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
                f"<title>{esc(self.title)}</title><style>{STYLE}</style>{library}</head>"
                f"<body>{body}"
                f'<script type="application/json" id="kbetl-chart-specs">{script_json(self.specs)}</script>'
                f"{render}</body></html>\n")


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
