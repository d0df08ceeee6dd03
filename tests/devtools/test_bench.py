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


def test_bench_runs_every_phase_and_writes_its_figures(tmp_path):
    kbetl_dev = Path(sys.executable).parent / "kbetl-dev"
    out = tmp_path / "bench.json"
    result = subprocess.run([kbetl_dev, "bench", "--scale", "0.01", "--json", str(out), "--workdir",
                             str(tmp_path / "work"), "--profile", str(tmp_path / "profiles")],
                            capture_output=True, text=True, env=os.environ.copy(), timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["provinces"] == 1
    assert all(figures[key] > 0 for key in KEYS if key != "nightly_over_fixed_s"), figures
    generated = query_rows(f"select count(*) from read_parquet('{tmp_path}/work/records/*/*.parquet')")
    assert figures["rows"] == generated == query_rows("select count(*) from staging.daily_records",
                                                      tmp_path / "work" / "pipeline.duckdb")
    # both phases hold the same records, so their throughputs' ratio is the ratio of their seconds
    assert figures["pipeline_rows_per_s"] == pytest.approx(generated / figures["pipeline_s"])
    assert figures["throughput_ratio"] == pytest.approx(figures["ceiling_s"] / figures["pipeline_s"])
    parts = figures["pipeline_recaps_s"] + figures["pipeline_reports_s"] + figures["pipeline_models_s"]
    assert 0 < parts <= figures["pipeline_s"], "the parts are timed inside the whole"
    assert figures["reports_throughput_ratio"] == pytest.approx(
        figures["ceiling_s"] / (figures["pipeline_reports_s"] + figures["pipeline_models_s"]))
    profiles = {p.name: p.read_text() for p in (tmp_path / "profiles").iterdir()}
    assert sorted(profiles) == ["ceiling.txt", "generate.txt", "nightly.txt", "pipeline.txt"]
    assert "backfill_year" in profiles["pipeline.txt"] and "run_transforms" in profiles["ceiling.txt"]
    for label in ("pipeline backfill", "raw DuckDB ceiling", "throughput ratio", "nightly, one day",
                  "peak memory, backfill"):
        assert label in result.stdout


def test_the_curve_runs_each_scale_on_its_own_and_grows_the_work_by_reporting_days(tmp_path):
    kbetl_dev = Path(sys.executable).parent / "kbetl-dev"
    out, work = tmp_path / "curve.json", tmp_path / "work"
    result = subprocess.run([kbetl_dev, "bench", "--curve", "2,0.5", "--provinces", "17", "--json", str(out),
                             "--workdir", str(work), "--profile", str(tmp_path / "profiles")],
                            capture_output=True, text=True, env=os.environ.copy(), timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    small, large = json.loads(out.read_text())
    assert (small["scale"], large["scale"]) == (0.5, 2) and small["provinces"] == large["provinces"] == 1
    assert (small["reporting_days"], large["reporting_days"]) == (24, 48)
    assert 1.8 <= large["rows"] / small["rows"] <= 2.2, "twice the reporting days, about twice the records"
    for point in (small, large):
        # a second way to the same figure: a million rows at the pipeline's rows per second
        assert point["s_per_million_rows"] == pytest.approx(1e6 / point["pipeline_rows_per_s"])
        assert all(point[f"{phase}peak_rss_mib"] > 0 for phase in ("", "generate_", "ceiling_", "nightly_"))
        assert point["nightly_s"] > 0 and point["throughput_ratio"] > 0
    assert not list(work.iterdir()), "each scale's work folder is removed once measured"
    assert sorted(p.name for p in (tmp_path / "profiles").iterdir()) == ["scale-0.5", "scale-2"]
    assert all((tmp_path / "profiles" / scale / "pipeline.txt").is_file() for scale in ("scale-0.5", "scale-2"))
    assert "s / M rows" in result.stdout and result.stdout.count("\n") >= 3


def test_a_scale_beyond_the_export_window_is_refused_in_a_sentence(tmp_path):
    kbetl_dev = Path(sys.executable).parent / "kbetl-dev"
    result = subprocess.run([kbetl_dev, "bench", "--curve", "1,5", "--workdir", str(tmp_path / "work")],
                            capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "scale 5 makes a reporting window of 75 days; one export covers at most 62" in result.stderr
    assert not (tmp_path / "work").exists()
