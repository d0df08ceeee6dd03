"""The nightly flow after it publishes: writes the campaign report and sends the day's digests; a
receiver that is down never fails the night, is recorded without its URL, and is sent to the next night."""

from datetime import date

import pytest

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import running_server
from kbetl.runs import ingest_recaps
from kbetl.sources.report_api.client import TOKEN_ENV
from tests.helpers.receivers import free_port, webhook_receiver
from tests.helpers.warehouse import SAMPLE_DIR, query

pytestmark = pytest.mark.prefect

DAY = date(2024, 6, 4)
TOKEN = "nightly-digest-token"


def test_a_receiver_down_is_recorded_and_gets_the_digest_the_next_night(tmp_path, monkeypatch):
    from flows.nightly import nightly

    port = free_port()
    recipients = tmp_path / "recipients.csv"
    recipients.write_text("scope_code,url_env\n63,KBETL_TEST_HOOK_63\n")
    monkeypatch.setenv("KBETL_DIGEST_RECIPIENTS", str(recipients))
    monkeypatch.setenv("KBETL_TEST_HOOK_63", f"json://127.0.0.1:{port}/kbetl")
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    db = tmp_path / "kbetl-work.duckdb"
    ingest_recaps(db, list((SAMPLE_DIR / "2024").glob("63_*")))  # the province's recap, for the report
    data = generate_facility_data([2024], ["63"], scale=0.1)
    with running_server(data, TOKEN) as server:
        run = lambda: nightly(DAY, lookback_days=0, provinces=["63"], base_url=server.base_url,  # noqa: E731
                              db=str(db), extract_retries=0, return_state=True)
        first = run()
        assert first.is_completed(), first.message
        assert query(db, "select scope_code, status from audit.digest_deliveries") == [("63", "failed")]
        recorded = query(db, "select error from audit.digest_deliveries")[0][0]
        assert str(port) not in recorded and "127.0.0.1" not in recorded and "kbetl" not in recorded.lower()
        assert (tmp_path / "laporan-psa-2024.html").exists(), "the campaign report is written after publishing"

        with webhook_receiver(port) as hook:
            second = run()
        assert second.is_completed(), second.message
    assert len(hook.payloads) == 1 and hook.payloads[0]["message"].startswith("*PSA 2024 – Kalimantan Selatan*")
    assert query(db, "select status from audit.digest_deliveries order by attempted_at") == [("failed",),
                                                                                          ("delivered",)]
