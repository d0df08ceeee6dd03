"""Matching region names as reports write them to the register.

Reports never spell a region as the register does ("Mukomuko" vs "Kab. Muko Muko", "OKI", upper
case, "Kabupaten"/"Kab."/none). A name is resolved only when exactly one region fits; otherwise the
caller gets the closest candidates and the row is rejected, never guessed.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import pandas as pd
from rapidfuzz import fuzz, process

from kbetl.reference.indonesian import LEVEL_WORDS
from kbetl.reference.regions import regions_on_map
from kbetl.reference.tables import region_aliases

_KIND_WORDS = {
    "kabupaten": "kab", "kab": "kab",
    "kota": "kota", "kotamadya": "kota",
    "provinsi": None, "propinsi": None, "prov": None,
}
_NOISE_WORDS = {"adm", "administrasi"}
_SPELLED_OUT = {"kep": "kepulauan"}
# What a kecamatan is called before its name: in most provinces, in Papua (distrik), in DIY (kapanewon in
# a kabupaten, kemantren in Kota Yogyakarta). "Kota" is not among them: Kotagede is a kecamatan's name.
_DISTRICT_WORDS = {"kecamatan", "kec", "distrik", "kapanewon", "kemantren"}


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\(.*?\)", " ", text)
    return [_SPELLED_OUT.get(w, w) for w in re.findall(r"[a-z0-9]+", text)]


def split_kind(name: str) -> tuple[str | None, str]:
    """('kab' | 'kota' | None, compact rest) with the kind prefix and spacing removed."""
    words = _words(name)
    kind = None
    while words and words[0] in _KIND_WORDS:
        kind = _KIND_WORDS[words.pop(0)] or kind
    words = [w for w in words if w not in _NOISE_WORDS]
    return kind, "".join(words)


def compact_name(name: str) -> str:
    return split_kind(name)[1]


def district_key(name: str) -> str:
    """A kecamatan's compact name, without "Kecamatan"/"Kec."/"Distrik"/"Kapanewon"/"Kemantren" before it."""
    words = _words(name)
    while words and words[0] in _DISTRICT_WORDS:
        words.pop(0)
    return "".join(words)


def register_variants(name: str) -> list[str]:
    """A register name and the spelling it gives in parentheses ("Bambanglipuro (Bambang Lipuro)")."""
    return [name, *re.findall(r"\((.*?)\)", name)]


def regency_kind(register_name: str) -> str:
    return "kota" if register_name.lower().startswith("kota") else "kab"


class RegionNotResolved(ValueError):
    """A name that fits no region, or several (ambiguous: the candidates are the matches). Its message is
    read by data officers, so it is in Bahasa Indonesia."""

    def __init__(self, name: str, reason: str, candidates: list[str], ambiguous: bool = False):
        self.name, self.reason, self.candidates, self.ambiguous = name, reason, candidates, ambiguous
        listed = ", ".join(candidates)
        hint = (f": {listed}" if ambiguous else f"; yang paling mirip: {listed}") if candidates else ""
        super().__init__(f"nama wilayah {name!r} {reason}{hint}")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    kind: str | None


class RegionMatcher:
    """Resolves names to codes among the regions of one level (optionally within one parent)."""

    def __init__(self, regions: pd.DataFrame, level: str):
        self.level = level
        self._regions = regions[regions["level"] == level]
        self._all = [_Entry(Region(r.region_code, r.region_name,
                                   regency_kind(r.region_name) if level == "regency" else None),
                            key, r.parent_code)
                     for r in self._regions.itertuples()
                     for key in dict.fromkeys(self._key(v) for v in register_variants(r.region_name))]
        self._by_key = defaultdict(list)
        for entry in self._all:
            self._by_key[entry.key].append(entry)
        self._aliases = {
            "".join(_words(row.alias)): row.canonical_name
            for row in region_aliases().itertuples() if row.level == level
        }

    def resolve(self, name: str, parent_code: str | None = None) -> Region:
        kind, key = self._canonical(name)
        matches = [e for e in self._by_key.get(key, [])
                   if (parent_code is None or e.parent_code == parent_code)
                   and (kind is None or e.region.kind in (None, kind))]
        if len(matches) == 1:
            return matches[0].region
        if len(matches) > 1:
            raise RegionNotResolved(name, f"cocok dengan {len(matches)} wilayah",
                                    [f"{m.region.name} ({m.region.code})" for m in matches], ambiguous=True)
        pool = [e for e in self._all if parent_code is None or e.parent_code == parent_code]
        raise RegionNotResolved(name, self._unknown_reason(key, parent_code), self._closest(name, pool))

    def _key(self, name: str) -> str:
        return district_key(name) if self.level == "district" else compact_name(name)

    def _canonical(self, name: str) -> tuple[str | None, str]:
        """The alias's register name for the whole name, else for the name without its prefix."""
        if self.level == "district":
            key = district_key(name)
            return None, district_key(self._aliases[key]) if key in self._aliases else key
        whole = "".join(_words(name))
        if whole in self._aliases:
            return split_kind(self._aliases[whole])
        kind, key = split_kind(name)
        if key in self._aliases:
            return kind, compact_name(self._aliases[key])
        return kind, key

    def _unknown_reason(self, key: str, parent_code: str | None) -> str:
        where = f" di wilayah {parent_code}" if parent_code else ""
        level = LEVEL_WORDS[self.level]
        elsewhere = self._by_key.get(key, [])
        if parent_code and elsewhere:
            others = ", ".join(f"{e.region.name} ({e.region.code})" for e in elsewhere)
            return f"bukan {level}{where}, melainkan {others}"
        return f"tidak cocok dengan {level} mana pun{where}"

    def _closest(self, name: str, pool) -> list[str]:
        choices = {f"{e.region.name} ({e.region.code})": e.key for e in pool}
        found = process.extract(self._key(name), choices, scorer=fuzz.ratio, limit=3)
        return [label for _, _, label in found]


@dataclass(frozen=True)
class _Entry:
    region: Region
    key: str
    parent_code: str | None


@cache
def matcher_for(map_version: str, level: str) -> RegionMatcher:
    return RegionMatcher(regions_on_map(map_version), level)
