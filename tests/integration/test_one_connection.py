"""The working file is opened once per run: during one `kbetl ingest` and one `kbetl pull`, every DuckDB
connection the command's process makes is counted, and exactly one is to the working file, read-write (the
run's own; staging reads the loaded hashes through it, and the command tests no lock of its own)."""

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from kbetl.cli import cli
from tests.helpers.warehouse import SAMPLE_DIR, query

pytestmark = pytest.mark.prefect


@pytest.fixture
def connections(monkeypatch) -> list[tuple[str, bool]]:
    """(database, read_only) of every duckdb.connect made in this process from now on."""
    made, real_connect = [], duckdb.connect

    def counted(database=":memory:", read_only=False, *args, **kwargs):
        made.append((str(database), read_only))
        return real_connect(database, read_only, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", counted)
    return made


def to_the_working_file(made: list[tuple[str, bool]], db: Path) -> list[tuple[str, bool]]:
    return [(database, read_only) for database, read_only in made
            if database not in ("", ":memory:") and Path(database).resolve() == db.resolve()]


def test_an_ingest_opens_the_working_file_once(db, tmp_path, connections):
    published = tmp_path / "analyst.duckdb"
    for _ in range(2):  # a fresh file, then one that holds the recaps (their hashes are read, nothing loads)
        connections.clear()
        done = CliRunner().invoke(cli, ["ingest", str(SAMPLE_DIR / "2022"), "--db", str(db),
                                        "--publish-to", str(published)])
        assert done.exit_code == 0, done.output
        assert to_the_working_file(connections, db) == [(str(db), False)], connections
    assert query(db, "select files_loaded, files_unchanged from audit.runs order by started_at") == [
        (len(list((SAMPLE_DIR / "2022").iterdir())), 0), (0, len(list((SAMPLE_DIR / "2022").iterdir())))]


def test_a_pull_opens_the_working_file_once(db, monkeypatch, connections):
    from devtools.generate.facilities import generate_facility_data
    from devtools.report_api_server import running_server
    from kbetl.sources.report_api.client import TOKEN_ENV

    monkeypatch.setenv(TOKEN_ENV, "one-connection-token")
    data = generate_facility_data([2024], ["17", "63"], scale=0.05)
    with running_server(data, "one-connection-token") as server:
        connections.clear()
        done = CliRunner().invoke(cli, ["pull", "--year", "2024", "--provinces", "17,63", "--api-url",
                                        server.base_url, "--db", str(db)])
    assert done.exit_code == 0, done.output
    assert to_the_working_file(connections, db) == [(str(db), False)], connections
    assert query(db, "select province_code, status from audit.api_pulls order by 1") == [
        ("17", "loaded"), ("63", "loaded")]
