"""Issue 13, the report API: a hostile or careless server (a token echoed back, a body without end, an
answer that never comes), a year that is no campaign, and the faults that already held (500, 429, bodies
cut short). The command cases run `kbetl pull` in a subprocess with a Prefect home of its own."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from devtools.report_api_server import Faults, running_server
from kbetl.sources.report_api.client import TOKEN_ENV, ApiError, ReportApiClient
from kbetl.sources.report_api.pull import pull_province
from tests.helpers import prefect_server
from tests.helpers.facility_data import bengkulu_2022
from tests.helpers.prefect_server import URL_ENV, migrated_home, wait_for_health, without_test_server
from tests.helpers.warehouse import query

TOKEN = "tok-8c1f2e-rahasia"
KBETL = Path(sys.executable).parent / "kbetl"
BUDGET = int(1.5 * 2**30)  # the documented memory budget of one process
DAY = date(2022, 6, 15)


def kbetl_pull(tmp_path: Path, api_url: str, *args: str, env: dict | None = None, timeout: float = 300,
               year: str = "2022", prefect: prefect_server.TestServer | None = None
               ) -> tuple[subprocess.CompletedProcess, int]:
    """`kbetl pull` of Bengkulu in a subprocess; (its result, its peak RSS in bytes). Killed if it passes
    the memory budget (so that a failing run cannot take the machine with it). prefect: a Prefect server of
    the test's own, the command in its home (whose files the test can read), not the tests' server."""
    command = [KBETL, "pull", "--year", year, "--provinces", "17", "--api-url", api_url,
               "--db", str(tmp_path / "w.duckdb"), *args]
    home = prefect.home if prefect else tmp_path / "prefect"
    environment = {**os.environ, TOKEN_ENV: TOKEN, "PREFECT_HOME": str(home), **(env or {})}
    if prefect:
        environment = {**without_test_server(environment), URL_ENV: prefect.api}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment,
                               start_new_session=True)  # killed with its Prefect server, which holds the pipes
    with ThreadPoolExecutor(2) as readers:
        out, err = readers.submit(process.stdout.read), readers.submit(process.stderr.read)
        peak, started, killed = 0, time.monotonic(), None
        while process.poll() is None:
            peak = max(peak, _peak_rss(process.pid))
            if peak > BUDGET:
                killed = f"killed: peak RSS {peak / 2**20:.0f} MiB passed the budget"
            elif time.monotonic() - started > timeout:
                killed = f"killed: still running after {timeout} s"
            if killed:
                os.killpg(process.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        process.wait()
        result = subprocess.CompletedProcess(command, process.returncode, out.result().decode(errors="replace"),
                                             err.result().decode(errors="replace"))
    assert killed is None, killed + "\n" + (result.stdout + result.stderr)[-3000:]
    return result, peak


def _peak_rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _flow_runs(home: Path) -> list[tuple[str, int]]:
    """(flow, runs) in the Prefect database of home."""
    with closing(sqlite3.connect(home / "prefect.db")) as database:
        return database.execute("select f.name, count(*) from flow_run r join flow f on f.id = r.flow_id"
                                " group by f.name order by f.name").fetchall()


def client(server, **kwargs) -> ReportApiClient:
    return ReportApiClient(server.base_url, TOKEN, **{"backoff_s": 0.01, **kwargs})


# --- case 4: the token never leaves through what a server sends back ---------------------------------

def test_a_server_echoing_the_token_leaks_it_nowhere(tmp_path, tmp_path_factory):
    """Two commands on one Prefect server of the test's own, with every service a command's temporary server
    runs (events recorded too), in a home whose files are searched once it has stopped."""
    prefect = prefect_server.TestServer(migrated_home(tmp_path_factory), unused_services=())
    try:
        assert _flow_runs(prefect.home) == []
        wait_for_health(prefect.api)
        with running_server(bengkulu_2022(), TOKEN, faults=Faults(echo_authorization=True)) as server:
            loaded, _ = kbetl_pull(tmp_path, server.base_url, prefect=prefect)  # the bodies carry the header back
            server.faults = Faults(echo_authorization=True, echo_authorization_in_errors=True)
            refused, _ = kbetl_pull(tmp_path, server.base_url, prefect=prefect)  # the records answer 400 with it
    finally:
        prefect.stop()
    home = prefect.home
    assert loaded.returncode == 0, (loaded.stdout + loaded.stderr)[-3000:]
    output = loaded.stdout + loaded.stderr + refused.stdout + refused.stderr
    assert refused.returncode == 1, output[-3000:]
    assert "HTTP 400" in output and "unexpected header Authorization" in output
    db = tmp_path / "w.duckdb"
    errors = [e for (e,) in query(db, "select error from audit.api_pulls where status = 'failed'")]
    assert len(errors) == 1 and "HTTP 400" in errors[0]
    bodies = query(db, "select url, body from raw.api_responses")
    assert any(b"request_authorization" in body for _, body in bodies)
    prefect_files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in prefect_files), "the subprocess used its own Prefect home"
    leaks = [where for where, text in [("output", output.encode()), ("audit.api_pulls", errors[0].encode()),
                                       *((url, body) for url, body in bodies),
                                       *((str(p), p.read_bytes()) for p in prefect_files)]
             if TOKEN.encode() in text or b"Bearer " in text]
    assert leaks == []
    assert _flow_runs(home) == [("pull-daily-reports", 2)], "both commands ran their flow on that home's database"


def test_the_client_scrubs_the_token_from_errors_and_landed_bodies(tmp_path):
    faults = Faults(echo_authorization=True, echo_authorization_in_errors=True)
    with running_server(bengkulu_2022(), TOKEN, faults=faults) as server:
        api = client(server)
        targets = api.targets("17", 2022)
        with pytest.raises(ApiError) as refused:
            api.services("17", DAY)
        pulled = pull_province(api, 2022, "17", [DAY], tmp_path / "landing")
    assert targets.items and all(TOKEN.encode() not in lnd.body and b"Bearer" not in lnd.body
                                 for lnd in targets.landings)
    assert TOKEN not in str(refused.value) and "Bearer" not in str(refused.value)
    assert "HTTP 400" in str(refused.value)
    assert pulled.status == "failed" and TOKEN not in pulled.error and "export" in pulled.error


# --- case 2: bytes per response ------------------------------------------------------------------------

def test_a_3_gib_response_is_refused_at_the_limit_without_passing_the_memory_budget(tmp_path):
    limit = 4 * 2**20
    faults = Faults(huge_body_bytes=3 * 2**30, huge_body_on="facilities")
    with running_server(bengkulu_2022(), TOKEN, faults=faults) as server:
        result, peak = kbetl_pull(tmp_path, server.base_url, env={"KBETL_API_MAX_JSON_BYTES": str(limit)})
    output = result.stdout + result.stderr
    print(f"peak RSS of kbetl pull on a 3 GiB response: {peak / 2**20:.0f} MiB")
    assert result.returncode == 1, output[-3000:]
    assert "/v1/provinces/17/facilities?year=2022" in output
    assert f"more than {limit} bytes (KBETL_API_MAX_JSON_BYTES)" in output
    assert TOKEN not in output
    assert peak < BUDGET
    (error,), = query(tmp_path / "w.duckdb", "select error from audit.api_pulls")
    assert f"more than {limit} bytes" in error


def test_an_export_beyond_its_limit_is_refused_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KBETL_API_MAX_EXPORT_BYTES", str(3 * 2**20))
    faults = Faults(huge_body_bytes=64 * 2**20, huge_body_on="export")
    with running_server(bengkulu_2022(), TOKEN, faults=faults) as server:
        with pytest.raises(ApiError) as refused:
            client(server).services_export("17", date(2022, 6, 15), date(2022, 6, 19), tmp_path / "landing")
    message = str(refused.value)
    assert "/v1/provinces/17/services/export?from=2022-06-15&to=2022-06-19" in message
    assert f"more than {3 * 2**20} bytes (KBETL_API_MAX_EXPORT_BYTES)" in message
    assert not list((tmp_path / "landing").iterdir())


def test_a_json_response_announcing_more_than_the_limit_is_refused_before_reading(monkeypatch):
    monkeypatch.setenv("KBETL_API_MAX_JSON_BYTES", "100")
    with running_server(bengkulu_2022(), TOKEN) as server:
        with pytest.raises(ApiError, match=r"/v1/provinces/17/facilities\?year=2022.*more than 100 bytes "
                                           r"\(KBETL_API_MAX_JSON_BYTES\)"):
            client(server).facilities("17", 2022)


# --- case 6: a year that is no campaign --------------------------------------------------------------

def test_pull_of_a_year_that_is_no_campaign_says_so_in_one_sentence(tmp_path):
    result, _ = kbetl_pull(tmp_path, "http://127.0.0.1:9", year="1850", timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode in (1, 2), output[-3000:]
    assert "--year 1850: bukan tahun kampanye PSA (yang dikenal: 2020, " in output
    assert "Traceback" not in output and "KeyError" not in output


def test_campaign_days_of_an_unknown_year_is_a_value_error():
    from kbetl.reference.tables import campaign_days

    with pytest.raises(ValueError, match=r"^1850 is no PSA campaign year \(known: 2020, .*\)$"):
        campaign_days(1850)


# --- case 7: a province has a total deadline ---------------------------------------------------------

def test_a_server_that_never_answers_fails_the_province_at_its_deadline(monkeypatch):
    monkeypatch.setenv("KBETL_API_DEADLINE_S", "2")
    with running_server(bengkulu_2022(), TOKEN, faults=Faults(hang=True)) as server:
        with ThreadPoolExecutor(1) as pool:
            started = time.monotonic()
            future = pool.submit(pull_province, client(server, backoff_s=0.5), 2022, "17", [DAY])
            try:
                pulled = future.result(timeout=20)
            finally:
                elapsed = time.monotonic() - started
    assert pulled.status == "failed" and "timed out after 2 s" in pulled.error, pulled.error
    assert "/v1/provinces/17/facilities?year=2022" in pulled.error
    assert elapsed < 5


def test_kbetl_pull_against_a_server_that_never_answers_ends_at_the_deadline(tmp_path):
    with running_server(bengkulu_2022(), TOKEN, faults=Faults(hang=True)) as server:
        started = time.monotonic()
        result, _ = kbetl_pull(tmp_path, server.base_url, env={"KBETL_API_DEADLINE_S": "1"}, timeout=150)
        elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert "timed out after 1 s" in output
    (status, error), = query(tmp_path / "w.duckdb", "select status, error from audit.api_pulls")
    assert status == "failed" and "timed out after 1 s" in error
    assert elapsed < 60, f"{elapsed:.0f} s: the task's retries did not respect the province's deadline"


# --- held: 500s, 429 with Retry-After, bodies cut short ------------------------------------------------

def test_a_run_of_500s_and_a_429_with_retry_after_are_retried_to_a_whole_pull(tmp_path):
    faults = Faults(fail_first=2, throttle_first=1, retry_after_s=1)
    with running_server(bengkulu_2022(), TOKEN, faults=faults) as server:
        started = time.monotonic()
        pulled = pull_province(client(server), 2022, "17", [DAY], tmp_path / "landing")
        elapsed = time.monotonic() - started
        hits = dict(server.hits)
    assert pulled.status == "pulled", pulled.error
    assert pulled.export is not None and pulled.records_in > 0
    assert set(hits.values()) == {4}, "each URL: one 429, two 500s, then the answer"
    assert elapsed >= 3.0, "Retry-After honoured on each of the three URLs"


@pytest.mark.parametrize("export", [True, False], ids=["export", "json pages"])
def test_a_body_cut_short_fails_the_province_with_a_clear_message(tmp_path, export):
    with running_server(bengkulu_2022(), TOKEN, faults=Faults(truncate_provinces=["17"])) as server:
        pulled = pull_province(client(server, retries=1), 2022, "17", [DAY],
                               tmp_path / "landing" if export else None)
    assert pulled.status == "failed"
    assert ("malformed JSON body" in pulled.error) or ("do not match the announced SHA-256" in pulled.error)
    assert "/v1/" in pulled.error and TOKEN not in pulled.error
