"""Doubts on a figure as people read them, in Bahasa Indonesia: the failing data-quality checks of a region
(marts.quality_flags) by their titles (ref.quality_checks, never the check ids), a short reason with the
figures behind it (the most deviant row of marts.data_quality_issues), whether an award may follow, and
the label of an aggregate built from only part of its children ("Indonesia (3 dari 38 provinsi)")."""

import re
from dataclasses import dataclass, field

import duckdb

from kbetl.reference.indonesian import CHILD_LEVEL, LEVEL_WORDS, id_number, id_pct

NOT_ELIGIBLE = "tidak layak juara"
# Checks on what a figure is made of come before those that only see its effect (a target three times its
# history makes the achievement an outlier): the first reason is the one to act on.
CAUSES_FIRST = ("target_vs_history", "achieved_vs_history", "recap_vs_facility", "recap_findings", "partial_sum",
                "mkjp_share_range")


@dataclass(frozen=True)
class Issue:
    """The most deviant offending row of a check in a region."""

    value: float | None
    reference_value: float | None
    subject: str | None


@dataclass
class QualityNotes:
    """The flags of one campaign year: titles and blocking checks of ref.quality_checks, the failing checks
    per region, and the issue behind each."""

    titles: dict[str, str] = field(default_factory=dict)
    blocking: set[str] = field(default_factory=set)
    flags: dict[str, list[str]] = field(default_factory=dict)
    issues: dict[tuple[str, str], Issue] = field(default_factory=dict)

    def of(self, region_code: str) -> list[str]:
        return self.flags.get(region_code, [])

    def title(self, check_name: str) -> str:
        return self.titles.get(check_name, "pemeriksaan kualitas data")

    def ordered(self, flags) -> list[str]:
        """Blocking checks first, causes before effects."""
        return sorted(flags or [], key=lambda c: (c not in self.blocking, c not in CAUSES_FIRST,
                                                  CAUSES_FIRST.index(c) if c in CAUSES_FIRST else 0, c))

    def titles_of(self, flags) -> str:
        """'Sasaran vs tahun sebelumnya, Pencilan capaian kab/kota'."""
        return ", ".join(self.title(c) for c in self.ordered(flags))

    def mark(self, flags, award_eligible: bool | None = None) -> str:
        """The short note a league table shows beside a flagged row ('' for a clean one)."""
        if not flags:
            return ""
        note = "⚠ " + self.titles_of(flags)
        return note + f" ({NOT_ELIGIBLE})" if award_eligible is False else note

    def reasons(self, region_code: str, blocking_only: bool = False) -> list[str]:
        """One short reason per failing check of the region (or per check that blocks awards), the one to act
        on first."""
        flags = [c for c in self.of(region_code) if c in self.blocking or not blocking_only]
        return [reason(c, self.issues.get((region_code, c)), self.title(c)) for c in self.ordered(flags)]


def quality_notes(con: duckdb.DuckDBPyConnection, year: int) -> QualityNotes:
    """The flags of `year` from the published database."""
    notes = QualityNotes()
    for check, title, blocks in con.execute(
            "select check_name, title_id, blocks_award from ref.quality_checks").fetchall():
        notes.titles[check] = title
        if blocks:
            notes.blocking.add(check)
    notes.flags = {code: list(flags) for code, flags in con.execute(
        "select region_code, quality_flags from marts.quality_flags where campaign_year = ? "
        "and len(quality_flags) > 0", [year]).fetchall()}
    for code, check, value, reference, subject in con.execute("""
            select region_code, check_name, value, reference_value, subject
            from marts.data_quality_issues
            where campaign_year = ?
            qualify row_number() over (
                partition by region_code, check_name
                order by severity = 'moderate',
                         abs(value - coalesce(reference_value, 0)) / greatest(abs(reference_value), 1) desc,
                         subject) = 1""", [year]).fetchall():
        notes.issues[(code, check)] = Issue(value, reference, subject)
    return notes


def _ratio(issue: Issue) -> str | None:
    if issue.value is None or not issue.reference_value:
        return None
    return id_number(issue.value / issue.reference_value, 1)


def _whole(value) -> str:
    return id_number(round(value)) if value is not None else "-"


def reason(check_name: str, issue: Issue | None, title: str) -> str:
    """A short reason in Bahasa Indonesia with the figures of the issue, and what to check."""
    if issue is None:
        return title
    value, reference = issue.value, issue.reference_value
    if check_name in ("target_vs_history", "achieved_vs_history") and _ratio(issue):
        campaigns = len(re.findall(r"\b(?:19|20)\d\d\b", issue.subject or ""))
        what = "sasaran" if check_name == "target_vs_history" else "capaian"
        earlier = f"{campaigns} kampanye sebelumnya" if campaigns else "kampanye sebelumnya"
        return f"{what} {_ratio(issue)}× rata-rata {earlier}; periksa {what}"
    if check_name == "recap_vs_facility":
        return f"rekap {_whole(reference)} akseptor, laporan faskes {_whole(value)}; periksa rekap"
    if check_name == "regency_achievement_outlier":
        return f"capaian {id_pct(value)}% jauh dari median kab/kota provinsinya {id_pct(reference)}%; periksa angka"
    if check_name == "partial_sum":
        return f"jumlah dari {_whole(value)} dari {_whole(reference)} wilayah saja; rekap belum lengkap"
    if check_name == "mkjp_share_range":
        return f"porsi MKJP {id_pct(value)}% di luar 0–100%; periksa metode"
    if check_name in ("reporting_rate", "on_time_rate"):
        return f"{title.lower()} {id_pct(value)}% (ambang {id_pct(reference)}%)"
    if check_name == "facility_day_outlier":
        return f"faskes melayani {_whole(value)} akseptor sehari, median {_whole(reference)}; periksa laporan faskes"
    if check_name == "recap_findings":
        return "temuan pemeriksaan silang pada rekap; periksa rekap"
    return title


def partial_label(name: str, reported: int | None, expected: int | None, level: str) -> str:
    """'Indonesia (3 dari 38 provinsi)' when the figure covers only part of the children; else the name."""
    if reported is None or expected is None or reported >= expected:
        return name
    children = LEVEL_WORDS[CHILD_LEVEL[level]] if level in CHILD_LEVEL else "wilayah"
    return f"{name} ({id_number(reported)} dari {id_number(expected)} {children})"


def facility_coverage(con: duckdb.DuckDBPyConnection, year: int, region_code: str) -> tuple[int, int]:
    """(children with facility reports, children on the year's map) of the nation ('00': provinces) or a
    province (its kabupaten/kota): how much of the region the facility-based figures cover."""
    child = "province" if region_code == "00" else "regency"
    return tuple(con.execute(f"""
        with covered as (
            select distinct {'province_code' if child == 'province' else 'regency_code'} as code
            from marts.reporting_completeness
            where campaign_year = $year and ($code = '00' or province_code = $code)
        ),
        mapped as (
            select r.region_code as code
            from ref.regions as r join ref.campaigns as c on r.map_version = c.region_map
            where c.campaign_year = $year and r.level = $child and ($code = '00' or r.parent_code = $code)
        )
        select (select count(*) from covered where code in (select code from mapped)),
               (select count(*) from mapped)""",
        {"year": year, "code": region_code, "child": child}).fetchall()[0])
