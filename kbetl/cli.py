"""The `kbetl` command. Commands that run the pipeline run it as a Prefect flow; the library below knows
nothing of Prefect.

Each command imports what it runs inside its function: a process starts for one command, and importing all of
them (Prefect, Pandera, ibis, pandas) cost every command, `--help` and a mistyped option included, a second of
CPU before it began."""

from __future__ import annotations

import gc
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kbetl.cli_options import Refused, campaign_year, check_settings, province_list, published_file, region
from kbetl.reports.delivery import RECIPIENTS_ENV
from kbetl.settings import SettingError
from kbetl.warehouse.database import DB_ENV, WarehouseError, database_path

if TYPE_CHECKING:
    import duckdb

db_option = click.option("--db", type=click.Path(path_type=Path), default=None,
                         help=f"Working DuckDB file (default: ${DB_ENV} or warehouse/kbetl-work.duckdb).")
publish_option = click.option(
    "--publish-to", type=click.Path(path_type=Path), default=None,
    help="Analyst database to publish to (default: $KBETL_PUBLISHED, or beside the working file: "
         "warehouse/kbetl.duckdb).")
year_option = click.option("--year", type=int, default=None, help="Campaign year, overriding the title.")
region_option = click.option("--region", default=None,
                             help="Parent region (name or code) of the file's rows, overriding the title: the "
                                  "province of a provincial recap, the kabupaten/kota of a kecamatan recap.")
kind_option = click.option("--kind", type=click.Choice(["psa", "current-users", "new-users"]), default=None,
                           help="What the file reports (default: told by its title or headers, e.g. 'PSA', "
                                "'KB aktif' or 'peserta KB baru'; a file that tells none is refused and asks for this "
                                "option).")


@click.group()
def cli() -> None:
    """kbetl: KB service reports (PSA recaps and daily facility reports) into a DuckDB warehouse."""
    try:
        check_settings()  # a garbage limit is refused before anything starts
    except SettingError as exc:
        raise Refused(str(exc)) from None


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@year_option
@region_option
@kind_option
def validate(paths: tuple[Path, ...], year: int | None, region: str | None, kind: str | None) -> None:
    """Check recap and current-users files without touching the warehouse; exit 1 if any file has errors."""
    from kbetl import progress
    from kbetl.reference.indonesian import id_number
    from kbetl.reports.progress import ProgressView
    from kbetl.reports.validation import validation_report
    from kbetl.sources.recaps.stage import stage_each

    checked = failed = 0
    view = ProgressView("validate")
    with progress.listening(view):  # a bar on a terminal; each file's report printed as it is read
        for item in stage_each(list(paths), year, region, kind and kind.replace("-", "_")):
            click.echo(validation_report(item))
            checked += 1
            failed += not item.recaps or any(r.has_errors for r in item.recaps)
    view.close()
    click.echo(f"{id_number(checked)} berkas diperiksa, {id_number(failed)} bermasalah")
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@year_option
@region_option
@kind_option
@click.option("--replace", is_flag=True,
              help="Each file replaces the earlier versions of its scope whole: regions they had and it lacks are "
                   "dropped (without it they keep their earlier figures and the command exits 1).")
@db_option
@publish_option
def ingest(paths: tuple[Path, ...], year: int | None, region: str | None, kind: str | None, replace: bool,
           db: Path | None, publish_to: Path | None) -> None:
    """Ingest recap files or folders into the warehouse (a Prefect flow run); exit 1 if a file was refused or
    lacked regions an earlier version of it had (they keep their earlier figures)."""
    summary = ingest_flow([str(p) for p in paths], year, region, db, publish_to, "ingest",
                          kind and kind.replace("-", "_"), replace)
    sys.exit(1 if summary.refused or summary.kept else 0)


@cli.command()
@click.option("--year", type=int, required=True, help="Campaign year.")
@click.option("--provinces", default=None,
              help="Province codes or names, e.g. 16,Bengkulu,63 (default: all on the year's map).")
@click.option("--day", "days", multiple=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Day to pull (repeatable; default: the campaign window).")
@click.option("--api-url", default=None, help="Report API address (default: $KBETL_API_URL); token: $KBETL_API_TOKEN.")
@db_option
@publish_option
def pull(year: int, provinces: str | None, days, api_url: str | None, db: Path | None,
         publish_to: Path | None) -> None:
    """Pull daily facility reports from the report API (a Prefect flow run); exit 1 if a province failed."""
    campaign_year(year)
    state = pull_flow(year, province_list(provinces, [year]), [d.date() for d in days] or None,
                      api_url, db, publish_to, "pull")
    if not state.is_completed():
        _raise_user_error(state)
    sys.exit(0 if state.is_completed() else 1)


@cli.command()
@click.option("--years", required=True, help="Campaign years: 2020-2024 or 2020,2022.")
@click.option("--provinces", default=None, help="Province codes or names (default: all on each year's map).")
@click.option("--recap-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Archived recap files, one folder per year (<dir>/2022/…).")
@click.option("--api-url", default=None, help="Report API to pull facility reports from (default: $KBETL_API_URL).")
@db_option
@publish_option
def backfill(years: str, provinces: str | None, recap_dir: Path | None, api_url: str | None,
             db: Path | None, publish_to: Path | None) -> None:
    """Rebuild past campaigns, each year on its own map (a Prefect flow run); resumable, and idempotent
    when run again."""
    from kbetl.runs import parse_years

    try:
        years = [campaign_year(y) for y in parse_years(years)]
    except ValueError:
        raise Refused(f"--years {years!r} bukan daftar tahun: tulis misalnya 2020-2024 atau 2020,2022.") from None
    backfill_flow(years, province_list(provinces, years), recap_dir, api_url, db, publish_to)


@cli.command()
@db_option
@click.option("--year", type=int, default=None, help="Campaign year (default: the latest).")
def league(db: Path | None, year: int | None) -> None:
    """Print the national league table from the published analyst database."""
    from kbetl.reports.tables import NoRanking, league_table
    from kbetl.warehouse.publish import published_path

    year = year and campaign_year(year)
    echo_from_analyst(published_path(database_path(db)), lambda con: league_table(con, year), NoRanking)


@cli.command()
@click.option("--year", type=int, required=True, help="Campaign year.")
@click.option("--province", default=None, help="One province (code or name): its kabupaten/kota; default: provinces.")
@db_option
@publish_option
def quality(year: int, province: str | None, db: Path | None, publish_to: Path | None) -> None:
    """Print the data-quality scorecard (dimensions × regions, with counts) and the worst issues, from the
    published analyst database."""
    from kbetl.quality.scorecard import NoQualityData, scorecard_text
    from kbetl.warehouse.publish import published_path

    campaign_year(year)
    province = province and region("--province", province, "province", year)
    echo_from_analyst(published_path(database_path(db), publish_to), lambda con: scorecard_text(con, year, province),
                      NoQualityData)


@cli.command()
@click.option("--year", type=int, required=True, help="Campaign year.")
@click.option("--region", required=True, help="Province or kabupaten/kota (name or code), or a kecamatan (code).")
@db_option
@publish_option
def explain(year: int, region: str, db: Path | None, publish_to: Path | None) -> None:
    """Where a region's figures come from (file, sheet, row, version; earlier versions; quality flags and
    findings; the facility sum), from the published analyst database and, when readable, the working one."""
    from kbetl.reports.explain import NothingToExplain, explain_region
    from kbetl.warehouse.publish import published_path

    working = database_path(db)
    try:
        click.echo(explain_region(published_path(working, publish_to), working, year, region))
    except NothingToExplain as exc:
        raise click.ClickException(str(exc)) from None


def _previous_digest(since: str | None, day, at: str | None):
    """--since as digest_text takes it: an earlier time of the same day, or an earlier day."""
    from datetime import date as Date

    from kbetl.reports.digest import parse_at

    if since is None:
        return None
    try:
        earlier = Date.fromisoformat(since.strip())
    except ValueError:
        earlier = None
    if earlier is not None and earlier < day:
        return earlier
    try:
        hour = parse_at(since) if earlier is None else None
    except ValueError:
        hour = None
    if hour is not None and at and hour < parse_at(at):
        return since
    raise Refused(f"--since {since!r} harus waktu ringkasan sebelumnya: JJ:MM lebih awal dari --at pada hari yang "
                  f"sama, atau tanggal TTTT-BB-HH sebelum {day.isoformat()}.")


@cli.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Campaign day (default: yesterday in WIB).")
@click.option("--province", default=None, help="Print the digest of this province (code or name).")
@click.option("--regency", default=None, help="Print the digest of this kabupaten/kota (code or name).")
@click.option("--at", "at", default=None, help="As of this time of the day, HH:MM WIB (rounded down to the hour).")
@click.option("--since", default=None,
              help="The previous digest, for the change since it: an earlier HH:MM of the day (with --at) or a "
                   "YYYY-MM-DD (that day's end); default: yesterday's end, if a campaign day.")
@click.option("--recipients", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help=f"Recipients CSV: scope_code,url_env (default: ${RECIPIENTS_ENV}).")
@click.option("--dry-run", is_flag=True, help="Print the digests that are due instead of sending them.")
@db_option
@publish_option
def digest(day, province: str | None, regency: str | None, at: str | None, since: str | None,
           recipients: Path | None,
           dry_run: bool, db: Path | None, publish_to: Path | None) -> None:
    """The daily digest: with --province/--regency, print that region's digest; otherwise send the due digests
    to the recipients (Apprise URLs in the environment variables the CSV names) and retry earlier failures."""
    from kbetl.reference.tables import yesterday_in_wib
    from kbetl.reports.delivery import (
        RecipientsError,
        delivery_summary,
        nothing_delivered,
        recipients_file,
        send_digests,
    )
    from kbetl.reports.digest import NoDigest, digest_text, parse_at
    from kbetl.warehouse.publish import published_path

    day = day.date() if day else yesterday_in_wib()
    working = database_path(db)
    analyst = published_path(working, publish_to)
    try:
        parse_at(at)
    except ValueError:
        raise Refused(f"--at {at!r} bukan jam yang sah: tulis JJ:MM WIB antara 00:00 dan 23:59, misalnya 14:30.") \
            from None
    previous = _previous_digest(since, day, at)
    province = province and region("--province", province, "province", day.year)
    regency = regency and region("--regency", regency, "regency", day.year, within=province)
    if province or regency:
        echo_from_analyst(analyst, lambda con: digest_text(con, day, province=province, regency=regency, at=at,
                                                           since=previous), NoDigest)
        return
    if at or since:
        raise Refused("--at dan --since hanya berlaku bersama --province atau --regency (ringkasan yang dikirim "
                      "berlaku sampai akhir hari).")
    recipients = recipients or recipients_file()
    if recipients is None:
        raise Refused(f"Berikan --recipients BERKAS atau isi {RECIPIENTS_ENV} dengan berkas CSV penerima.")
    try:
        deliveries = send_digests(working, analyst, day, recipients, dry_run=dry_run, echo=click.echo)
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    except RecipientsError as exc:
        raise Refused(str(exc), exit_code=1) from None
    if not dry_run:
        click.echo(delivery_summary(deliveries))
        if nothing_delivered(deliveries):
            raise Refused(f"Tidak satu pun ringkasan terkirim: {len(deliveries)} pengiriman gagal dan dicatat, "
                          "dan akan dikirim ulang pada jalankan berikutnya.", exit_code=1)


@cli.command()
@click.option("--year", type=int, required=True, help="Campaign year.")
@click.option("--province", default=None, help="One province (code or name); default: the national report.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="HTML file (default: beside the published database, laporan-psa-YEAR[-PROV].html).")
@db_option
@publish_option
def report(year: int, province: str | None, out: Path | None, db: Path | None, publish_to: Path | None) -> None:
    """Write the campaign report: one HTML file that opens offline, from the published analyst database."""
    from kbetl.reports.campaign_report import write_campaign_report
    from kbetl.warehouse.publish import published_path

    working = database_path(db)
    analyst = published_path(working, publish_to)
    if not analyst.exists():
        raise click.ClickException(f"no published database at {analyst}: run `kbetl ingest` or `kbetl pull` first")
    campaign_year(year)
    province = province and region("--province", province, "province", year)
    try:
        path = write_campaign_report(analyst, year, province, out)
    except ValueError as exc:
        raise Refused(str(exc), exit_code=1) from None
    click.echo(f"Campaign report: {path}")


def echo_from_analyst(analyst: Path, text: Callable[[duckdb.DuckDBPyConnection], str],
                      refusal: type[Exception]) -> None:
    """Prints the text read from the published analyst database (opened read-only); a missing database, or
    the reader's own `refusal` (nothing to show), is one sentence and exit code 1."""
    from kbetl.warehouse.database import connect

    con = connect(published_file(analyst), read_only=True)
    try:
        click.echo(text(con))
    except refusal as exc:
        raise Refused(str(exc), exit_code=1) from None
    finally:
        con.close()


@cli.command()
def docs() -> None:
    """Regenerate docs/marts.md and docs/contracts.md from the models' YAML and the schemas."""
    from kbetl.docs import write_docs

    for path in write_docs():
        click.echo(f"wrote {path}")


@cli.command("nightly-serve")
@click.option("--provinces", default=None, help="Province codes or names (default: all).")
@click.option("--recap-dir", type=click.Path(path_type=Path), default=None, help="Folder of recap files to ingest.")
@click.option("--lookback-days", type=int, default=3, show_default=True)
def nightly_serve(provinces: str | None, recap_dir: Path | None, lookback_days: int) -> None:
    """Serve the nightly deployment (01:00 Asia/Jakarta) against the Prefect server at $PREFECT_API_URL."""
    import os

    from kbetl.reference.tables import campaign_years

    if not os.environ.get("PREFECT_API_URL"):
        raise click.ClickException("set PREFECT_API_URL to a running Prefect server (make nightly-start does); "
                                   "scheduled runs never start on Prefect's temporary server")
    from flows.nightly import serve_nightly

    parameters = {"lookback_days": lookback_days}
    if provinces:
        parameters["provinces"] = province_list(provinces, [max(campaign_years())])
    if recap_dir:
        parameters["recap_dir"] = str(recap_dir.resolve())
    serve_nightly(parameters)


# --- the flow runs behind the commands (also used by the development tools' quick start) -------------

def ingest_flow(paths: list[str], year: int | None, region: str | None, db: Path | None, publish_to: Path | None,
                command: str, kind: str | None = None, replace: bool = False):
    from flows.recap import ingest_recaps

    return _in_view("ingest", lambda: ingest_recaps(paths, year=year, region=region, db=_text(db),
                                                    publish_to=_text(publish_to), command=command, kind=kind,
                                                    replace=replace))


def pull_flow(year: int, provinces: list[str] | None, days, api_url: str | None, db: Path | None,
              publish_to: Path | None, command: str):
    from flows.daily import pull_daily_reports

    return _in_view(None, lambda: pull_daily_reports(year, provinces, days, api_url, db=_text(db),
                                                     publish_to=_text(publish_to), command=command,
                                                     return_state=True))


def backfill_flow(years: list[int], provinces: list[str] | None, recap_dir: Path | None, api_url: str | None,
                  db: Path | None, publish_to: Path | None) -> Path:
    import os

    from flows.backfill import backfill as backfill_years
    from kbetl.sources.report_api.client import URL_ENV

    state = _in_view("backfill", lambda: backfill_years(
        years, provinces, _text(recap_dir and recap_dir.resolve()), api_url or os.environ.get(URL_ENV),
        db=_text(db), publish_to=_text(publish_to), return_state=True))
    if not state.is_completed():
        _raise_user_error(state)
        raise click.ClickException(state.message)
    return state.result()


def _in_view(label: str | None, run: Callable):
    """Runs a flow with its progress shown. A working file that is locked or cannot be written is one
    sentence, not a traceback: the run, the only one to open it, says so. A Dask scheduler that does not
    answer is found before the flow (and its Prefect server) starts. SIGTERM ends the command as Ctrl-C does:
    the run is recorded failed and the temporary Prefect server is stopped. The run sends no heartbeats
    (flows.without_heartbeats)."""
    from flows import without_heartbeats
    from flows.fanout import ScaleOutSettingError, check_scheduler
    from kbetl import progress
    from kbetl.reports.progress import ProgressView

    try:
        check_scheduler()
    except ScaleOutSettingError as exc:
        raise Refused(str(exc)) from None
    if _one_command_process:
        # The modules the flow needs are imported and live until the process ends: frozen, the run's garbage
        # searches no longer go through them (about 0.2 CPU-s of a command).
        gc.freeze()
    view = ProgressView(label) if label else None
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if main else None
    try:
        with progress.listening(view) if view else nullcontext(), without_heartbeats():
            return run()
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        if view:
            view.close()


def _terminated(signum, frame):
    raise SystemExit(128 + signum)


def _raise_user_error(state) -> None:
    """A flow that failed on a failure the user can act on ends in its sentence."""
    error = state.result(raise_on_failure=False)
    if isinstance(error, WarehouseError):
        raise click.ClickException(str(error)) from None


def _text(path: Path | None) -> str | None:
    return str(path) if path else None


def without_data_synthesis() -> None:
    """Pandera's pandas checks import its data-synthesis strategies, and those import Hypothesis whenever it is
    installed (as in the test environment): 0.3 s of CPU that no command uses. A command's process hides it, and
    Pandera goes without, as where Hypothesis is not installed."""
    sys.modules.setdefault("hypothesis", None)


_one_command_process = False  # set by run_command: this process runs one command, then ends


def run_command(group: click.Group) -> None:
    """A command's process (kbetl's, kbetl-dev's) around its click group."""
    global _one_command_process
    from flows.servers import stop_orphaned_servers

    _one_command_process = True

    without_data_synthesis()
    stop_orphaned_servers()  # a killed command's temporary Prefect server, once, before this command starts one
    try:
        group()
    finally:
        # What the command made lives until its process ends. At exit the interpreter would search every object
        # of Prefect, pandas and pandera for garbage cycles, again as it clears each module: up to a second of
        # CPU that frees nothing. Frozen, they are left alone; exit handlers (Prefect's log flush) still run.
        gc.freeze()


def main() -> None:
    run_command(cli)
