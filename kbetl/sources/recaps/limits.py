"""Limits on what one recap file may make kbetl read, so that no file can exhaust memory.

A recap is a few dozen rows (a few KB); each limit is far above that and far below the 1.5 GiB memory
budget. Beyond one, the file is refused with a sentence naming it and the limit (never read further), in
Bahasa Indonesia, as every message a data officer reads.
Each is read from its environment variable when a file is read, so a run can raise one; a value that is
not a whole number above zero is refused naming the variable (kbetl.settings), never replaced by the default.

| variable                        | default     | what                                                     |
|---------------------------------|-------------|----------------------------------------------------------|
| KBETL_RECAP_MAX_FILE_BYTES      | 20 MiB      | size of a file on disk, checked before it is read        |
| KBETL_RECAP_MAX_XLSX_BYTES      | 16 MiB      | uncompressed size of all members of an XLSX (its ZIP)    |
| KBETL_RECAP_MAX_XLSX_RATIO      | 200         | uncompressed / compressed size of any XLSX member over 1 MiB |
| KBETL_RECAP_MAX_ROWS            | 10000       | rows of a sheet (CSV lines or XLSX rows)                 |
| KBETL_RECAP_MAX_COLUMNS         | 256         | columns of a sheet (Excel 2003's own limit)              |
| KBETL_RECAP_MAX_CELL_CHARS      | 32767       | characters in one cell (Excel's own limit)               |
"""

from dataclasses import dataclass

from kbetl.reference.indonesian import id_number
from kbetl.settings import positive_int

MIB = 1 << 20
RATIO_APPLIES_ABOVE = MIB  # small members (styles, an empty sheet) compress far better than 200:1


@dataclass(frozen=True)
class Limit:
    env: str
    default: int
    what: str

    @property
    def value(self) -> int:
        return positive_int(self.env, self.default)

    def describe(self, value: int | None = None) -> str:
        value = self.value if value is None else value
        if value >= MIB and self.env.endswith("BYTES"):
            shown = f"{id_number(value / MIB, 3, trim=True)} MiB"
        else:
            shown = id_number(value)
        return f"{shown} ({self.env})"


MAX_FILE_BYTES = Limit("KBETL_RECAP_MAX_FILE_BYTES", 20 * MIB, "size of a recap file")
MAX_XLSX_BYTES = Limit("KBETL_RECAP_MAX_XLSX_BYTES", 16 * MIB, "uncompressed size of an XLSX")
MAX_XLSX_RATIO = Limit("KBETL_RECAP_MAX_XLSX_RATIO", 200, "compression ratio of an XLSX member")
MAX_ROWS = Limit("KBETL_RECAP_MAX_ROWS", 10_000, "rows of a sheet")
MAX_COLUMNS = Limit("KBETL_RECAP_MAX_COLUMNS", 256, "columns of a sheet")
MAX_CELL_CHARS = Limit("KBETL_RECAP_MAX_CELL_CHARS", 32_767, "characters in a cell")

ALL = (MAX_FILE_BYTES, MAX_XLSX_BYTES, MAX_XLSX_RATIO, MAX_ROWS, MAX_COLUMNS, MAX_CELL_CHARS)
