"""Recap files staged in parallel on every core give what staging them one by one gives."""

import os
import subprocess
import sys

from tests.helpers.warehouse import SAMPLE_DIR


def test_recap_files_staged_on_every_core_give_what_one_by_one_gives():
    """In a process of its own, so that no thread of another test keeps it from forking."""
    script = """
import sys
from pathlib import Path
import kbetl.sources.recaps.stage as ingest
pools = []
class Counted(ingest.ProcessPoolExecutor):
    def __init__(self, *args, **kwargs):
        pools.append(kwargs["max_workers"])
        super().__init__(*args, **kwargs)
ingest.ProcessPoolExecutor = Counted
files = ingest.find_recap_files([Path(sys.argv[1])])[:40]
together = ingest.stage_recaps(files)
alone = [ingest.stage_recap(f) for f in files]
same = all(a.path == b.path and a.refused == b.refused and (a.recap is None) == (b.recap is None)
           and (a.recap is None or (a.recap.accepted.equals(b.recap.accepted)
                                    and a.recap.findings.equals(b.recap.findings)
                                    and a.recap.quarantine.equals(b.recap.quarantine)))
           for a, b in zip(together, alone, strict=True))
print(len(files), pools, same)
"""
    result = subprocess.run([sys.executable, "-c", script, str(SAMPLE_DIR)], capture_output=True, text=True,
                            env=os.environ.copy(), timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[0] == f"40 [{min(os.cpu_count(), 5)}] True"
