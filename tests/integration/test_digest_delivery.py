"""The daily digest delivered through Apprise to real receivers on 127.0.0.1: an SMTP server (aiosmtpd) and a
JSON webhook (http.server). What arrives is the digest, byte for byte; a receiver that is down is recorded
without its URL and gets the digest at the next run."""

import logging
from datetime import date

import duckdb
import pytest

from devtools.report_api_server import running_server
from kbetl.reference.tables import campaign_days
from kbetl.reports.delivery import send_digests
from kbetl.reports.digest import digest_text
from kbetl.runs import load_pulls
from kbetl.sources.report_api.client import ReportApiClient
from kbetl.sources.report_api.pull import pull_province
from kbetl.warehouse.publish import published_path
from tests.helpers.facility_data import bengkulu_2022
from tests.helpers.receivers import free_port, smtp_receiver, webhook_receiver
from tests.helpers.warehouse import query

TOKEN = "uji"
JUNE_15, JUNE_16 = date(2022, 6, 15), date(2022, 6, 16)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Bengkulu 2022 pulled from the reference report API and published: (working, published)."""
    db = tmp_path_factory.mktemp("digest") / "kbetl-work.duckdb"
    with running_server(bengkulu_2022(), TOKEN) as server:
        pull = pull_province(ReportApiClient(server.base_url, TOKEN), 2022, "17", campaign_days(2022))
    load_pulls(db, [pull], "test", publish_to=published_path(db))
    return db, published_path(db)


@pytest.fixture
def working(warehouse, tmp_path):
    """A fresh copy of the working database per test (its own delivery history)."""
    copy = tmp_path / "kbetl-work.duckdb"
    copy.write_bytes(warehouse[0].read_bytes())
    return copy


@pytest.fixture
def recipients(tmp_path):
    path = tmp_path / "digest_recipients.csv"
    path.write_text("scope_code,url_env\n17,KBETL_TEST_MAIL\n1701,KBETL_TEST_HOOK\n")
    return path


def expected(published, day, **scope) -> str:
    con = duckdb.connect(str(published), read_only=True)
    try:
        return digest_text(con, day, **scope)
    finally:
        con.close()


def deliveries(db):
    return query(db, "select digest_date, scope_code, recipient, status, error from audit.digest_deliveries "
                     "order by attempted_at, scope_code")


def test_both_receivers_get_the_digest_byte_for_byte_and_once(warehouse, working, recipients):
    published = warehouse[1]
    with smtp_receiver() as smtp, webhook_receiver() as hook:
        env = {"KBETL_TEST_MAIL": smtp.url(), "KBETL_TEST_HOOK": hook.url()}
        sent = send_digests(working, published, JUNE_15, recipients, env=env)
        again = send_digests(working, published, JUNE_15, recipients, env=env)
    province, regency = expected(published, JUNE_15, province="17"), expected(published, JUNE_15, regency="1701")
    assert [(d.recipient.scope_code, d.status) for d in sent] == [("17", "delivered"), ("1701", "delivered")]
    assert again == [], "a digest delivered is not sent twice"
    assert len(smtp.messages) == 1 and len(hook.payloads) == 1
    # the decoded text/plain body; e-mail carries its line breaks as CRLF
    assert smtp.bodies()[0].replace("\r\n", "\n") == province
    assert smtp.messages[0]["Subject"] == "PSA 2022 – Bengkulu – 15 Juni 2022"  # scope and date, no stray *
    html_part = smtp.messages[0].get_body(preferencelist=("html",)).get_content()
    assert "&nbsp;" not in html_part and "Capaian: 9 akseptor dari target 115" in html_part  # it wraps on a phone
    assert hook.payloads[0]["message"] == regency and hook.payloads[0]["title"] == ""
    assert deliveries(working) == [(JUNE_15, "17", "KBETL_TEST_MAIL", "delivered", None),
                                   (JUNE_15, "1701", "KBETL_TEST_HOOK", "delivered", None)]


def test_a_receiver_that_is_down_is_recorded_without_its_url_and_served_at_the_next_run(
        warehouse, working, recipients, caplog, capsys):
    published = warehouse[1]
    hook_port = free_port()
    hook_url = f"json://127.0.0.1:{hook_port}/kbetl-secret-path?token=s3cr3t"
    caplog.set_level(logging.DEBUG)
    with smtp_receiver() as smtp:
        env = {"KBETL_TEST_MAIL": smtp.url(), "KBETL_TEST_HOOK": hook_url}
        first = send_digests(working, published, JUNE_15, recipients, env=env)  # the webhook is down: no raise
        assert [(d.recipient.scope_code, d.status) for d in first] == [("17", "delivered"), ("1701", "failed")]
        (error,) = [d.error for d in first if d.status == "failed"]
        (recorded,) = [row[4] for row in deliveries(working) if row[3] == "failed"]
        assert recorded == error and "connection error" in error.lower()
        out = capsys.readouterr()
        # every log record but the test SMTP receiver's own
        ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
        for leak in (error, recorded, ours, out.out, out.err, repr(first)):
            for secret in ("json://", "kbetl-secret-path", "s3cr3t", str(hook_port), smtp.url()):
                assert secret not in leak

        with webhook_receiver(hook_port, "/kbetl-secret-path") as hook:
            second = send_digests(working, published, JUNE_16, recipients, env=env)
            third = send_digests(working, published, JUNE_16, recipients, env=env)
    assert [(d.digest_date, d.recipient.scope_code, d.status) for d in second] == [
        (JUNE_15, "1701", "delivered"), (JUNE_16, "17", "delivered"), (JUNE_16, "1701", "delivered")]
    assert third == []
    assert [p["message"] for p in hook.payloads] == [expected(published, JUNE_15, regency="1701"),
                                                     expected(published, JUNE_16, regency="1701")]
    assert [b.replace("\r\n", "\n") for b in smtp.bodies()] == [expected(published, JUNE_15, province="17"),
                                                                expected(published, JUNE_16, province="17")]
    assert [row[:4] for row in deliveries(working)] == [
        (JUNE_15, "17", "KBETL_TEST_MAIL", "delivered"), (JUNE_15, "1701", "KBETL_TEST_HOOK", "failed"),
        (JUNE_15, "1701", "KBETL_TEST_HOOK", "delivered"), (JUNE_16, "17", "KBETL_TEST_MAIL", "delivered"),
        (JUNE_16, "1701", "KBETL_TEST_HOOK", "delivered")]


def test_a_server_that_refuses_authentication_is_recorded_with_its_cause_and_without_the_password(
        warehouse, working, recipients, caplog, capsys):
    """The test SMTP server offers no AUTH (aiosmtpd offers it only over TLS): smtplib refuses to log in, and
    that cause (which Apprise logs only at DEBUG) is what audit.digest_deliveries records."""
    published = warehouse[1]
    caplog.set_level(logging.WARNING)
    with smtp_receiver() as smtp:
        url = (f"mailto://kbetl-user:Sangat%2BRahasia9@127.0.0.1:{smtp.port}"
               "?from=kbetl@example.org&to=coordinators@example.org&mode=insecure")
        sent = send_digests(working, published, JUNE_15, recipients,
                            env={"KBETL_TEST_MAIL": url, "KBETL_TEST_HOOK": url})
    assert smtp.messages == [] and [d.status for d in sent] == ["failed", "failed"]
    recorded = [row[4] for row in deliveries(working)]
    assert recorded == [d.error for d in sent]
    for error in recorded:
        assert error.startswith("Connection error while submitting email to")
        assert error.endswith(": SMTP AUTH extension not supported by server."), error
    out = capsys.readouterr()
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    for leak in (*recorded, ours, out.out, out.err, repr(sent)):
        for secret in ("Sangat", "Rahasia9", "kbetl-user", "127.0.0.1", str(smtp.port), "mailto"):
            assert secret not in leak
    assert logging.getLogger("apprise").level == logging.NOTSET, "Apprise's level is put back"
