"""Seeded sample of current-users reports (peserta KB aktif), so that the quick start fills marts.current_users:
a Satu Data portal's export of one province's kabupaten/kota and one of a kabupaten's kecamatan, in the shape
such portals publish (docs/file_shapes.md, sections 4 and 7). The kabupaten's kecamatan add up to its row in
the province's export. Beside them, the kabupaten's new acceptors (peserta KB baru) by kecamatan, for
marts.new_users (section 8)."""

import csv
from pathlib import Path

import numpy as np

from devtools.generate.figures import DEFAULT_SEED, split_total
from kbetl.reference.regions import regions_on_map
from kbetl.reference.tables import region_map_for_year

YEAR, PROVINCE, REGENCY = 2024, "63", "6307"  # Kalimantan Selatan and its Kab. Hulu Sungai Tengah
# the export's method columns, in its order, with the method each counts; a stock weighted to injectables
EXPORT_METHODS = (("iud", 0.09), ("mow", 0.04), ("mop", 0.005), ("implant", 0.11), ("injectable", 0.52),
                  ("pill", 0.20), ("condom", 0.035))
EXPORT_NAMES = {"iud": "iud", "mow": "mow", "mop": "mop", "implant": "implan", "injectable": "suntik",
                "pill": "pil", "condom": "kondom"}


def generate_current_users(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the two exports under out_dir/<year>/; return their paths."""
    rng = np.random.default_rng([seed, int(REGENCY)])
    regions = regions_on_map(region_map_for_year(YEAR))
    province_name = regions.loc[regions["region_code"] == PROVINCE, "region_name"].item()
    regencies = regions[(regions["level"] == "regency") & (regions["parent_code"] == PROVINCE)]
    districts = regions[(regions["level"] == "district") & (regions["parent_code"] == REGENCY)]
    weights = np.array([w for _, w in EXPORT_METHODS])

    regency_rows = []
    for regency in regencies.itertuples():
        target = int(rng.integers(150, 900)) * 100
        users = int(target * rng.uniform(0.78, 1.06))
        regency_rows.append((regency.region_code, _portal_name(regency.region_name), None, target, users,
                             split_total(users, weights * rng.uniform(0.8, 1.2, len(weights)))))
    _, regency_name, _, regency_target, regency_users, regency_methods = next(
        r for r in regency_rows if r[0] == REGENCY)
    sizes = rng.uniform(0.6, 1.6, len(districts))
    district_targets = split_total(regency_target, sizes)
    district_users = split_total(regency_users, sizes * rng.uniform(0.9, 1.1, len(districts)))
    # each method of the kabupaten split over its kecamatan; a kecamatan's users are the sum of its methods,
    # so that the kecamatan add up to the kabupaten's row, method by method and in total
    by_method = [split_total(total, np.array(district_users, dtype=float)) for total in regency_methods]
    district_rows = []
    for i, (name, target) in enumerate(zip(districts["region_name"], district_targets)):
        methods = [column[i] for column in by_method]
        district_rows.append((REGENCY, regency_name, name, target, sum(methods), methods))

    folder = Path(out_dir) / str(YEAR)
    folder.mkdir(parents=True, exist_ok=True)
    province_path = folder / f"peserta_kb_aktif_{_slug(province_name)}_{YEAR}.csv"
    district_path = folder / f"peserta_kb_aktif_{_slug(regency_name)}_{YEAR}.csv"
    _write(province_path, province_name, regency_rows, with_district=False)
    _write(district_path, province_name, district_rows, with_district=True)
    return [province_path, district_path, _new_users(folder, seed, province_name, district_rows)]


def _new_users(folder: Path, seed: int, province_name: str, current: list[tuple]) -> Path:
    """The kabupaten's new acceptors (peserta KB baru) of the year by kecamatan, so that the quick start fills
    marts.new_users: about a tenth of each kecamatan's current users, against a target of its own."""
    rng = np.random.default_rng([seed, int(REGENCY), 1])
    weights = np.array([w for _, w in EXPORT_METHODS])
    rows = []
    for code, regency_name, name, _, users, _ in current:
        new = int(users * rng.uniform(0.08, 0.14))
        methods = split_total(new, weights * rng.uniform(0.8, 1.2, len(weights)))
        rows.append((code, regency_name, name, int(new * rng.uniform(0.9, 1.2)), sum(methods), methods))
    path = folder / f"peserta_kb_baru_{_slug(rows[0][1])}_{YEAR}.csv"
    _write(path, province_name, rows, with_district=True, counted="kb_baru")
    return path


def _portal_name(register_name: str) -> str:
    """The name as portals write it: 'Kab. Hulu Sungai Tengah' → 'HULU SUNGAI TENGAH', 'Kota X' → 'KOTA X'."""
    return register_name.removeprefix("Kab. ").upper()


def _slug(name: str) -> str:
    return name.removeprefix("Kab. ").lower().replace(" ", "_")


def _write(path: Path, province_name: str, rows: list[tuple], with_district: bool, counted: str = "kb_aktif") -> None:
    """counted: what the columns count, as the portal names it ('kb_aktif': current users; 'kb_baru': new ones)."""
    header = ["tahun", "kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota"]
    header += ["kecamatan"] if with_district else []
    header += [f"metode_{counted}_{EXPORT_NAMES[m]}" for m, _ in EXPORT_METHODS]
    header += [f"jumlah_peserta_{counted}", f"target_peserta_{counted}", f"persentase_peserta_{counted}", "satuan"]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for code, name, district, target, users, methods in rows:
            pct = f"{100 * users / target:.2f}".replace(".", ",")
            writer.writerow([YEAR, PROVINCE, province_name.upper(), code, name, *([district] if with_district else []),
                             *methods, users, target, pct, "ORANG"])
