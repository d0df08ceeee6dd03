"""The `kbetl` command: commands that need no orchestrator. flows/cli.py adds the flow-driven ones."""

import sys
from pathlib import Path

import click

from kbetl import warehouse
from kbetl.ingest import find_recap_files, stage_recap
from kbetl.publish import published_path
from kbetl.report import league_table, validation_report

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
    """kbetl: KB service reports (PSA campaign recaps) into a DuckDB warehouse."""


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
                import time

                time.sleep(3600)
        except KeyboardInterrupt:
            pass
