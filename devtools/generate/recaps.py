"""Seeded generator of recap spreadsheets for every province and year, in the formats offices send.

Published figures (generate/published.py) are reproduced exactly; everything else is plausible:
targets of a few hundred to several thousand acceptors per kabupaten/kota, achievement mostly above
100%, a method mix dominated by injectables. Files come in several layouts (semicolon CSV in
Windows-1252 with a two-row header, English comma CSV with a BOM, XLSX with merged cells and
percent-formatted cells, XLSX without a method breakdown) and with the name variants real reports use.
"""

import csv
import io
import re
import zipfile
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font

from devtools.generate.faults import RECAP_OVERSTATED
from devtools.generate.figures import DEFAULT_SEED, RegionFigures, campaign_figures, split_total
from devtools.generate.published_figures import OKI_2024, PUBLISHED_PROVINCES
from kbetl.reference.indonesian import id_number, id_pct
from kbetl.reference.names import RegionMatcher, RegionNotResolved
from kbetl.reference.regions import regions_on_map
from kbetl.reference.tables import campaigns, region_aliases, region_map_for_year

LAYOUTS = ("id_csv", "en_csv", "xlsx_merged", "xlsx_no_breakdown")
# Flaws real recaps have, planted so that the cross-checks have something to find in the samples.
QUIRKS = {(2021, "33"): "stated_pct_typo", (2023, "35"): "methods_miss_total"}


def name_variant(rng, name: str, matcher: RegionMatcher, code: str, parent: str | None, aliases: dict) -> str:
    """A spelling a report might use, kept only if it still resolves to the same region."""
    bare = name.split(". ", 1)[1] if name.startswith("Kab. ") else name
    options = [name, name.upper(), bare, bare.upper(), name.replace("Kab. ", "Kabupaten "),
               bare.replace(" ", "") if " " in bare else bare]
    options += aliases.get(bare, [])
    for candidate in rng.permutation(options):
        try:
            if matcher.resolve(str(candidate), parent).code == code:
                return str(candidate)
        except RegionNotResolved:
            continue
    return name


def generate_samples(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    figures_by_province = campaign_figures(seed)
    rng = np.random.default_rng(seed + 1)
    out_dir = Path(out_dir)
    written = []
    for year in campaigns()["campaign_year"]:
        map_version = region_map_for_year(year)
        regions = regions_on_map(map_version)
        provinces = regions[regions["level"] == "province"]
        regency_matcher = RegionMatcher(regions, "regency")
        province_matcher = RegionMatcher(regions, "province")
        aliases = {}
        for row in region_aliases().itertuples():
            aliases.setdefault(row.canonical_name, []).append(row.alias)
        province_rows = []
        for province in provinces.itertuples():
            figures = figures_by_province[(year, province.region_code)]
            quirk = QUIRKS.get((year, province.region_code))
            if quirk == "stated_pct_typo":
                figures[0].stated_pct = figures[0].pct + 1.5
            elif quirk == "methods_miss_total":
                figures[0].methods[0] += 10
            for f in figures:
                f.name = name_variant(rng, f.name, regency_matcher, f.code, province.region_code, aliases)
            layout = _layout_for(rng, year, province.region_code)
            title = (f"REKAPITULASI HASIL PELAYANAN KB SERENTAK SEJUTA AKSEPTOR "
                     f"PROVINSI {province.region_name.upper()} TAHUN {year}")
            total = RegionFigures(province.region_code, "JUMLAH PROVINSI", sum(f.target for f in figures),
                                  sum(f.achieved for f in figures),
                                  [sum(col) for col in zip(*(f.methods for f in figures))])
            path = out_dir / str(year) / f"{province.region_code}_{_slug(province.region_name)}"
            written.append(write_recap(path, layout, title, "Kabupaten/Kota", figures, total))
            province_rows.append(_as_in_national_recap(year, RegionFigures(
                province.region_code,
                name_variant(rng, province.region_name, province_matcher, province.region_code, None, aliases),
                total.target, total.achieved, total.methods)))
        national_total = RegionFigures("00", "TOTAL NASIONAL", sum(p.target for p in province_rows),
                                       sum(p.achieved for p in province_rows),
                                       [sum(col) for col in zip(*(p.methods for p in province_rows))])
        title = f"REKAPITULASI NASIONAL PELAYANAN KB SERENTAK SEJUTA AKSEPTOR TAHUN {year}"
        written.append(write_recap(out_dir / str(year) / f"00_nasional_{year}", "id_csv", title, "Provinsi",
                                   province_rows, national_total))
    return written


def _as_in_national_recap(year: int, row: RegionFigures) -> RegionFigures:
    """The planted overstatement (generate/faults.py): the national recap's row for one province states more
    than its own recap's total, methods scaled with it."""
    if (year, row.code) != (RECAP_OVERSTATED["year"], RECAP_OVERSTATED["province"]):
        return row
    achieved = round(row.achieved * RECAP_OVERSTATED["factor"])
    return RegionFigures(row.code, row.name, row.target, achieved, split_total(achieved, np.array(row.methods, float)))


def _layout_for(rng, year: int, province: str) -> str:
    if (year, province) in QUIRKS:
        return "id_csv"
    if (year, province) in PUBLISHED_PROVINCES or (year, province) == (OKI_2024["year"], OKI_2024["province"]):
        return "xlsx_merged" if province == "16" else "id_csv"
    return str(rng.choice(LAYOUTS))


def _slug(name: str) -> str:
    return name.lower().replace(" ", "_").replace(".", "")


def write_recap(stem: Path, layout: str, title: str, region_header: str,
                rows: list[RegionFigures], total: RegionFigures) -> Path:
    stem.parent.mkdir(parents=True, exist_ok=True)
    if layout == "id_csv":
        return _write_id_csv(stem.with_suffix(".csv"), title, region_header, rows, total)
    if layout == "en_csv":
        return _write_en_csv(stem.with_suffix(".csv"), title, rows, total)
    return _write_xlsx(stem.with_suffix(".xlsx"), title, region_header, rows, total,
                       breakdown=layout == "xlsx_merged")


def _id_number(value: int) -> str:
    """A count as the offices write it: '-' for none."""
    return "-" if value == 0 else id_number(value)


def _write_id_csv(path, title, region_header, rows, total) -> Path:
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    out.writerow([title])
    out.writerow([])
    out.writerow(["No", region_header, "Sasaran", "Capaian", "", "", "", "", "", "", "Jumlah", "% Capaian"])
    out.writerow(["", "", "", "Pil", "Kondom", "Suntik", "IUD", "Implan", "MOW", "MOP", "", ""])
    for i, r in enumerate(rows, 1):
        out.writerow([i, r.name, _id_number(r.target), *map(_id_number, r.methods), _id_number(r.achieved),
                      id_pct(r.pct)])
    out.writerow([total.name, "", _id_number(total.target), *map(_id_number, total.methods),
                  _id_number(total.achieved), id_pct(total.pct)])
    out.writerow(["Sumber: laporan Perwakilan BKKBN"])
    path.write_bytes(buffer.getvalue().encode("cp1252", errors="replace"))
    return path


def _write_en_csv(path, title, rows, total) -> Path:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow([title])
    out.writerow(["Regency", "Target", "Pill", "Condom", "Injectable", "IUD", "Implant", "MOW", "MOP", "Total", "%"])
    for r in [*rows, total]:
        name = "Total" if r is total else r.name
        out.writerow([name, r.target, *r.methods, r.achieved, f"{r.pct:.2f}%"])
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path


def _write_xlsx(path, title, region_header, rows, total, breakdown: bool) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Rekap"
    width = 12 if breakdown else 5
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(bold=True)
    sheet.append([])
    if breakdown:
        sheet.append(["NO", region_header.upper(), "SASARAN (PPM)", "HASIL PELAYANAN", None, None, None, None,
                      None, None, "JUMLAH", "PERSENTASE"])
        sheet.append([None, None, None, "PIL", "KONDOM", "SUNTIK", "AKDR", "IMPLANT", "TUBEKTOMI", "VASEKTOMI"])
        for col in (1, 2, 3, 11, 12):
            sheet.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
        sheet.merge_cells(start_row=3, start_column=4, end_row=3, end_column=10)
    else:
        sheet.append(["No", "Kab/Kota" if region_header != "Provinsi" else "Provinsi", "Target", "Capaian",
                      "% Capaian"])
    for i, r in enumerate([*rows, total], 1):
        label = (None, total.name) if r is total else (i, r.name)
        numbers = [r.target, *r.methods, r.achieved] if breakdown else [r.target, r.achieved]
        sheet.append([*label, *numbers, r.pct / 100])
        sheet.cell(sheet.max_row, width).number_format = "0.00%"
    book.properties.creator = "kbetl sample generator"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_reproducible_xlsx(buffer.getvalue()))
    return path


def _reproducible_xlsx(content: bytes) -> bytes:
    """The same workbook gives the same bytes: openpyxl stamps save times into the zip and core.xml."""
    fixed = (2020, 1, 1, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2020-01-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(item.filename, date_time=fixed), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()
