"""Staging recap files: finding them, and reading and checking each (no warehouse)."""

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kbetl import progress
from kbetl.sources.recaps.check import ValidatedRecap, validate_recap
from kbetl.sources.recaps.grid import UnreadableFile, shown_name
from kbetl.sources.recaps.read import RecapStructureError, check_file_size, read_recap

RECAP_SUFFIXES = (".csv", ".xlsx", ".xlsm")
# spreadsheets kbetl does not read: found in a folder, each is refused saying why, as when it is given directly
OTHER_SPREADSHEETS = (".xls", ".ods")
_STRING_STORAGE = threading.Lock()
UNEXPECTED = "tidak dapat dibaca karena galat di dalam kbetl"


@dataclass
class StagedFile:
    path: Path
    recaps: list[ValidatedRecap] = field(default_factory=list)  # one per (year, parent region) of the file
    refused: str | None = None  # why the whole file was refused
    unchanged: bool = False  # its bytes are already in the warehouse

    @property
    def rows_read(self) -> int:
        """Every row of the sheet read: region and total rows of all parts, and the rows skipped."""
        return sum(len(r.extract.rows) for r in self.recaps) + self.rows_skipped

    @property
    def rows_skipped(self) -> int:
        """Title, header, blank and note rows (the file's own, whichever part holds them)."""
        return len(self.recaps[0].extract.skipped_rows) if self.recaps else 0

    @property
    def recap(self) -> ValidatedRecap | None:
        """The file's first part (most files have one); None if it was refused or is unchanged."""
        return self.recaps[0] if self.recaps else None


def find_recap_files(paths: list[Path]) -> list[Path]:
    """Files as given, and recap files inside folders (recursively), in a stable order."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*")
                            if p.suffix.lower() in RECAP_SUFFIXES + OTHER_SPREADSHEETS and not p.is_dir())
        else:
            found.append(path)
    return found


def stage_each(paths: list[Path], year: int | None = None, region: str | None = None,
               kind: str | None = None, loaded: frozenset[str] = frozenset()) -> Iterator[StagedFile]:
    """The files found, staged one at a time as the caller takes them (so that memory does not grow with
    their number), skipping those whose bytes are loaded, with progress events for whoever shows them."""
    files = find_recap_files(paths)
    progress.emit("files_found", count=len(files))
    for path in files:
        yield _staged(stage_recap(path, year, region, loaded, kind=kind))


def stage_recap(path: Path, year: int | None = None, region: str | None = None,
                loaded: frozenset[str] = frozenset(), kind: str | None = None) -> StagedFile:
    """Extracts and validates one file, unless its bytes are among those already loaded. Whatever the file
    holds, the result is the file staged or refused with one sentence naming it: never an exception, so
    that one file cannot stop the others."""
    path = Path(path)
    try:
        check_file_size(path)
        if loaded and path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() in loaded:
            return StagedFile(path, unchanged=True)
        # pandas 3 stores strings in pyarrow when it is installed (ibis brings it); on the many small
        # frames of a recap that is ~40% slower than Python storage (222 sample files: 26.2 s against 18.5 s).
        # The option is the process's: files staged on several threads at once (a flow's tasks) would each
        # restore what another set, and leave it set; one at a time, each gives back what it found.
        with _STRING_STORAGE, pd.option_context("mode.string_storage", "python"):
            return StagedFile(path, recaps=validate_recap(read_recap(path, year, region, kind)))
    except (RecapStructureError, UnreadableFile) as exc:
        return StagedFile(path, refused=str(exc))
    except MemoryError:
        return StagedFile(path, refused=f"{shown_name(path.name)}: terlalu besar untuk dibaca dengan memori mesin ini; "
                                        "kirim rekapnya saja dalam berkas tersendiri")
    except Exception as exc:  # a file must never stop the others; the fuzz tests keep this branch unused
        text = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        return StagedFile(path, refused=f"{shown_name(path.name)}: {UNEXPECTED} ({text}); kirim berkas ini kepada "
                                        "pengelola kbetl")


def _staged(item: StagedFile) -> StagedFile:
    progress.emit("file_staged", path=item.path)
    return item
