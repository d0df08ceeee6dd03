"""The nightly run: recap files dropped in a folder, and the daily facility reports of the run date
and a look-back window (to catch late reports and corrections), then a summary artifact.

Served as a deployment with a cron schedule in Asia/Jakarta by `kbetl nightly-serve` against a
long-running Prefect server (a scheduled flow never runs on Prefect's temporary server).
"""

from datetime import date

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.schedules import Cron

from flows.daily import pull_daily_reports
from flows.recap import ingest_recaps
from kbetl import runs
from kbetl.quality.scorecard import write_scorecard
from kbetl.reference.tables import yesterday_in_wib
from kbetl.reports.campaign_report import write_campaign_report
from kbetl.reports.run_summary import run_summary_markdown
from kbetl.warehouse.database import connect, database_path
from kbetl.warehouse.publish import published_path
from kbetl.warehouse.run import writer_slot

DEPLOYMENT_NAME = "kbetl-nightly"
NIGHTLY_CRON = "0 1 * * *"  # 01:00 WIB
NIGHTLY_TIMEZONE = "Asia/Jakarta"


@flow(name="nightly", log_prints=True)
def nightly(run_date: date | None = None, lookback_days: int = 3, provinces: list[str] | None = None,
            recap_dir: str | None = None, base_url: str | None = None, db: str | None = None,
            publish_to: str | None = None, extract_retries: int = 2):
    """run_date defaults to yesterday (WIB); days outside a campaign window are not pulled."""
    run_date = run_date or yesterday_in_wib()

    def pull_step(**kwargs) -> runs.PullSummary:  # the pull flow as a subflow; its failure is the summary's
        state = pull_daily_reports(**kwargs, base_url=base_url, db=db, publish_to=publish_to,
                                   extract_retries=extract_retries, return_state=True)
        outcome = state.result(raise_on_failure=False)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    day = runs.nightly_day(database_path(db), run_date, lookback_days, provinces, recap_dir, base_url, None,
                           ingest_step=lambda **kwargs: ingest_recaps(**kwargs, db=db, publish_to=publish_to),
                           pull_step=pull_step)
    print(f"run date {run_date}, look-back {lookback_days} days: "
          + (", ".join(f"{y}: {len(d)} campaign days" for y, d in day.windows.items()) or "no campaign days"))
    _summary_artifact(db, publish_to, day.run_ids, day.latest_year)
    if not day.failed:  # a failed province means stale figures: no digest; the next night catches up
        _send_digests(db, publish_to, run_date)
    if day.failed:
        raise RuntimeError("; ".join(day.failed))


def _summary_artifact(db: str | None, publish_to: str | None, run_ids: list[str], year: int | None) -> None:
    working_path = database_path(db)
    analyst_path = published_path(working_path, publish_to)
    if not analyst_path.exists():
        return
    published = connect(analyst_path, read_only=True)
    working = connect(working_path, read_only=True)
    try:
        markdown = run_summary_markdown(published, working, run_ids, year)
    finally:
        working.close()
        published.close()
    if year is not None:
        try:
            report = write_campaign_report(analyst_path, year, only_if_changed=True)
            markdown += f"\n## Campaign report\n\n[{report.name}]({report.as_uri()})\n"
            print(f"campaign report: {report}")
        except Exception as exc:  # a report must not fail the night's load
            markdown += f"\n## Campaign report\n\nnot written: {exc}\n"
        try:
            card = write_scorecard(analyst_path, year, analyst_path.with_name(f"kualitas-data-{year}.txt"))
            markdown += f"\n## Kualitas data\n\n```\n{card.read_text(encoding='utf-8')}```\n"
        except Exception as exc:  # nor must the scorecard
            markdown += f"\n## Kualitas data\n\nnot written: {exc}\n"
    create_markdown_artifact(markdown=markdown, key="kbetl-nightly-summary", description="kbetl nightly run")


def _send_digests(db: str | None, publish_to: str | None, run_date: date) -> None:
    """The day's digests to the recipients set for this installation ($KBETL_DIGEST_RECIPIENTS); a failed
    send is recorded and retried next night, never failing the night's load."""
    from kbetl.reports.delivery import delivery_summary, recipients_file, send_digests

    if recipients_file() is None:
        return
    working_path = database_path(db)
    try:
        with writer_slot():  # deliveries are recorded in the working file
            deliveries = send_digests(working_path, published_path(working_path, publish_to), run_date,
                                      recipients_file())
    except Exception as exc:  # a bad recipients file or a held database never fails the night's load
        print(f"digests not sent: {type(exc).__name__}: {exc}")
        return
    print(delivery_summary(deliveries))


def serve_nightly(parameters: dict | None = None) -> None:
    """Creates the deployment and runs it on schedule until stopped (stopping pauses its schedule)."""
    nightly.serve(name=DEPLOYMENT_NAME, schedule=Cron(NIGHTLY_CRON, timezone=NIGHTLY_TIMEZONE),
                  parameters=parameters or {})
