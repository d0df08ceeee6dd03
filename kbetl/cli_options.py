"""What the commands refuse before they start: option values (a campaign year, a region by code or name, a
list of provinces) and a published database that is not there, each as one sentence in Bahasa Indonesia
(`Refused`), never a traceback.

Each check imports what it reads when it runs (the region register and the calendar need pandas, the report
API's settings its client): a command that checks none starts without them."""

from pathlib import Path

import click


class Refused(click.ClickException):
    """One sentence for people (Bahasa Indonesia), printed as it is; exit 2 for an option or a setting
    (a usage error), 1 for an input or an outcome."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


def campaign_year(year: int) -> int:
    from kbetl.reference.tables import campaign_years

    if year not in campaign_years():
        raise Refused(f"--year {year}: bukan tahun kampanye PSA (yang dikenal: "
                      f"{', '.join(map(str, campaign_years()))}).")
    return year


def region(option: str, value: str, level: str, year: int, within: str | None = None) -> str:
    from kbetl.reference.options import OptionError, region_code

    try:
        return region_code(option, value, level, year, within)
    except OptionError as exc:
        raise Refused(str(exc)) from None


def province_list(text: str | None, years: list[int] | None = None) -> list[str] | None:
    """--provinces as codes on the maps of `years` (default: the latest campaign's); None (all provinces)
    when not given."""
    if text is None:
        return None
    from kbetl.reference.options import OptionError, province_codes
    from kbetl.reference.tables import campaign_years

    try:
        return province_codes("--provinces", text, years or campaign_years()[-1:])
    except OptionError as exc:
        raise Refused(str(exc)) from None


def published_file(path: Path) -> Path:
    if not path.exists():
        raise Refused(f"Belum ada basis data terbit di {path}: jalankan `kbetl ingest` atau `kbetl pull` dulu.",
                      exit_code=1)
    return path


def check_settings() -> None:
    """Reads every numeric KBETL_* setting; the first one set to garbage raises SettingError."""
    from kbetl.sources.recaps import limits
    from kbetl.sources.report_api import client
    from kbetl.warehouse.database import duckdb_threads

    for limit in limits.ALL:
        limit.value  # noqa: B018 - reading it is the check
    client.api_settings()
    duckdb_threads()

