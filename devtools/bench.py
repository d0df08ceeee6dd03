"""`kbetl-dev bench`: the pipeline at national scale against the raw DuckDB ceiling, side by side.

Each phase runs in its own process so that its wall time and peak memory are its own:
  generate  the seeded national data set (facility daily records of every campaign 2020-2025 as
            Parquet by year and province, the register, targets, and the recap spreadsheets)
  pipeline  the full backfill through the reference report API (extract, validate, load, transform)
  ceiling   DuckDB reading the same Parquet files straight into the same tables plus the same model SQL
  nightly   the nightly flow for one campaign day of every province through the API, and the same flow
            doing no work (a day outside any campaign) to isolate Prefect's fixed cost
--scale shrinks the data set by taking that share of the provinces (1.0 = all 38).
"""

import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PHASE_COMMAND = [sys.executable, "-m", "devtools.bench"]
PROFILE_ENV = "KBETL_BENCH_PROFILE"
FIGURES_ENV = "KBETL_BENCH_FIGURES"
TOKEN = "bench-token"
NIGHTLY_DAY, IDLE_DAY = "2024-06-04", "2024-01-02"


def bench_provinces(scale: float) -> list[str]:
    from kbetl.reference.regions import provinces_of

    today = provinces_of(2025)
    count = max(1, math.ceil(len(today) * scale))
    return today[:count]


def years() -> list[int]:
    from kbetl.reference.tables import campaign_years

    return campaign_years()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- phases (each in its own process) ---------------------------------------------------------------

def phase_generate(work: Path, scale: float) -> dict:
    import duckdb

    from devtools.generate.facilities import generate_facility_data
    from devtools.generate.recaps import generate_samples

    started = time.monotonic()
    provinces = bench_provinces(scale)
    rows = 0
    con = duckdb.connect()
    for year in years():
        data = generate_facility_data([year], provinces)
        for name in ("facilities", "targets"):
            frame = getattr(data, name)
            con.register("frame", frame)
            con.execute(f"copy frame to '{work / f'{name}_{year}.parquet'}' (format parquet)")
            con.unregister("frame")
        out = work / "records" / str(year)
        out.mkdir(parents=True, exist_ok=True)
        for province, frame in data.records.groupby("province_code"):
            con.register("frame", frame)
            con.execute(f"copy frame to '{out / f'{province}.parquet'}' (format parquet)")
            con.unregister("frame")
        rows += len(data.records)
    generate_samples(work / "recaps")
    size = sum(p.stat().st_size for p in work.rglob("*") if p.is_file())
    return {"seconds": time.monotonic() - started, "rows": rows, "bytes": size, "provinces": provinces}


def load_dataset(work: Path):
    """The generated data set back from its Parquet files, for the reference server."""
    import duckdb
    import pandas as pd

    from devtools.generate.facilities import FacilityData

    con = duckdb.connect()

    def read(pattern: str) -> pd.DataFrame:
        return con.execute("select * from read_parquet(?)", [f"{work}/{pattern}"]).df()

    records = read("records/*/*.parquet")
    records["report_date"] = pd.to_datetime(records["report_date"]).dt.date
    return FacilityData(read("facilities_*.parquet"), records, read("targets_*.parquet"))


def phase_serve(work: Path, port: int) -> None:
    from devtools.report_api_server import running_server

    with running_server(load_dataset(work), TOKEN, port) as server:
        print(json.dumps({"url": server.base_url}), flush=True)
        sys.stdin.read()  # until the parent closes our stdin


def phase_pipeline(work: Path, scale: float, url: str) -> dict:
    """The backfill, year by year: its recaps, then its facility reports, then the models once; each part
    timed, so that the facility records' own path can be set beside the ceiling."""
    from kbetl.runs import backfill_year, rebuild_and_publish

    os.environ["KBETL_API_TOKEN"] = TOKEN
    db = work / "pipeline.duckdb"
    parts = {"recaps_s": 0.0, "reports_s": 0.0}
    started = time.monotonic()
    for year in years():
        for part, recap_dir, base_url in (("recaps_s", work / "recaps", None), ("reports_s", None, url)):
            begun = time.monotonic()
            result = backfill_year(db, year, bench_provinces(scale), recap_dir, base_url, rebuild="none")
            parts[part] += time.monotonic() - begun
        if result.failed:
            raise RuntimeError(f"{year}: provinces {result.failed} failed")
    begun = time.monotonic()
    rebuild_and_publish(db, "bench", None)
    parts["models_s"] = time.monotonic() - begun
    seconds = time.monotonic() - started
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("select count(*) from staging.daily_records").fetchall()[0][0]
    con.close()
    return {"seconds": seconds, "rows": rows, **parts}


def phase_ceiling(work: Path) -> dict:
    from kbetl.warehouse.database import connect
    from kbetl.warehouse.reference import load_reference
    from kbetl.warehouse.transform import run_transforms

    db = work / "ceiling.duckdb"
    con = connect(db)
    load_reference(con)
    started = time.monotonic()
    con.execute("""insert into staging.daily_records
        select campaign_year, province_code, facility_code, regency_code, method, service_type, report_date,
               acceptors, reported_at, updated_at, 'bulk', 0, 'ceiling'
        from read_parquet(?)""", [f"{work}/records/*/*.parquet"])
    con.execute("""insert into staging.facilities
        select campaign_year, province_code, facility_code, facility_name, district_code, regency_code, kind
        from read_parquet(?)""", [f"{work}/facilities_*.parquet"])
    con.execute("""insert into staging.daily_targets
        select campaign_year, province_code, region_code, level, target, kbpp_target
        from read_parquet(?)""", [f"{work}/targets_*.parquet"])
    run_transforms(con)
    seconds = time.monotonic() - started
    rows = con.execute("select count(*) from staging.daily_records").fetchall()[0][0]
    con.close()
    return {"seconds": seconds, "rows": rows}


def phase_nightly(work: Path, scale: float, url: str) -> dict:
    from datetime import date

    from flows.nightly import nightly

    os.environ["KBETL_API_TOKEN"] = TOKEN
    db = work / "nightly.duckdb"
    shutil.copy(work / "pipeline.duckdb", db)
    run = lambda day: nightly(date.fromisoformat(day), lookback_days=0, provinces=bench_provinces(scale),  # noqa: E731
                              base_url=url, db=str(db), extract_retries=0)
    run(IDLE_DAY)  # warm-up: starts Prefect's temporary server
    started = time.monotonic()
    run(IDLE_DAY)
    fixed = time.monotonic() - started
    started = time.monotonic()
    run(NIGHTLY_DAY)
    return {"fixed_cost_s": fixed, "nightly_s": time.monotonic() - started}


# --- orchestration ---------------------------------------------------------------------------------

def run_phase(name: str, *args: str) -> dict:
    """Runs a phase in a process of its own; its figures come back in a file (its stdout is its log)."""
    with tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "figures.json"
        result = subprocess.run([*PHASE_COMMAND, name, *args], capture_output=True, text=True,
                                env={**os.environ, FIGURES_ENV: str(figures)})
        if result.returncode != 0:
            raise RuntimeError(f"bench phase {name} failed:\n{result.stdout[-1500:]}{result.stderr[-3000:]}")
        return json.loads(figures.read_text())


def run_bench(scale: float, work: Path) -> dict:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    generated = run_phase("generate", str(work), str(scale))
    port = _free_port()
    server = subprocess.Popen([*PHASE_COMMAND, "serve", str(work), str(port)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        url = json.loads(server.stdout.readline())["url"]
        pipeline = run_phase("pipeline", str(work), str(scale), url)
        ceiling = run_phase("ceiling", str(work))
        nightly = run_phase("nightly", str(work), str(scale), url)
    finally:
        server.stdin.close()
        server.wait(timeout=60)
    return {
        "scale": scale, "provinces": len(generated["provinces"]), "rows": generated["rows"],
        "bytes": generated["bytes"], "generate_s": generated["seconds"],
        "pipeline_s": pipeline["seconds"], "pipeline_rows_per_s": pipeline["rows"] / pipeline["seconds"],
        "ceiling_s": ceiling["seconds"], "ceiling_rows_per_s": ceiling["rows"] / ceiling["seconds"],
        "throughput_ratio": (pipeline["rows"] / pipeline["seconds"]) / (ceiling["rows"] / ceiling["seconds"]),
        "pipeline_recaps_s": pipeline["recaps_s"], "pipeline_reports_s": pipeline["reports_s"],
        "pipeline_models_s": pipeline["models_s"],
        # the facility records' path alone (pull, check, load, models), which is what the ceiling reads
        "reports_throughput_ratio": (pipeline["rows"] / (pipeline["reports_s"] + pipeline["models_s"]))
        / (ceiling["rows"] / ceiling["seconds"]),
        "nightly_s": nightly["nightly_s"], "fixed_cost_s": nightly["fixed_cost_s"],
        "nightly_over_fixed_s": nightly["nightly_s"] - nightly["fixed_cost_s"],
        "peak_rss_mib": pipeline["peak_rss_mib"], "ceiling_peak_rss_mib": ceiling["peak_rss_mib"],
        "nightly_peak_rss_mib": nightly["peak_rss_mib"],
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }


def table(figures: dict) -> str:
    rows = [
        ("data set", f"{figures['rows']:,} facility records, {figures['provinces']} provinces, "
                     f"{figures['bytes'] / 2**20:.1f} MiB on disk (scale {figures['scale']})"),
        ("pipeline backfill", f"{figures['pipeline_s']:.1f} s, {figures['pipeline_rows_per_s']:,.0f} rows/s, "
                              f"peak {figures['peak_rss_mib']:.0f} MiB"),
        ("raw DuckDB ceiling", f"{figures['ceiling_s']:.1f} s, {figures['ceiling_rows_per_s']:,.0f} rows/s, "
                               f"peak {figures['ceiling_peak_rss_mib']:.0f} MiB"),
        ("  of which", f"recaps {figures['pipeline_recaps_s']:.1f} s, facility reports "
                       f"{figures['pipeline_reports_s']:.1f} s, models {figures['pipeline_models_s']:.1f} s"),
        ("throughput ratio", f"{figures['throughput_ratio']:.3f} (target ≥ 0.5); facility reports and models "
                             f"alone {figures['reports_throughput_ratio']:.3f}"),
        ("nightly, one day", f"{figures['nightly_s']:.1f} s; fixed cost {figures['fixed_cost_s']:.1f} s; "
                             f"beyond it {figures['nightly_over_fixed_s']:.1f} s (target ≤ 5 s)"),
        ("peak memory, backfill", f"{figures['peak_rss_mib']:.0f} MiB (target ≤ 1536 MiB)"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str]) -> None:
    name, work, *rest = argv
    work = Path(work)
    if name == "serve":
        return phase_serve(work, int(rest[0]))
    phases = {"generate": phase_generate, "pipeline": phase_pipeline, "ceiling": phase_ceiling,
              "nightly": phase_nightly}
    args = [float(rest[0]), *rest[1:]] if rest else []
    profile_dir = os.environ.get(PROFILE_ENV)
    if profile_dir:  # the main thread only: time in worker threads shows as waiting for them
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    figures = phases[name](work, *args)
    if profile_dir:
        profiler.stop()
        Path(profile_dir, f"{name}.txt").write_text(profiler.output_text(unicode=False, color=False))
    Path(os.environ[FIGURES_ENV]).write_text(json.dumps({**figures, "peak_rss_mib": peak_rss_mib()}))


if __name__ == "__main__":
    import flows  # noqa: F401  (Prefect settings before Prefect is imported)

    main(sys.argv[1:])
