"""`kbetl-dev bench`: the pipeline at national scale against the raw DuckDB ceiling, side by side.

Each phase runs in its own process so that its wall time and peak memory are its own:
  generate  the seeded national data set (facility daily records of every campaign 2020-2025 as
            Parquet by year and province, the register, targets, and the recap spreadsheets)
  pipeline  the full backfill through the reference report API (extract, validate, load, transform)
  ceiling   DuckDB reading the same Parquet files straight into the same tables plus the same model SQL
  nightly   the nightly flow for one campaign day of every province through the API, and the same flow
            doing no work (a day outside any campaign) to isolate Prefect's fixed cost
The reference API serving the pipeline runs in a process of its own and streams exports that the
generate phase prepared (devtools.report_api_server.prepare_exports): in production the API runs on
other machines, so its work of building exports is not the pipeline's time.

--scale below 1 shrinks the data set to that share of the provinces (1.0 = all 38). Above 1 it grows
the data the way routine service reporting through the year grows it: every province, each campaign's
reporting window followed by more reporting days (round(days × scale) in all, the window's day pattern
repeated, acceptors in proportion; devtools.generate.facilities.reporting_days). Every phase then uses
the same longer windows as its calendar (`bench_calendar`), so the pipeline pulls, checks and
models them as it would campaign days, and so does the ceiling.
--curve runs the whole benchmark once per scale, each in its own work folder (removed once measured)
and each phase in its own process, and sets rows, seconds and peak memory side by side.
"""

import gc
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

PHASE_COMMAND = [sys.executable, "-m", "devtools.bench"]
PROFILE_ENV = "KBETL_BENCH_PROFILE"
FIGURES_ENV = "KBETL_BENCH_FIGURES"
PROVINCES_ENV = "KBETL_BENCH_PROVINCES"  # --provinces: these provinces only, at any scale
YEARS_ENV = "KBETL_BENCH_YEARS"  # --years: these campaign years only
TOKEN = "bench-token"
NIGHTLY_DAY, IDLE_DAY = "2024-06-04", "2024-01-02"


def bench_provinces(scale: float) -> list[str]:
    from kbetl.reference.regions import provinces_of

    today = provinces_of(2025)
    chosen = os.environ.get(PROVINCES_ENV)
    if chosen:
        return [p for p in today if p in chosen.split(",")]
    count = max(1, math.ceil(len(today) * min(scale, 1.0)))
    return today[:count]


def days_factor(scale: float) -> float:
    return max(scale, 1.0)


def bench_windows(scale: float, of_years: list[int] | None = None) -> dict[int, list]:
    """Each campaign year's reporting days at this scale (its campaign window, longer above scale 1)."""
    from devtools.generate.facilities import reporting_days
    from kbetl.reference.tables import campaign_days

    return {year: reporting_days(campaign_days(year), days_factor(scale)) for year in of_years or years()}


def check_provinces(text: str) -> None:
    from kbetl.reference.regions import provinces_of

    unknown = sorted(set(text.split(",")) - set(provinces_of(2025)))
    if unknown:
        raise ValueError(f"--provinces takes codes of today's provinces, such as 17,63; not {', '.join(unknown)}")


def check_years(text: str) -> None:
    from kbetl.reference.tables import campaign_years

    known = campaign_years()
    asked = text.split(",")
    unknown = sorted(set(asked) - {str(y) for y in known})
    if unknown:
        raise ValueError(f"--years takes campaign years ({known[0]}-{known[-1]}), such as 2023,2024; "
                         f"not {', '.join(unknown)}")
    if str(date.fromisoformat(NIGHTLY_DAY).year) not in asked:
        raise ValueError(f"--years must hold {date.fromisoformat(NIGHTLY_DAY).year}: the nightly phase runs "
                         f"{NIGHTLY_DAY}")


def check_scale(scale: float) -> None:
    """One sentence if the scale is out of reach: none, or windows longer than one export may cover."""
    from devtools.report_api_server import MAX_EXPORT_DAYS

    if not scale > 0:
        raise ValueError(f"a scale is a positive number, not {scale}")
    longest = max(len(days) for days in bench_windows(scale).values())
    if longest > MAX_EXPORT_DAYS:
        campaign = max(len(days) for days in bench_windows(1).values())
        raise ValueError(f"scale {scale:g} makes a reporting window of {longest} days; one export covers at most "
                         f"{MAX_EXPORT_DAYS}, so the largest scale is about {MAX_EXPORT_DAYS / campaign:.1f}")


@contextmanager
def bench_calendar(scale: float):
    """Within it, above scale 1, every reader of the campaign calendar in this process (kbetl.reference.tables)
    sees the benchmark's longer reporting windows. The calendar kbetl read and cached is left as it is: a
    longer copy stands in for it and the cached one is back on exit, so nothing later in the process (a
    test, another phase) sees windows it did not ask for."""
    from kbetl.reference import tables

    if scale <= 1:
        yield
        return
    windows = bench_windows(scale, tables.campaign_years())  # every year's, whichever the bench runs
    longer = tables.campaigns().copy()
    longer["last_service_day"] = longer["campaign_year"].map(lambda y: windows[y][-1].isoformat())
    cached = tables.campaigns
    tables.campaigns = lambda: longer
    try:
        yield
    finally:
        tables.campaigns = cached


def years() -> list[int]:
    from kbetl.reference.tables import campaign_years

    chosen = os.environ.get(YEARS_ENV)
    return [y for y in campaign_years() if not chosen or str(y) in chosen.split(",")]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- phases (each in its own process) ---------------------------------------------------------------

def phase_generate(work: Path, scale: float) -> dict:
    """The data set, one province-year at a time (never a year whole in memory), then the exports the
    server will stream: every province's window of every year, and the nightly day."""
    import duckdb
    import pandas as pd

    from devtools.generate.facilities import generate_facility_data
    from devtools.report_api_server import prepare_exports
    from kbetl.reference.regions import provinces_of

    started = time.monotonic()
    provinces = bench_provinces(scale)
    windows = bench_windows(scale)
    nightly_day = date.fromisoformat(NIGHTLY_DAY)
    rows = 0
    con = duckdb.connect()

    def write(frame: pd.DataFrame, path: Path) -> None:
        con.register("frame", frame)
        con.execute("copy frame to $path (format parquet)", {"path": str(path)})
        con.unregister("frame")

    for year in years():
        registers, targets = [], []
        out = work / "records" / str(year)
        out.mkdir(parents=True, exist_ok=True)
        for province in sorted(set(provinces) & set(provinces_of(year))):  # on this year's map
            data = generate_facility_data([year], [province], days_factor=days_factor(scale))
            write(data.records, out / f"{province}.parquet")
            registers.append(data.facilities)
            targets.append(data.targets)
            rows += len(data.records)
        write(pd.concat(registers, ignore_index=True), work / f"facilities_{year}.parquet")
        write(pd.concat(targets, ignore_index=True), work / f"targets_{year}.parquet")
        first, last = windows[year][0], windows[year][-1]  # the pipeline asks for every province, every year
        wanted = [(province, first, last) for province in provinces]
        if first <= nightly_day <= last:
            wanted += [(province, nightly_day, nightly_day) for province in provinces]
        prepare_exports(sorted(out.glob("*.parquet")), wanted, work / "exports")
    con.close()
    copy_sample_recaps(work / "recaps", provinces)
    size = sum(p.stat().st_size for p in work.rglob("*") if p.is_file() and "exports" not in p.parts)
    return {"seconds": time.monotonic() - started, "rows": rows, "bytes": size, "provinces": provinces}


def copy_sample_recaps(folder: Path, provinces: list[str]) -> None:
    """The bundled sample recaps (what the seeded generator writes, tests/devtools/test_sample_recaps.py) of the
    chosen years and provinces; the national recap of a year only when every province of its map is chosen."""
    from kbetl.reference.regions import provinces_of
    from kbetl.warehouse.database import PROJECT_DIR

    for year in years():
        chosen = set(provinces) & set(provinces_of(year))
        codes = chosen | ({"00"} if chosen == set(provinces_of(year)) else set())
        (folder / str(year)).mkdir(parents=True, exist_ok=True)
        for path in sorted((PROJECT_DIR / "data" / "sample" / str(year)).iterdir()):
            if path.name.split("_", 1)[0] in codes:
                shutil.copy(path, folder / str(year) / path.name)


def load_register(work: Path):
    """The register and targets back from their Parquet files; the records are served as prepared exports."""
    import duckdb

    from devtools.generate.facilities import FacilityData

    con = duckdb.connect()
    try:
        frames = [con.execute("select * from read_parquet(?)", [f"{work}/{name}_*.parquet"]).df()
                  for name in ("facilities", "targets")]
    finally:
        con.close()
    return FacilityData(frames[0], None, frames[1])


def phase_serve(work: Path, port: int) -> None:
    from devtools.report_api_server import running_server

    with running_server(load_register(work), TOKEN, port, exports_dir=work / "exports") as server:
        print(json.dumps({"url": server.base_url}), flush=True)
        sys.stdin.read()  # until the parent closes our stdin


def phase_pipeline(work: Path, scale: float, url: str) -> dict:
    """The backfill, year by year: its recaps, then its facility reports, then the models once; each part
    timed, so that the facility records' own path can be set beside the ceiling."""
    from kbetl import progress
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
    audits = []  # the data-quality audits' share of the models (issue: at most 10%)
    with progress.listening(lambda event, fields: event == "audits_built" and audits.append(fields["seconds"])):
        rebuild_and_publish(db, "bench", None)
    parts["models_s"] = time.monotonic() - begun
    parts["audits_s"] = sum(audits)
    seconds = time.monotonic() - started
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("select count(*) from staging.daily_records").fetchall()[0][0]
    con.close()
    return {"seconds": seconds, "rows": rows, **parts}


def phase_ceiling(work: Path, scale: float) -> dict:  # noqa: ARG001 - the scale set this process's calendar
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
    check_scale(scale)
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
        ceiling = run_phase("ceiling", str(work), str(scale))
        nightly = run_phase("nightly", str(work), str(scale), url)
    finally:
        server.stdin.close()
        server.wait(timeout=60)
    return {
        "scale": scale, "provinces": len(generated["provinces"]), "rows": generated["rows"],
        "reporting_days": sum(len(days) for days in bench_windows(scale).values()),
        "bytes": generated["bytes"], "generate_s": generated["seconds"],
        "pipeline_s": pipeline["seconds"], "pipeline_rows_per_s": pipeline["rows"] / pipeline["seconds"],
        "ceiling_s": ceiling["seconds"], "ceiling_rows_per_s": ceiling["rows"] / ceiling["seconds"],
        "throughput_ratio": (pipeline["rows"] / pipeline["seconds"]) / (ceiling["rows"] / ceiling["seconds"]),
        "pipeline_recaps_s": pipeline["recaps_s"], "pipeline_reports_s": pipeline["reports_s"],
        "pipeline_models_s": pipeline["models_s"],
        "pipeline_audits_s": pipeline["audits_s"],
        # the facility records' path alone (pull, check, load, models), which is what the ceiling reads
        "reports_throughput_ratio": (pipeline["rows"] / (pipeline["reports_s"] + pipeline["models_s"]))
        / (ceiling["rows"] / ceiling["seconds"]),
        "nightly_s": nightly["nightly_s"], "fixed_cost_s": nightly["fixed_cost_s"],
        "nightly_over_fixed_s": nightly["nightly_s"] - nightly["fixed_cost_s"],
        "peak_rss_mib": pipeline["peak_rss_mib"], "ceiling_peak_rss_mib": ceiling["peak_rss_mib"],
        "nightly_peak_rss_mib": nightly["peak_rss_mib"], "generate_peak_rss_mib": generated["peak_rss_mib"],
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }


def run_curve(scales: list[float], work: Path) -> list[dict]:
    """The whole benchmark once per scale, smallest first, each in a work folder of its own (removed once
    measured: the largest scales take gigabytes; profiles, if asked, under a folder per scale); per scale
    the figures of run_bench plus seconds per million rows."""
    for scale in scales:
        check_scale(scale)
    points, profiles = [], os.environ.get(PROFILE_ENV)
    for scale in sorted(scales):
        folder = work / f"scale-{scale:g}"
        if profiles:  # each scale's profiles in a folder of their own
            Path(profiles, folder.name).mkdir(parents=True, exist_ok=True)
            os.environ[PROFILE_ENV] = str(Path(profiles, folder.name))
        figures = run_bench(scale, folder)
        shutil.rmtree(folder)
        millions = figures["rows"] / 1e6
        points.append({**figures, "s_per_million_rows": figures["pipeline_s"] / millions,
                       "reports_s_per_million_rows": (figures["pipeline_reports_s"] + figures["pipeline_models_s"])
                       / millions})
    return points


def parse_scales(text: str) -> list[float]:
    """'0.25,0.5,1,2,4' → [0.25, 0.5, 1.0, 2.0, 4.0], or one sentence."""
    try:
        scales = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"--curve takes scales separated by commas, such as 0.25,0.5,1,2,4, not {text!r}") from None
    if not scales:
        raise ValueError("--curve needs at least one scale, such as 0.25,0.5,1,2,4")
    for scale in scales:
        check_scale(scale)
    return scales


def curve_table(points: list[dict]) -> str:
    """One line per scale; 'vs 1' compares seconds per million rows with scale 1's, when it was run."""
    base = next((p["s_per_million_rows"] for p in points if p["scale"] == 1), None)
    header = ("scale", "rows", "days", "backfill s", "s / M rows", "vs 1", "reports+models s / M rows",
              "peak MiB: generate", "pipeline", "ceiling", "nightly")
    lines = [header]
    for p in points:
        lines.append((f"{p['scale']:g}", f"{p['rows']:,}", str(p["reporting_days"]), f"{p['pipeline_s']:.1f}",
                      f"{p['s_per_million_rows']:.1f}", f"{p['s_per_million_rows'] / base:.2f}" if base else "",
                      f"{p['reports_s_per_million_rows']:.1f}", f"{p['generate_peak_rss_mib']:.0f}",
                      f"{p['peak_rss_mib']:.0f}", f"{p['ceiling_peak_rss_mib']:.0f}",
                      f"{p['nightly_peak_rss_mib']:.0f}"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.rjust(w) for cell, w in zip(line, widths)) for line in lines)


def table(figures: dict) -> str:
    rows = [
        ("data set", f"{figures['rows']:,} facility records, {figures['provinces']} provinces, "
                     f"{figures['bytes'] / 2**20:.1f} MiB on disk (scale {figures['scale']})"),
        ("pipeline backfill", f"{figures['pipeline_s']:.1f} s, {figures['pipeline_rows_per_s']:,.0f} rows/s, "
                              f"peak {figures['peak_rss_mib']:.0f} MiB"),
        ("raw DuckDB ceiling", f"{figures['ceiling_s']:.1f} s, {figures['ceiling_rows_per_s']:,.0f} rows/s, "
                               f"peak {figures['ceiling_peak_rss_mib']:.0f} MiB"),
        ("  of which", f"recaps {figures['pipeline_recaps_s']:.1f} s, facility reports "
                       f"{figures['pipeline_reports_s']:.1f} s, models {figures['pipeline_models_s']:.1f} s "
                       f"(data-quality audits {figures['pipeline_audits_s']:.2f} s, "
                       f"{100 * figures['pipeline_audits_s'] / figures['pipeline_models_s']:.1f}%)"),
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
    scale = args[0] if name != "generate" and args else 1  # the generator draws the longer windows itself
    profile_dir = os.environ.get(PROFILE_ENV)
    with bench_calendar(scale):
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
    # The phase is measured and its figures are written. At exit the interpreter would search every object its
    # imports made for garbage cycles, again and again as it clears the modules: about 1 CPU-s after the nightly
    # phase, none of it measured. Frozen, they are left alone; exit handlers (Prefect's log flush) still run.
    gc.freeze()
