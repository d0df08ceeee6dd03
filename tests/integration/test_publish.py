"""Publishing the analyst database: atomic, never blocked by readers, never after a failed run."""

import subprocess
import sys
import textwrap
from datetime import date

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import Faults, running_server
from kbetl.runs import load_pulls
from kbetl.sources.report_api.client import ReportApiClient
from kbetl.sources.report_api.pull import pull_province
from kbetl.warehouse.publish import published_path
from tests.helpers.warehouse import SAMPLE_DIR, publish_recaps, query

BENGKULU_2022 = SAMPLE_DIR / "2022" / "17_bengkulu.csv"
KALSEL_2022 = next((SAMPLE_DIR / "2022").glob("63_*"))


def test_a_reader_holding_the_published_file_neither_blocks_a_run_nor_sees_it_half_built(db):
    first = publish_recaps(db, BENGKULU_2022)
    reader = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys
        con = duckdb.connect({str(first.published)!r}, read_only=True)
        count = lambda: con.execute("select count(*) from marts.achievement").fetchall()[0][0]
        print(count(), flush=True)
        sys.stdin.readline()            # the test publishes again meanwhile
        print(count(), flush=True)
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        before = int(reader.stdout.readline())
        second = publish_recaps(db, KALSEL_2022)
        after_in_open_connection, errors = reader.communicate("\n", timeout=60)
    finally:
        reader.kill()
    assert second.status == "succeeded" and second.published == first.published
    assert int(after_in_open_connection) == before, "the open connection keeps the old data"
    assert reader.returncode == 0, errors
    assert query(first.published, "select count(*) from marts.achievement")[0][0] > before, "a new one sees the new"


def test_a_failed_run_publishes_nothing_and_leaves_the_last_good_file(db):
    publish_recaps(db, BENGKULU_2022)
    published = published_path(db)
    before = published.read_bytes()
    data = generate_facility_data([2024], ["17", "63"], scale=0.05)
    with running_server(data, "t", faults=Faults(down_provinces=["17"])) as server:
        api = ReportApiClient(server.base_url, "t", retries=1, backoff_s=0.01)
        pulls = [pull_province(api, 2024, p, [date(2024, 6, 4)]) for p in ("17", "63")]
    summary = load_pulls(db, pulls, "test", publish_to=published)
    assert summary.failed and summary.published is None
    assert published.read_bytes() == before
