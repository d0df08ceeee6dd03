"""The `kbetl` command: commands that need no orchestrator. flows/cli.py adds the flow-driven ones."""

import sys
from pathlib import Path

import click

from kbetl import warehouse
from kbetl.ingest import find_recap_files, stage_recap
from kbetl.report import league_table, validation_report

db_option = click.option("--db", type=click.Path(path_type=Path), default=None,
                         help=f"Working DuckDB file (default: ${warehouse.DB_ENV} or warehouse/kbetl.duckdb).")
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
    """Print the national league table from the warehouse."""
    path = warehouse.database_path(db)
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
