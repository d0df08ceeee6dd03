"""Entry point of `kbetl`: the library's commands plus those that run Prefect flows."""

import sys
from pathlib import Path

import click

from kbetl import warehouse
from kbetl.cli import cli, db_option, region_option, year_option
from kbetl.report import league_table

SAMPLE_DIR = warehouse.PROJECT_DIR / "data" / "sample"


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@year_option
@region_option
@db_option
def ingest(paths: tuple[Path, ...], year: int | None, region: str | None, db: Path | None) -> None:
    """Ingest recap files or folders into the warehouse (a Prefect flow run)."""
    summary = _run_flow([str(p) for p in paths], year, region, db, "ingest")
    sys.exit(0 if not summary.refused else 1)


@cli.command()
@db_option
def quickstart(db: Path | None) -> None:
    """Ingest the bundled sample recaps and print the national league table of the latest year."""
    summary = _run_flow([str(SAMPLE_DIR)], None, None, db, "quickstart")
    con = warehouse.connect(summary.db_path, read_only=True)
    try:
        click.echo(league_table(con))
    finally:
        con.close()
    click.echo(f"\nWarehouse: {summary.db_path}")
    cli_path = Path(sys.executable).parent / "duckdb"
    click.echo(f'Query it (DuckDB 1.5 CLI): {cli_path} -readonly {summary.db_path} -c "select * from marts.ranking '
               f"where ranking='national' and campaign_year=2024 order by rank\"")


def _run_flow(paths, year, region, db, command):
    from flows.recap import ingest_recaps

    try:
        return ingest_recaps(paths, year=year, region=region, db=str(db) if db else None, command=command)
    except warehouse.WarehouseLocked as exc:
        raise click.ClickException(str(exc)) from None


def main() -> None:
    cli()
