"""The benchmark, at a small scale, so that it keeps working (it checks that figures come out, not speed)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.prefect  # the benchmark times the nightly flow

KEYS = ("rows", "pipeline_rows_per_s", "ceiling_rows_per_s", "throughput_ratio", "nightly_s", "fixed_cost_s",
        "nightly_over_fixed_s", "peak_rss_mib")


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
    assert figures["throughput_ratio"] == figures["pipeline_rows_per_s"] / figures["ceiling_rows_per_s"]
    parts = figures["pipeline_recaps_s"] + figures["pipeline_reports_s"] + figures["pipeline_models_s"]
    assert 0 < parts <= figures["pipeline_s"], "the parts are timed inside the whole"
    assert figures["reports_throughput_ratio"] > figures["throughput_ratio"]
    profiles = {p.name: p.read_text() for p in (tmp_path / "profiles").iterdir()}
    assert sorted(profiles) == ["ceiling.txt", "generate.txt", "nightly.txt", "pipeline.txt"]
    assert "backfill_year" in profiles["pipeline.txt"] and "run_transforms" in profiles["ceiling.txt"]
    for label in ("pipeline backfill", "raw DuckDB ceiling", "throughput ratio", "nightly, one day",
                  "peak memory, backfill"):
        assert label in result.stdout
