"""Entry point of `kbetl`: the library's commands plus those that run Prefect flows."""

import os
import secrets
import sys
from datetime import date
from pathlib import Path

import click

from kbetl import warehouse
from kbetl.cli import SAMPLE_DIR, cli, db_option, publish_option, region_option, year_option
from kbetl.extract.report_api import TOKEN_ENV
from kbetl.report import fastest_table, league_table

# The daily path of the quick start: PSA 2024 (4 June) in Sumatera Selatan, Bengkulu, Kalimantan Selatan.
QUICKSTART_YEAR, QUICKSTART_PROVINCES = 2024, ["16", "17", "63"]


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@year_option
@region_option
@db_option
@publish_option
def ingest(paths: tuple[Path, ...], year: int | None, region: str | None, db: Path | None,
           publish_to: Path | None) -> None:
    """Ingest recap files or folders into the warehouse (a Prefect flow run)."""
    summary = _run_flow([str(p) for p in paths], year, region, db, publish_to, "ingest")
    sys.exit(0 if not summary.refused else 1)


@cli.command()
@click.option("--year", type=int, required=True, help="Campaign year.")
@click.option("--provinces", default=None, help="Province codes, e.g. 16,17,63 (default: all on the year's map).")
@click.option("--day", "days", multiple=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Day to pull (repeatable; default: the campaign window).")
@click.option("--api-url", default=None, help="Report API address (default: $KBETL_API_URL); token: $KBETL_API_TOKEN.")
@db_option
@publish_option
def pull(year: int, provinces: str | None, days, api_url: str | None, db: Path | None,
         publish_to: Path | None) -> None:
    """Pull daily facility reports from the report API (a Prefect flow run); exit 1 if a province failed."""
    state = _pull_flow(year, provinces.split(",") if provinces else None, [d.date() for d in days] or None,
                       api_url, db, publish_to, "pull")
    sys.exit(0 if state.is_completed() else 1)


@cli.command()
@db_option
@publish_option
def quickstart(db: Path | None, publish_to: Path | None) -> None:
    """Ingest the sample recaps, pull sample daily reports from a local reference API, print the results."""
    from kbetl.generate.facilities import generate_facility_data
    from kbetl.server.app import running_server

    summary = _run_flow([str(SAMPLE_DIR)], None, None, db, publish_to, "quickstart")
    os.environ[TOKEN_ENV] = secrets.token_urlsafe(24)
    data = generate_facility_data([QUICKSTART_YEAR], QUICKSTART_PROVINCES)
    with running_server(data, os.environ[TOKEN_ENV]) as server:
        click.echo(f"Reference report API on {server.base_url}: {len(data.records)} facility records")
        state = _pull_flow(QUICKSTART_YEAR, QUICKSTART_PROVINCES, None, server.base_url, db, publish_to,
                           "quickstart")
    if not state.is_completed():
        raise click.ClickException(f"daily pull failed: {state.message}")
    analyst_file = state.result().published
    con = warehouse.connect(analyst_file, read_only=True)
    try:
        click.echo(league_table(con))
        click.echo("")
        click.echo(fastest_table(con, QUICKSTART_YEAR, "63"))
    finally:
        con.close()
    click.echo(f"\nAnalyst database (published): {analyst_file}")
    click.echo(f"Working database (the pipeline's own): {summary.db_path}")
    cli_path = Path(sys.executable).parent / "duckdb"
    click.echo(f'Query it (DuckDB 1.5 CLI): {cli_path} -readonly {analyst_file} -c "select * from marts.ranking '
               f"where ranking='national' and campaign_year=2024 order by rank\"")


@cli.command("nightly-serve")
@click.option("--provinces", default=None, help="Province codes (default: all).")
@click.option("--recap-dir", type=click.Path(path_type=Path), default=None, help="Folder of recap files to ingest.")
@click.option("--lookback-days", type=int, default=3, show_default=True)
def nightly_serve(provinces: str | None, recap_dir: Path | None, lookback_days: int) -> None:
    """Serve the nightly deployment (01:00 Asia/Jakarta) against the Prefect server at $PREFECT_API_URL."""
    if not os.environ.get("PREFECT_API_URL"):
        raise click.ClickException("set PREFECT_API_URL to a running Prefect server (make nightly-start does); "
                                   "scheduled runs never start on Prefect's temporary server")
    from flows.nightly import serve_nightly

    parameters = {"lookback_days": lookback_days}
    if provinces:
        parameters["provinces"] = provinces.split(",")
    if recap_dir:
        parameters["recap_dir"] = str(recap_dir.resolve())
    serve_nightly(parameters)


@cli.command()
@click.option("--scale", type=float, default=1.0, show_default=True, help="Share of the provinces (1.0 = national).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None, help="Write the figures here.")
@click.option("--workdir", type=click.Path(path_type=Path), default=Path("bench-work"), show_default=True)
@click.option("--profile", "profile_dir", type=click.Path(path_type=Path), default=None,
              help="Also write a pyinstrument profile of each phase here (pip install -e '.[profile]').")
def bench(scale: float, json_path: Path | None, workdir: Path, profile_dir: Path | None) -> None:
    """Benchmark the pipeline at national scale against the raw DuckDB ceiling; print the figures."""
    import json

    from flows.bench import PROFILE_ENV, run_bench, table

    if profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)
        os.environ[PROFILE_ENV] = str(profile_dir.resolve())
    figures = run_bench(scale, workdir.resolve())
    click.echo(table(figures))
    if json_path:
        json_path.write_text(json.dumps(figures, indent=2))
        click.echo(f"figures written to {json_path}")


def _pull_flow(year: int, provinces: list[str] | None, days: list[date] | None, api_url: str | None,
               db: Path | None, publish_to: Path | None, command: str):
    from flows.daily import pull_daily_reports

    try:
        return pull_daily_reports(year, provinces, days, api_url, db=str(db) if db else None,
                                  publish_to=str(publish_to) if publish_to else None, command=command,
                                  return_state=True)
    except warehouse.WarehouseLocked as exc:
        raise click.ClickException(str(exc)) from None


def _run_flow(paths, year, region, db, publish_to, command):
    from flows.recap import ingest_recaps

    try:
        return ingest_recaps(paths, year=year, region=region, db=str(db) if db else None,
                             publish_to=str(publish_to) if publish_to else None, command=command)
    except warehouse.WarehouseLocked as exc:
        raise click.ClickException(str(exc)) from None


def main() -> None:
    cli()
