"""The `kbetl-dev` command: the quick start, the reference report API, the sample generators and the
benchmark. It drives kbetl's own commands and flows; kbetl knows nothing of it. As kbetl's, each command imports
what it runs when it runs (kbetl.cli)."""

import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from kbetl.cli import backfill_flow, db_option, ingest_flow, publish_option, pull_flow, run_command
from kbetl.warehouse.database import PROJECT_DIR

SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
# a province's and a kabupaten's current users (peserta KB aktif) of 2024, so that marts.current_users has rows
CURRENT_USERS_SAMPLE_DIR = PROJECT_DIR / "data" / "sample-current-users"
# The daily path of the quick start: PSA 2024 (4 June) in Sumatera Selatan, Bengkulu, Kalimantan Selatan.
QUICKSTART_YEAR, QUICKSTART_PROVINCES = 2024, ["16", "17", "63"]


@contextmanager
def sample_api(years: list[int], provinces: list[str] | None, plant_faults: bool = False) -> Iterator[str]:
    """The reference report API on 127.0.0.1 with generated facility data (with the data-quality faults of
    generate/faults.py planted, if asked), under a fresh token that the client finds in the environment;
    stopped on leaving."""
    from devtools.generate.facilities import generate_facility_data
    from devtools.generate.facility_faults import plant_facility_faults
    from devtools.report_api_server import running_server
    from kbetl.sources.report_api.client import TOKEN_ENV

    os.environ[TOKEN_ENV] = secrets.token_urlsafe(24)
    data = generate_facility_data(years, provinces)
    if plant_faults:
        data = plant_facility_faults(data)
    with running_server(data, os.environ[TOKEN_ENV]) as server:
        click.echo(f"Reference report API on {server.base_url}: {len(data.records)} facility records")
        yield server.base_url


@click.group()
def cli() -> None:
    """kbetl-dev: the quick start, the reference report API, sample data and the benchmark."""


@cli.command()
@db_option
@publish_option
def quickstart(db: Path | None, publish_to: Path | None) -> None:
    """Ingest the sample recaps and current-users exports, pull sample daily reports from a local reference API,
    print the results."""
    from kbetl.quality.scorecard import quality_line
    from kbetl.reports.campaign_report import write_campaign_report
    from kbetl.reports.tables import fastest_table, league_table
    from kbetl.warehouse.database import connect

    summary = ingest_flow([str(SAMPLE_DIR), str(CURRENT_USERS_SAMPLE_DIR)], None, None, db, publish_to, "quickstart")
    with sample_api([QUICKSTART_YEAR], QUICKSTART_PROVINCES, plant_faults=True) as api_url:
        state = pull_flow(QUICKSTART_YEAR, QUICKSTART_PROVINCES, None, api_url, db, publish_to, "quickstart")
    if not state.is_completed():
        raise click.ClickException(f"daily pull failed: {state.message}")
    analyst_file = state.result().published
    con = connect(analyst_file, read_only=True)
    try:  # the year of the daily path: its league, fastest kabupaten/kota and report carry its findings
        click.echo(league_table(con, QUICKSTART_YEAR))
        click.echo("")
        click.echo(fastest_table(con, QUICKSTART_YEAR, "63"))
        click.echo("")
        click.echo(quality_line(con, QUICKSTART_YEAR))
    finally:
        con.close()
    report = write_campaign_report(analyst_file, QUICKSTART_YEAR)
    click.echo(f"\nCampaign report (HTML, opens offline): {report}")
    click.echo(f"Analyst database (published): {analyst_file}")
    click.echo(f"Working database (the pipeline's own): {summary.db_path}")
    cli_path = Path(sys.executable).parent / "duckdb"
    click.echo(f'Query it (DuckDB 1.5 CLI): {cli_path} -readonly {analyst_file} -c "select * from marts.ranking '
               f"where ranking='national' and campaign_year=2024 order by rank\"")


@cli.command("backfill-sample")
@click.option("--years", required=True, help="Campaign years: 2020-2024 or 2020,2022.")
@click.option("--provinces", default=None, help="Province codes (default: all on each year's map).")
@db_option
@publish_option
def backfill_sample(years: str, provinces: str | None, db: Path | None, publish_to: Path | None) -> None:
    """`kbetl backfill` on the bundled sample recaps and a local reference API serving generated data."""
    from kbetl.runs import parse_years

    wanted = parse_years(years)
    wanted_provinces = provinces.split(",") if provinces else None
    with sample_api(wanted, wanted_provinces) as api_url:
        published = backfill_flow(wanted, wanted_provinces, SAMPLE_DIR, api_url, db, publish_to)
    click.echo(f"backfill of {', '.join(map(str, wanted))} complete; published {published}")


@cli.command()
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--years", default="2024", show_default=True, help="Campaign years to serve, e.g. 2022,2024.")
@click.option("--provinces", default=None, help="Province codes to serve, e.g. 16,17,63 (default: all).")
@click.option("--seed", type=int, default=None, help="Seed of the generated data (default: the samples' seed).")
def serve(port: int, years: str, provinces: str | None, seed: int | None) -> None:
    """Run the reference report API on 127.0.0.1 with generated facility data (token: $KBETL_API_TOKEN)."""
    import time

    from devtools.generate.facilities import DEFAULT_SEED, generate_facility_data
    from devtools.report_api_server import running_server
    from kbetl.runs import parse_years
    from kbetl.sources.report_api.client import TOKEN_ENV

    token = os.environ.get(TOKEN_ENV)
    if not token:
        raise click.ClickException(f"set {TOKEN_ENV} to the token clients must send")
    data = generate_facility_data(parse_years(years), provinces.split(",") if provinces else None,
                                  seed or DEFAULT_SEED)
    with running_server(data, token, port) as server:
        click.echo(f"serving {len(data.records)} records of {len(data.facilities)} facilities at {server.base_url}"
                   " (Ctrl-C stops)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@cli.command("generate-samples")
@click.argument("out_dir", type=click.Path(path_type=Path), default="data/sample")
@click.option("--current-users-dir", type=click.Path(path_type=Path), default="data/sample-current-users",
              show_default=True, help="Where the sample current-users exports go.")
@click.option("--seed", type=int, default=20220615, show_default=True)
def generate_samples_command(out_dir: Path, current_users_dir: Path, seed: int) -> None:
    """Write the seeded sample recaps (every province, 2020-2025) into OUT_DIR, and the current-users exports
    of the quick start (Kalimantan Selatan's kabupaten/kota, Hulu Sungai Tengah's kecamatan, 2024)."""
    from devtools.generate.current_users import generate_current_users
    from devtools.generate.recaps import generate_samples

    written = generate_samples(out_dir, seed)
    click.echo(f"{len(written)} recap files written under {out_dir}")
    written = generate_current_users(current_users_dir, seed)
    click.echo(f"{len(written)} current-users exports written under {current_users_dir}")


@cli.command()
@click.option("--scale", type=float, default=1.0, show_default=True,
              help="Below 1: that share of the provinces; above 1: every province, reporting days × scale.")
@click.option("--curve", default=None, metavar="SCALES",
              help="Run once per scale (e.g. 0.25,0.5,1,2,4), each in its own folder under --workdir; print "
                   "rows, seconds per million rows and peak memory per scale.")
@click.option("--provinces", default=None, help="Only these provinces (e.g. 17,63), at any scale: for a quick look.")
@click.option("--years", default=None, help="Only these campaign years (e.g. 2023,2024; the nightly day is in 2024): "
                                            "for a quick look.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None, help="Write the figures here.")
@click.option("--workdir", type=click.Path(path_type=Path), default=Path("bench-work"), show_default=True)
@click.option("--profile", "profile_dir", type=click.Path(path_type=Path), default=None,
              help="Also write a pyinstrument profile of each phase here (pip install -e '.[profile]').")
def bench(scale: float, curve: str | None, provinces: str | None, years: str | None, json_path: Path | None,
          workdir: Path, profile_dir: Path | None) -> None:
    """Benchmark the pipeline against the raw DuckDB ceiling (the reference API serves exports prepared
    before timing starts); print the figures."""
    import json

    from devtools import bench as benchmark

    try:
        scales = benchmark.parse_scales(curve) if curve is not None else None
        benchmark.check_scale(scale)
        if provinces:
            benchmark.check_provinces(provinces)
        if years:
            benchmark.check_years(years)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if provinces:  # read by every phase's process
        os.environ[benchmark.PROVINCES_ENV] = provinces
    if years:
        os.environ[benchmark.YEARS_ENV] = years
    if profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)
        os.environ[benchmark.PROFILE_ENV] = str(profile_dir.resolve())
    if scales:
        figures = benchmark.run_curve(scales, workdir.resolve())
        click.echo(benchmark.curve_table(figures))
    else:
        figures = benchmark.run_bench(scale, workdir.resolve())
        click.echo(benchmark.table(figures))
    if json_path:
        json_path.write_text(json.dumps(figures, indent=2))
        click.echo(f"figures written to {json_path}")


def main() -> None:
    run_command(cli)
