"""The validation report a data officer reads: per file, what was accepted, rejected and found (in Bahasa
Indonesia, as everything people read)."""

from kbetl.reports.numbers import id_number
from kbetl.sources.recaps.check import LEVEL_WORDS, ValidatedRecap
from kbetl.sources.recaps.stage import StagedFile

KIND_WORDS = {"psa": "rekap PSA", "current_users": "laporan peserta KB aktif"}


def validation_report(item: StagedFile) -> str:
    if not item.recaps:
        return f"DITOLAK {item.path}\n  {item.refused}\n  Tidak ada isi berkas ini yang dapat dimuat."
    status = "ADA KESALAHAN" if any(r.has_errors for r in item.recaps) else "OK"
    lines = [f"{status} {item.path}"]
    for recap in item.recaps:
        lines += _part(recap)
    return "\n".join(lines)


def _part(recap: ValidatedRecap) -> list[str]:
    extract = recap.extract
    kind = KIND_WORDS[recap.kind]
    year = "tahun kampanye" if recap.kind == "psa" else "tahun laporan"
    lines = [
        f"  {year} {recap.campaign_year}, "
        + (f"{kind} nasional (baris berisi provinsi)" if recap.row_level == "province"
           else f"{kind} {recap.parent_name} ({recap.parent_code}), baris berisi {LEVEL_WORDS[recap.row_level]}"),
        f"  judul kolom di baris {extract.header_row}; {id_number(recap.rows_in)} baris dibaca: "
        f"{id_number(recap.rows_accepted)} diterima ({id_number(len(recap.accepted))} baris wilayah"
        f"{' dan baris jumlah' if not recap.parent_figures.empty else ''}), {id_number(recap.rows_rejected)} ditolak",
    ]
    if extract.ignored_columns:
        lines.append(f"  kolom yang tidak dipakai: {', '.join(extract.ignored_columns)}")
    for problem in recap.quarantine.itertuples():
        lines.append(f"  {problem.message}")
    for finding in recap.findings.itertuples():
        lines.append(f"  temuan {finding.check_name}: {finding.message}")
    return lines
