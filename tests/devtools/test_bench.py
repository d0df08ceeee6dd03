"""The benchmark, at a small scale, so that it keeps working (it checks that figures come out, not speed)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.prefect  # the benchmark times the nightly flow

KEYS = ("rows", "pipeline_rows_per_s", "ceiling_rows_per_s", "throughput_ratio", "nightly_s", "fixed_cost_s",
        "nightly_over_fixed_s", "peak_rss_mib")


def query_rows(sql: str, db: Path | None = None) -> int:
    con = duckdb.connect(str(db) if db else ":memory:", read_only=db is not None)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


KBETL_DEV = Path(sys.executable).parent / "kbetl-dev"
# one province, two campaigns: 2022's window of 15-19 June and 2024's one day (the nightly's day)
SMALL = ("--provinces", "17", "--years", "2022,2024")


def bench(*args) -> subprocess.CompletedProcess:
    return subprocess.run([KBETL_DEV, "bench", *SMALL, *map(str, args)], capture_output=True, text=True,
                          env=os.environ.copy(), timeout=900)


@pytest.fixture(scope="module")
def at_scale_2(tmp_path_factory) -> tuple[Path, dict, str]:
    """One benchmark at scale 2 (twice the reporting days), its work folder kept: its folder, figures, output."""
    folder = tmp_path_factory.mktemp("bench")
    result = bench("--scale", "2", "--json", folder / "bench.json", "--workdir", folder / "work",
                   "--profile", folder / "profiles")
    assert result.returncode == 0, result.stderr[-3000:]
    return folder, json.loads((folder / "bench.json").read_text()), result.stdout


def test_bench_runs_every_phase_and_writes_its_figures(at_scale_2):
    folder, figures, stdout = at_scale_2
    assert figures["provinces"] == 1 and figures["reporting_days"] == 12
    assert all(figures[key] > 0 for key in KEYS if key != "nightly_over_fixed_s"), figures
    generated = query_rows(f"select count(*) from read_parquet('{folder}/work/records/*/*.parquet')")
    assert figures["rows"] == generated == query_rows("select count(*) from staging.daily_records",
                                                      folder / "work" / "pipeline.duckdb")
    # both phases hold the same records, so their throughputs' ratio is the ratio of their seconds
    assert figures["pipeline_rows_per_s"] == pytest.approx(generated / figures["pipeline_s"])
    assert figures["throughput_ratio"] == pytest.approx(figures["ceiling_s"] / figures["pipeline_s"])
    parts = figures["pipeline_recaps_s"] + figures["pipeline_reports_s"] + figures["pipeline_models_s"]
    assert 0 < parts <= figures["pipeline_s"], "the parts are timed inside the whole"
    assert figures["reports_throughput_ratio"] == pytest.approx(
        figures["ceiling_s"] / (figures["pipeline_reports_s"] + figures["pipeline_models_s"]))
    profiles = {p.name: p.read_text() for p in (folder / "profiles").iterdir()}
    assert sorted(profiles) == ["ceiling.txt", "generate.txt", "nightly.txt", "pipeline.txt"]
    assert "backfill_year" in profiles["pipeline.txt"] and "run_transforms" in profiles["ceiling.txt"]
    for label in ("pipeline backfill", "raw DuckDB ceiling", "throughput ratio", "nightly, one day",
                  "peak memory, backfill"):
        assert label in stdout


def test_the_curve_runs_each_scale_on_its_own_and_grows_the_work_by_reporting_days(tmp_path, at_scale_2):
    """The curve at scale 0.5 (each campaign's own window), set beside the run at scale 2."""
    out, work = tmp_path / "curve.json", tmp_path / "work"
    result = bench("--curve", "0.5", "--json", out, "--workdir", work, "--profile", tmp_path / "profiles")
    assert result.returncode == 0, result.stderr[-3000:]
    [small] = json.loads(out.read_text())
    large = at_scale_2[1]
    assert small["scale"] == 0.5 and small["provinces"] == 1
    assert (small["reporting_days"], large["reporting_days"]) == (6, 12)
    assert 1.8 <= large["rows"] / small["rows"] <= 2.2, "twice the reporting days, about twice the records"
    # a second way to the same figure: a million rows at the pipeline's rows per second
    assert small["s_per_million_rows"] == pytest.approx(1e6 / small["pipeline_rows_per_s"])
    assert all(small[f"{phase}peak_rss_mib"] > 0 for phase in ("", "generate_", "ceiling_", "nightly_"))
    assert small["nightly_s"] > 0 and small["throughput_ratio"] > 0
    assert not list(work.iterdir()), "each scale's work folder is removed once measured"
    assert [p.name for p in (tmp_path / "profiles").iterdir()] == ["scale-0.5"]
    assert (tmp_path / "profiles" / "scale-0.5" / "pipeline.txt").is_file()
    assert "s / M rows" in result.stdout and result.stdout.count("\n") >= 2


def test_a_scale_beyond_the_export_window_is_refused_in_a_sentence(tmp_path):
    result = subprocess.run([KBETL_DEV, "bench", "--curve", "1,5", "--workdir", str(tmp_path / "work")],
                            capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "scale 5 makes a reporting window of 75 days; one export covers at most 62" in result.stderr
    assert not (tmp_path / "work").exists()
