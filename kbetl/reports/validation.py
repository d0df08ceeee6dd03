"""The validation report a data officer reads: per file, what was accepted, rejected and found (in Bahasa
Indonesia, as everything people read)."""

from collections import Counter

from kbetl.reports.numbers import id_number
from kbetl.sources.recaps.check import LEVEL_WORDS, ValidatedRecap
from kbetl.sources.recaps.grid import shown_name
from kbetl.sources.recaps.stage import StagedFile

KIND_WORDS = {"psa": "rekap PSA", "current_users": "laporan peserta KB aktif", "new_users": "laporan peserta KB baru"}


SKIPPED_WORDS = {"title": "judul", "header": "judul kolom", "blank": "kosong", "note": "catatan",
                 "other_year": "tahun lain", "method_row": "baris metode yang digabung ke baris wilayahnya",
                 "years_total": "jumlah semua tahun"}


def validation_report(item: StagedFile) -> str:
    """The file's name escaped (a line break in it cannot start a line of its own)."""
    if not item.recaps:
        return f"DITOLAK {shown_name(item.path)}\n  {item.refused}\n  Tidak ada isi berkas ini yang dapat dimuat."
    status = "ADA KESALAHAN" if any(r.has_errors for r in item.recaps) else "OK"
    lines = [f"{status} {shown_name(item.path)}", *_file_lines(item)]
    for recap in item.recaps:
        lines += _part(recap)
    return "\n".join(lines)


def _file_lines(item: StagedFile) -> list[str]:
    """Which sheet was read, and every row of it accounted for: read = accepted + rejected + skipped."""
    extract = item.recaps[0].extract
    lines = []
    if extract.sheet_name is not None:
        lines.append(f"  lembar {extract.sheet_name!r} dibaca; lembar lain: "
                     f"{', '.join(map(repr, extract.other_sheets))}")
    accepted = sum(r.rows_accepted for r in item.recaps)
    rejected = sum(r.rows_rejected for r in item.recaps)
    kinds = Counter(kind for _, kind, _ in extract.skipped_rows)
    why = ", ".join(f"{id_number(n)} {SKIPPED_WORDS[k]}" for k, n in kinds.items())
    line = (f"  seluruh berkas: {id_number(item.rows_read)} baris = {id_number(accepted)} diterima + "
            f"{id_number(rejected)} ditolak + {id_number(item.rows_skipped)} dilewati" + (f" ({why})" if why else ""))
    if extract.continued_lines:
        line += f"; {id_number(extract.continued_lines)} baris teks lagi adalah lanjutan sel bertanda kutip"
    lines.append(line)
    if extract.ignored_columns:
        lines.append(f"  kolom yang tidak dipakai: {', '.join(c.shown for c in extract.ignored_columns)}")
    if extract.years_skipped:
        lines.append(f"  tahun yang dilewati (hanya tahun {item.recaps[0].campaign_year} yang dibaca): "
                     + ", ".join(f"{y} ({id_number(n)} baris wilayah)" for y, n in extract.years_skipped.items()))
    return lines


def _part(recap: ValidatedRecap) -> list[str]:
    extract = recap.extract
    kind = KIND_WORDS[recap.kind]
    year = "tahun kampanye" if recap.kind == "psa" else "tahun laporan"
    lines = [
        f"  {year} {recap.campaign_year}, "
        + (f"{kind} {recap.parent_name} ({recap.parent_code}), baris berisi tahun (angka wilayah itu sendiri)"
           if extract.rows_are_years
           else f"{kind} nasional (baris berisi provinsi)" if recap.row_level == "province"
           else f"{kind} {recap.parent_name} ({recap.parent_code}), baris berisi {LEVEL_WORDS[recap.row_level]}"),
        f"  judul kolom di baris {extract.header_row}; {id_number(recap.rows_in)} baris dibaca: "
        f"{id_number(recap.rows_accepted)} diterima ("
        + (f"baris tahun itu, angka {recap.parent_name}" if extract.rows_are_years else
           f"{id_number(len(recap.accepted))} baris wilayah"
           f"{' dan baris jumlah' if not recap.parent_figures.empty else ''}")
        + f"), {id_number(recap.rows_rejected)} ditolak",
    ]
    for problem in recap.quarantine.itertuples():
        lines.append(f"  {problem.message}")
    for finding in recap.findings.itertuples():
        lines.append(f"  temuan {finding.check_name}: {finding.message}")
    return lines
