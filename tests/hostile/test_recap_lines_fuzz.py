"""Every physical line of a recap CSV accounted for, whatever its quoting, delimiter and line endings: the
file is refused with one sentence naming it, or rows read = accepted + rejected + skipped, and the rows
read and the lines that continue a quoted cell are all the file's lines (none merged away, none dropped)."""

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kbetl.sources.recaps.stage import UNEXPECTED, stage_recap

TITLE = "REKAPITULASI HASIL PELAYANAN KB PROVINSI BENGKULU TAHUN 2022"
HEADER = ["No", "Kabupaten/Kota", "Sasaran", "Jumlah"]
CELLS = st.one_of(
    st.sampled_from(["", "Kaur", "Seluma", "Kota Bengkulu", "Lebong", "JUMLAH", "1.500", "980", "98,00", "-",
                     "Sumber: BKKBN", "a;b", "a,b", "a\tb", 'kata "kutip"', "dua\nbaris", "dua\r\nbaris", "\r"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8),
)
QUOTING = st.sampled_from(["minimal", "all", "none", "stray"])


def written(cell: str, delimiter: str, quoting: str) -> str:
    needs = any(c in cell for c in (delimiter, '"', "\r", "\n"))
    if quoting == "all" or (quoting == "minimal" and needs):
        return '"' + cell.replace('"', '""') + '"'
    if quoting == "stray":
        return '"' + cell
    return cell


@st.composite
def recap_csvs(draw) -> str:
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    ends = st.sampled_from(["\r\n", "\n", "\r"])
    lines = [TITLE + delimiter * 3, "", delimiter.join(HEADER)]
    for _ in range(draw(st.integers(0, 8))):
        cells = draw(st.lists(st.tuples(CELLS, QUOTING), max_size=6))
        lines.append(delimiter.join(written(c, delimiter, q) for c, q in cells))
    text = "".join(line + draw(ends) for line in lines[:-1]) + lines[-1]
    return text + (draw(ends) if draw(st.booleans()) else "")


def physical_lines(text: str) -> int:
    return len(re.findall(r"\r\n|\r|\n", text)) + (1 if text and not text.endswith(("\r", "\n")) else 0)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=recap_csvs(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_every_line_of_a_recap_csv_is_accounted_for(text, encoding):
    content = text.encode(encoding, errors="replace")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acak.csv"
        path.write_bytes(content)
        item = stage_recap(path)
    event("refused" if not item.recaps else "rejected rows" if any(r.has_errors for r in item.recaps) else "clean")
    if not item.recaps:
        assert "acak.csv" in item.refused and UNEXPECTED not in item.refused, item.refused
        return
    accepted = sum(r.rows_accepted for r in item.recaps)
    rejected = sum(r.rows_rejected for r in item.recaps)
    assert item.rows_read == accepted + rejected + item.rows_skipped
    decoded = content.decode(encoding if encoding != "utf-8" else "utf-8-sig", errors="replace")
    assert item.rows_read + item.recaps[0].extract.continued_lines == physical_lines(decoded)
