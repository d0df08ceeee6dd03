"""The contraceptive methods: the one list every contract, reference table and model column follows.

Read from methods.csv beside this file (code, Indonesian and English names, whether long-acting).
MKJP (long-acting) = IUD + implant + MOW + MOP.
"""

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Method:
    code: str
    name_id: str
    name_en: str
    is_mkjp: bool


with (Path(__file__).parent / "methods.csv").open(newline="") as _file:
    METHODS: tuple[Method, ...] = tuple(Method(r["method_code"], r["name_id"], r["name_en"], r["is_mkjp"] == "true")
                                        for r in csv.DictReader(_file))
METHOD_CODES: tuple[str, ...] = tuple(m.code for m in METHODS)
