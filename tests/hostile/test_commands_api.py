"""Issue 20, cases 7 and 9: an HTML page where the report API should answer JSON fails the province at once
(asking again gives the same page) in one sentence, with no traceback; an unreachable Dask scheduler is one
sentence naming KBETL_DASK_ADDRESS before anything starts; the province's default deadline fits a nightly
and is the one docs/operations.md states."""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kbetl.sources.report_api.client import DEFAULT_DEADLINE_S, ReportApiClient
from kbetl.warehouse.database import PROJECT_DIR
from tests.helpers.receivers import free_port
from tests.helpers.warehouse import query
from tests.hostile.commands_helpers import kbetl, prefect_started, sentence
from tests.hostile.runs_helpers import BENGKULU

PAGE = b"<!DOCTYPE html><html><body><h1>Selamat datang</h1><p>Silakan masuk.</p></body></html>"
NIGHTLY_PROVINCE_BUDGET_S = 120  # a stalled province may hold a nightly this long, not five minutes


@contextmanager
def html_server() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that answers every request 200 with an HTML page; (its URL, paths asked)."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            asked.append(self.path.split("?")[0])
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", asked
    finally:
        server.shutdown()
        server.server_close()


def test_an_html_page_where_json_belongs_fails_the_province_once_in_one_sentence(tmp_path):
    db = tmp_path / "w.duckdb"
    with html_server() as (url, asked):
        result = kbetl(tmp_path, "pull", "--year", "2022", "--provinces", "17", "--day", "2022-06-15",
                       "--api-url", url, "--db", db, env={"KBETL_API_TOKEN": "tok-8c1f2e-rahasia"})
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output[-3000:]
    assert asked == ["/v1/provinces/17/facilities"], "not asked again: the same page would come back"
    expected = ("jawabannya bukan objek JSON (text/html, 85 bita); periksa bahwa --api-url / KBETL_API_URL "
                "menunjuk API laporan, bukan halaman web.")
    assert expected in output
    [(status, error)] = query(db, "select status, error from audit.api_pulls")
    assert status == "failed" and error.endswith(expected)


def test_an_unreachable_dask_scheduler_is_one_sentence_naming_the_setting_before_the_run(tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    result = kbetl(tmp_path, "ingest", BENGKULU[0], "--db", tmp_path / "w.duckdb",
                   env={"KBETL_DASK_ADDRESS": address, "KBETL_LANDING": str(tmp_path / "landing")}, own_prefect=True)
    assert result.returncode == 2
    assert sentence(result).startswith(f"KBETL_DASK_ADDRESS='{address}': penjadwal Dask di alamat itu tidak dapat "
                                       "dihubungi (Connection refused)")
    assert not prefect_started(tmp_path)


def test_the_default_province_deadline_fits_a_nightly_and_is_documented(monkeypatch):
    monkeypatch.delenv("KBETL_API_DEADLINE_S", raising=False)
    client = ReportApiClient("http://127.0.0.1:9", "t")
    assert client.deadline_s == DEFAULT_DEADLINE_S <= NIGHTLY_PROVINCE_BUDGET_S
    operations = (PROJECT_DIR / "docs" / "operations.md").read_text(encoding="utf-8")
    row = re.search(r"^\|[^\n]*`KBETL_API_DEADLINE_S` \| ([\d.]+) s \|", operations, flags=re.M)
    assert row and float(row.group(1)) == DEFAULT_DEADLINE_S
