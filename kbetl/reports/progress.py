"""The progress of a run as a person sees it: bars on a terminal, plain lines in a log."""

import sys

import click
from tqdm import tqdm


class ProgressView:
    """Listens to kbetl.progress events; `label` starts each plain line ("backfill 2022: started")."""

    def __init__(self, label: str, interactive: bool | None = None):
        self.label = label
        self.interactive = sys.stderr.isatty() if interactive is None else interactive
        self.bars: dict[str, tqdm] = {}
        tqdm.monitor_interval = 0  # no monitor thread of tqdm's own beside the run

    def __call__(self, event: str, fields: dict) -> None:
        handler = getattr(self, f"_on_{event}", None)
        if handler:
            handler(**fields)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
        self.bars.clear()

    def _say(self, message: str, error: bool = False) -> None:
        if self.interactive:
            tqdm.write(message, file=sys.stderr)
        else:
            click.echo(message, err=error)

    def _bar(self, name: str, total: int, unit: str) -> None:
        if self.interactive:
            self._done(name)
            self.bars[name] = tqdm(total=total, desc=name, unit=unit, leave=False, file=sys.stderr)

    def _step(self, name: str) -> None:
        if name in self.bars:
            self.bars[name].update(1)

    def _done(self, name: str) -> None:
        if name in self.bars:
            self.bars.pop(name).close()

    def _on_files_found(self, count: int) -> None:
        self._bar("recap files", count, "file")

    def _on_file_staged(self, path) -> None:
        self._step("recap files")

    def _on_year_started(self, year: int, provinces: int) -> None:
        self._say(f"{self.label} {year}: started")
        self._bar(f"{year} provinces", provinces, "province")

    def _on_province_pulled(self, pull) -> None:
        year = pull.campaign_year
        self._step(f"{year} provinces")
        if not self.interactive:
            self._say(f"{self.label} {year}: province {pull.province_code} {pull.status} ({pull.records_in} records)")

    def _on_year_finished(self, result) -> None:
        self._done(f"{result.year} provinces")
        self._done("recap files")
        loaded = sum(r.status == "loaded" for r in result.recaps.results) if result.recaps else 0
        new = result.daily.new_records if result.daily else 0
        self._say(f"{self.label} {result.year}: done; {loaded} recap files loaded, {new} new facility records")

    def _on_year_failed(self, year: int, error: str) -> None:
        self._done(f"{year} provinces")
        self._say(f"{self.label} {year}: FAILED: {error}", error=True)
