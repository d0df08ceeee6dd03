"""The `kbetl` command: commands that need no orchestrator. flows/cli.py adds the flow-driven ones."""

import sys
from pathlib import Path

import click

from kbetl import warehouse
from kbetl.ingest import find_recap_files, stage_recap
from kbetl.publish import published_path
from kbetl.report import league_table, validation_report

SAMPLE_DIR = warehouse.PROJECT_DIR / "data" / "sample"
db_option = click.option("--db", type=click.Path(path_type=Path), default=None,
                         help=f"Working DuckDB file (default: ${warehouse.DB_ENV} or warehouse/kbetl-work.duckdb).")
publish_option = click.option(
    "--publish-to", type=click.Path(path_type=Path), default=None,
    help="Analyst database to publish to (default: $KBETL_PUBLISHED, or beside the working file: "
         "warehouse/kbetl.duckdb).")
year_option = click.option("--year", type=int, default=None, help="Campaign year, overriding the title.")
region_option = click.option("--region", default=None,
                             help="Parent province (name or code) of a provincial recap, overriding the title.")


@click.group()
def cli() -> None:
    """kbetl: KB service reports (PSA recaps and daily facility reports) into a DuckDB warehouse."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@year_option
@region_option
def validate(paths: tuple[Path, ...], year: int | None, region: str | None) -> None:
    """Check recap files without touching the warehouse; exit 1 if any file has errors."""
    staged = [stage_recap(p, year, region) for p in find_recap_files(list(paths))]
    for item in staged:
        click.echo(validation_report(item))
    failed = [s for s in staged if s.recap is None or s.recap.has_errors]
    click.echo(f"{len(staged)} files checked, {len(failed)} with errors")
    sys.exit(1 if failed else 0)


@cli.command()
@db_option
@click.option("--year", type=int, default=None, help="Campaign year (default: the latest).")
def league(db: Path | None, year: int | None) -> None:
    """Print the national league table from the published analyst database."""
    path = published_path(warehouse.database_path(db))
    con = warehouse.connect(path, read_only=True)
    try:
        click.echo(league_table(con, year))
    finally:
        con.close()


@cli.command("generate-samples")
@click.argument("out_dir", type=click.Path(path_type=Path), default="data/sample")
@click.option("--seed", type=int, default=20220615, show_default=True)
def generate_samples_command(out_dir: Path, seed: int) -> None:
    """Write the seeded sample recaps (every province, 2020-2025) into OUT_DIR."""
    from kbetl.generate.recaps import generate_samples

    written = generate_samples(out_dir, seed)
    click.echo(f"{len(written)} recap files written under {out_dir}")


@cli.command()
def docs() -> None:
    """Regenerate docs/marts.md and docs/contracts.md from the models' YAML and the schemas."""
    from kbetl.docs import write_docs

    for path in write_docs():
        click.echo(f"wrote {path}")


@cli.command()
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--years", default="2024", show_default=True, help="Campaign years to serve, e.g. 2022,2024.")
@click.option("--provinces", default=None, help="Province codes to serve, e.g. 16,17,63 (default: all).")
@click.option("--seed", type=int, default=None, help="Seed of the generated data (default: the samples' seed).")
def serve(port: int, years: str, provinces: str | None, seed: int | None) -> None:
    """Run the reference report API on 127.0.0.1 with generated facility data (token: $KBETL_API_TOKEN)."""
    import os
    import time

    from kbetl.extract.report_api import TOKEN_ENV
    from kbetl.generate.facilities import DEFAULT_SEED, generate_facility_data
    from kbetl.server.app import running_server

    token = os.environ.get(TOKEN_ENV)
    if not token:
        raise click.ClickException(f"set {TOKEN_ENV} to the token clients must send")
    data = generate_facility_data([int(y) for y in years.split(",")],
                                  provinces.split(",") if provinces else None, seed or DEFAULT_SEED)
    with running_server(data, token, port) as server:
        click.echo(f"serving {len(data.records)} records of {len(data.facilities)} facilities at {server.base_url}"
                   " (Ctrl-C stops)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@cli.command()
@click.option("--years", required=True, help="Campaign years: 2020-2024 or 2020,2022.")
@click.option("--provinces", default=None, help="Province codes (default: all on each year's map).")
@click.option("--recap-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Archived recap files, one folder per year (<dir>/2022/…).")
@click.option("--api-url", default=None, help="Report API to pull facility reports from (default: $KBETL_API_URL).")
@click.option("--sample", is_flag=True, help="Use the bundled sample recaps and a local reference API serving "
                                             "generated facility data for the years asked.")
@db_option
@publish_option
def backfill(years: str, provinces: str | None, recap_dir: Path | None, api_url: str | None, sample: bool,
             db: Path | None, publish_to: Path | None) -> None:
    """Rebuild past campaigns, each year on its own map; resumable, and idempotent when run again."""
    import contextlib
    import os
    import secrets

    from kbetl.backfill import backfill_year, parse_years, provinces_of, rebuild_models
    from kbetl.extract.report_api import TOKEN_ENV, URL_ENV
    from kbetl.load import new_run_id
    from kbetl.publish import publish_working

    wanted_years = parse_years(years)
    wanted_provinces = provinces.split(",") if provinces else None
    db_path = warehouse.database_path(db)
    with contextlib.ExitStack() as stack:
        if sample:
            from kbetl.generate.facilities import generate_facility_data
            from kbetl.server.app import running_server

            recap_dir = recap_dir or SAMPLE_DIR
            os.environ[TOKEN_ENV] = secrets.token_urlsafe(24)
            data = generate_facility_data(wanted_years, wanted_provinces)
            api_url = stack.enter_context(running_server(data, os.environ[TOKEN_ENV])).base_url
        api_url = api_url or os.environ.get(URL_ENV)
        failed = _run_backfill(db_path, wanted_years, wanted_provinces, recap_dir, api_url, provinces_of,
                               backfill_year)
    rebuild_models(db_path)  # once, for every year loaded (also when some failed: what succeeded shows)
    if failed:
        raise click.ClickException(f"backfill incomplete: {'; '.join(failed)}. Run it again to finish; "
                                   "what succeeded is kept.")
    target = publish_working(db_path, published_path(db_path, publish_to), new_run_id())
    click.echo(f"backfill of {', '.join(map(str, wanted_years))} complete; published {target}")


def _run_backfill(db_path, years, provinces, recap_dir, api_url, provinces_of, backfill_year) -> list[str]:
    """Years one after another, with progress bars on a terminal and plain log lines otherwise."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: recap files are staged in forked workers

    interactive = sys.stderr.isatty()

    def say(message: str, error: bool = False) -> None:
        tqdm.write(message, file=sys.stderr) if interactive else click.echo(message, err=error)

    failed = []
    for year in tqdm(years, desc="years", unit="year", disable=not interactive):
        say(f"backfill {year}: started")
        count = len(provinces or provinces_of(year)) if api_url else 0
        with tqdm(total=count, desc=f"{year} provinces", unit="province", leave=False,
                  disable=not interactive) as bar:
            def progress(pull, year=year, bar=bar):
                bar.update(1)
                if not interactive:
                    say(f"backfill {year}: province {pull.province_code} {pull.status} ({pull.records_in} records)")
            try:
                result = backfill_year(db_path, year, provinces, recap_dir, api_url, progress, transform=False)
            except Exception as exc:  # a year that fails leaves the others; the run reports it
                failed.append(f"{year}: {exc}")
                say(f"backfill {year}: FAILED: {exc}", error=True)
                continue
        if result.failed:
            failed.append(f"{year}: provinces {', '.join(result.failed)} failed")
        loaded = sum(r.status == "loaded" for r in result.recaps.results) if result.recaps else 0
        new = result.daily.new_records if result.daily else 0
        say(f"backfill {year}: done; {loaded} recap files loaded, {new} new facility records")
    return failed
