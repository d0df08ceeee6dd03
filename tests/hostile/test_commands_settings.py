"""Issue 20, case 6: a limit set to garbage is refused before anything starts (no Prefect server, no file
read), in one sentence naming the setting; never silently replaced by its default."""

import pytest

from tests.hostile.commands_helpers import kbetl, prefect_started, sentence
from tests.hostile.runs_helpers import BENGKULU

GARBAGE = [("KBETL_RECAP_MAX_ROWS", "abc"), ("KBETL_RECAP_MAX_ROWS", "1e3"), ("KBETL_RECAP_MAX_XLSX_RATIO", "nan"),
           ("KBETL_RECAP_MAX_FILE_BYTES", "-5"), ("KBETL_RECAP_MAX_CELL_CHARS", "0"),
           ("KBETL_API_DEADLINE_S", "-1"), ("KBETL_API_DEADLINE_S", "inf"), ("KBETL_API_MAX_JSON_BYTES", "32MB"),
           ("KBETL_API_MAX_EXPORT_BYTES", "1.5"), ("KBETL_DUCKDB_THREADS", "0"), ("KBETL_DUCKDB_THREADS", "two")]


@pytest.mark.parametrize(("name", "value"), GARBAGE)
def test_a_garbage_setting_is_refused_naming_it(monkeypatch, name, value):
    from kbetl.cli_options import check_settings
    from kbetl.settings import SettingError

    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError, match=rf"^{name}=") as refused:
        check_settings()
    assert repr(value) in str(refused.value)


@pytest.mark.parametrize(("name", "value"), [("KBETL_RECAP_MAX_ROWS", "abc"), ("KBETL_RECAP_MAX_ROWS", "1e3"),
                                             ("KBETL_RECAP_MAX_XLSX_RATIO", "nan")])
def test_validate_refuses_a_garbage_recap_limit_before_reading_a_file(tmp_path, name, value):
    result = kbetl(tmp_path, "validate", BENGKULU[0], env={name: value})
    assert result.returncode == 2
    line = sentence(result)
    assert line.startswith(f"{name}={value!r} ditolak"), line
    assert "berkas diperiksa" not in result.stdout  # no file was read


def test_a_negative_api_deadline_is_refused_before_the_prefect_server_starts(tmp_path):
    result = kbetl(tmp_path, "pull", "--year", "2022", "--provinces", "17", "--api-url", "http://127.0.0.1:9",
                   "--db", tmp_path / "w.duckdb", env={"KBETL_API_DEADLINE_S": "-1", "KBETL_API_TOKEN": "t"},
                   own_prefect=True)
    assert result.returncode == 2
    assert sentence(result).startswith("KBETL_API_DEADLINE_S='-1' ditolak")
    assert not prefect_started(tmp_path) and not (tmp_path / "w.duckdb").exists()


def test_well_formed_settings_are_read(monkeypatch):
    from kbetl.sources.recaps.limits import MAX_ROWS
    from kbetl.sources.report_api.client import api_settings

    monkeypatch.setenv("KBETL_RECAP_MAX_ROWS", "20_000")
    monkeypatch.setenv("KBETL_API_DEADLINE_S", "2.5")
    monkeypatch.setenv("KBETL_API_MAX_JSON_BYTES", " 1048576 ")
    assert MAX_ROWS.value == 20_000
    assert api_settings()[:2] == (2.5, 1048576)


def test_duckdb_runs_on_the_threads_set_and_else_on_its_own_default(tmp_path, monkeypatch):
    import duckdb

    from kbetl.warehouse.database import THREADS_ENV, connect

    def threads(con) -> int:
        try:
            return con.execute("select current_setting('threads')").fetchone()[0]
        finally:
            con.close()

    default = threads(duckdb.connect())
    monkeypatch.setenv(THREADS_ENV, str(default + 2))
    assert threads(connect(tmp_path / "set.duckdb")) == default + 2
    monkeypatch.delenv(THREADS_ENV)
    assert threads(connect(tmp_path / "unset.duckdb")) == default
