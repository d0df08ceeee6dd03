"""The validation report a data officer reads: per file, what was accepted, rejected and found."""

from kbetl.sources.recaps.stage import StagedFile


def validation_report(item: StagedFile) -> str:
    if item.recap is None:
        return f"REFUSED {item.path}\n  {item.refused}\n  Nothing from this file can be loaded."
    recap = item.recap
    extract = recap.extract
    status = "ERRORS" if recap.has_errors else "OK"
    lines = [
        f"{status} {item.path}",
        f"  campaign year {recap.campaign_year}, "
        + ("national recap (rows are provinces)" if recap.row_level == "province"
           else f"recap of {recap.parent_name} ({recap.parent_code}), rows are kabupaten/kota"),
        f"  header on row {extract.header_row}; {recap.rows_in} rows read: {recap.rows_accepted} accepted "
        f"({len(recap.accepted)} region rows{' and the total row' if not recap.parent_figures.empty else ''}), "
        f"{recap.rows_rejected} rejected",
    ]
    if extract.ignored_columns:
        lines.append(f"  columns not used: {', '.join(extract.ignored_columns)}")
    for problem in recap.quarantine.itertuples():
        lines.append(f"  row {problem.source_row}, column {problem.column_name}: {problem.message}"
                     + (f" (found {problem.value!r})" if problem.value is not None else ""))
    for finding in recap.findings.itertuples():
        lines.append(f"  check {finding.check_name}: {finding.message}")
    return "\n".join(lines)
