"""Reference implementation of the regional report API, version 1 (contract: docs/api.md).

A threaded HTTP server on 127.0.0.1 serving a FacilityData set. Faults can be switched on for tests
(per server, or over HTTP with POST /_faults): a share of 500s, 429s with Retry-After, slow
responses, provinces that stay down, truncated bodies, a page that changes between two requests.

Exports are built per request from the records held in memory. Given `exports_dir`, the server first
streams exports prepared there (`prepare_exports`, one file per province and window): the benchmark
prepares them before its timing starts, so that the server's own work is not counted as the pipeline's
(in production the API runs on other machines). A server without records (`FacilityData.records` None)
serves prepared exports only and answers anything else about records 404, in a sentence.
"""

import hashlib
import json
import math
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from time import sleep
from urllib.parse import parse_qs, urlparse

import duckdb
import pandas as pd

from devtools.generate.facilities import FacilityData

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 5000
MAX_EXPORT_DAYS = 62
PARQUET = "application/vnd.apache.parquet"
EXPORT_CHUNK = 1 << 20
RECORD_FIELDS = ["facility_code", "regency_code", "method", "service_type", "acceptors", "report_date",
                 "reported_at", "updated_at"]
EXPORT_TYPES = """province_code::varchar as province_code, facility_code::varchar as facility_code,
                  regency_code::varchar as regency_code, method::varchar as method,
                  service_type::varchar as service_type, acceptors::bigint as acceptors,
                  report_date::date as report_date, reported_at::timestamptz as reported_at,
                  updated_at::timestamptz as updated_at"""
# A province's window, as the export gives it: in the order of the JSON pages.
EXPORT_SELECT = """select * exclude (province_code) from records
                   where province_code = $province and report_date between $first and $last
                   order by report_date, facility_code, method, service_type"""


@dataclass
class Faults:
    fail_first: int = 0  # the first N requests to each URL answer 500
    throttle_first: int = 0  # the first N requests to each URL answer 429 with Retry-After
    retry_after_s: int = 1  # whole seconds, as RFC 9110 has it
    delay_s: float = 0.0
    down_provinces: list[str] = field(default_factory=list)  # always 503
    truncate_provinces: list[str] = field(default_factory=list)  # bodies cut in half
    change_after_first_page: bool = False  # the data changes (once) between page 1 and page 2
    no_export: bool = False  # an API without the bulk export (404), as older regional servers are
    # A careless server: JSON bodies carry the request's Authorization header back ("request_authorization");
    # with echo_authorization_in_errors, the records (services, export) answer 400 with it in the message.
    echo_authorization: bool = False
    echo_authorization_in_errors: bool = False
    hang: bool = False  # accepts the connection and never answers (until the server stops)
    # A body of huge_body_bytes generated as it is sent (never held), without Content-Length (the connection
    # closes at its end), for one resource: "facilities", "targets", "services" (JSON) or "export" (bytes).
    huge_body_bytes: int = 0
    huge_body_on: str = "facilities"


class ReportApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, data: FacilityData, token: str, port: int = 0, faults: Faults | None = None,
                 exports_dir: Path | None = None):
        self.data = data
        # Indexed once, so that a page is a slice, not a scan of the whole country.
        self.services_by_day = (_index(data.records, ["province_code", "report_date"],
                                       ["facility_code", "method", "service_type"])
                                if data.records is not None else None)
        self.exports = _export_table(data.records) if data.records is not None else None
        self.prepared = _prepared_exports(exports_dir) if exports_dir is not None else {}
        self.register_by_year = _index(data.facilities, ["province_code", "campaign_year"], ["facility_code"])
        self.targets_by_year = _index(data.targets, ["province_code", "campaign_year"], ["region_code"])
        self.token = token
        self.faults = faults or Faults()
        self.hits: dict[str, int] = {}
        self.data_version = 1
        self.lock = threading.Lock()
        self.stopping = threading.Event()  # wakes the handlers a `hang` fault holds
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def server_close(self) -> None:
        self.stopping.set()
        super().server_close()
        if self.exports is not None:
            self.exports.close()

    def count_hit(self, key: str) -> int:
        with self.lock:
            self.hits[key] = self.hits.get(key, 0) + 1
            return self.hits[key]


@contextmanager
def running_server(data: FacilityData, token: str, port: int = 0, faults: Faults | None = None,
                   exports_dir: Path | None = None):
    """Starts the server in a background thread; stops it on exit."""
    server = ReportApiServer(data, token, port, faults, exports_dir)
    thread = threading.Thread(target=server.serve_forever, name="report-api", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Handler(BaseHTTPRequestHandler):
    server: ReportApiServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # keep-alive requests otherwise stall ~40 ms each

    def log_message(self, format, *args):  # noqa: A002 - quiet by default; tests read hits instead
        pass

    def do_GET(self):  # noqa: N802
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        parts = [p for p in url.path.split("/") if p]
        if parts == ["v1", "health"]:
            return self._json(200, {"status": "ok", "data_version": self.server.data_version})
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            return self._error(401, "unauthorized", "send 'Authorization: Bearer <token>'")
        faults = self.server.faults
        if faults.hang:
            self.server.stopping.wait()
            self.close_connection = True
            return
        if faults.delay_s:
            sleep(faults.delay_s)
        province = parts[2] if len(parts) >= 4 and parts[:2] == ["v1", "provinces"] else query.get("province")
        resource = ("export" if parts[3:] == ["services", "export"] else parts[3] if len(parts) == 4
                    else parts[1] if len(parts) == 2 else None)
        if faults.huge_body_bytes and resource == faults.huge_body_on:
            return self._huge(resource, faults.huge_body_bytes)
        if faults.echo_authorization_in_errors and resource in ("services", "export"):
            echoed = self.headers.get("Authorization")
            return self._error(400, "bad_request", f"unexpected header Authorization: {echoed}")
        if province in faults.down_provinces:
            return self._error(503, "unavailable", f"province {province} is not reachable")
        hit = self.server.count_hit(self.path)
        if hit <= faults.throttle_first:
            return self._error(429, "rate_limited", "too many requests",
                               {"Retry-After": str(faults.retry_after_s)})
        if hit <= faults.throttle_first + faults.fail_first:
            return self._error(500, "internal", "temporary failure")
        try:
            if parts[:2] == ["v1", "provinces"] and parts[3:] == ["services", "export"] and not faults.no_export:
                return self._parquet(*self._services_export(province, query),
                                     truncate=province in faults.truncate_provinces)
            if len(parts) == 4 and parts[:2] == ["v1", "provinces"] and parts[3] == "services":
                body = self._services(province, query)
            elif len(parts) == 4 and parts[:2] == ["v1", "provinces"] and parts[3] == "facilities":
                body = self._facilities(province, query)
            elif parts == ["v1", "targets"]:
                body = self._targets(query)
            else:
                return self._error(404, "not_found", f"no resource {url.path}")
        except _BadRequest as exc:
            return self._error(400, "bad_request", str(exc))
        except _NotHeld as exc:
            return self._error(404, "not_found", str(exc))
        self._json(200, body, truncate=province in faults.truncate_provinces)

    def do_POST(self):  # noqa: N802
        if urlparse(self.path).path != "/_faults":
            return self._error(404, "not_found", self.path)
        length = int(self.headers.get("Content-Length", 0))
        self.server.faults = Faults(**json.loads(self.rfile.read(length) or b"{}"))
        self.server.hits.clear()
        self._json(200, asdict(self.server.faults))

    def _services(self, province: str, query: dict) -> dict:
        day = _date(query, "date")
        if self.server.services_by_day is None:
            raise _NotHeld(f"this server holds no records, only prepared exports (asked for {province} on {day})")
        page = self._page(self.server.services_by_day.get((province, day), _EMPTY), query)
        if self.server.faults.change_after_first_page and page["page"] == 1:
            self.server.faults.change_after_first_page = False  # one record arrives, once
            self.server.data_version += 1
        rows = page.pop("rows")
        page["records"] = [] if rows.empty else [
            {**r, "report_date": r["report_date"].isoformat(), "reported_at": r["reported_at"].isoformat(),
             "updated_at": r["updated_at"].isoformat()}
            for r in rows[["facility_code", "regency_code", "method", "service_type", "acceptors",
                           "report_date", "reported_at", "updated_at"]].to_dict("records")]
        return {"province_code": province, "date": day.isoformat(), **page}

    def _services_export(self, province: str, query: dict) -> tuple[bytes | Path, int, str]:
        """The window's records of a province as one Parquet file, in the order of the JSON pages: the
        prepared file if there is one, else built now. (content or path, records, SHA-256)"""
        first, last = _date(query, "from"), _date(query, "to")
        if not 0 <= (last - first).days < MAX_EXPORT_DAYS:
            raise _BadRequest(f"'from'..'to' must be 1 to {MAX_EXPORT_DAYS} days, got {first}..{last}")
        prepared = self.server.prepared.get((province, first, last))
        if prepared is not None:
            return prepared
        if self.server.exports is None:
            raise _NotHeld(f"no export of {province} for {first}..{last} was prepared, and this server holds no "
                           "records to build one")
        con = self.server.exports.cursor()  # one per request: cursors may run in parallel
        try:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp, "export.parquet")
                records = _write_export(con, province, first, last, path)
                payload = path.read_bytes()
                return payload, records, hashlib.sha256(payload).hexdigest()
        finally:
            con.close()

    def _facilities(self, province: str, query: dict) -> dict:
        year = _int(query, "year")
        page = self._page(self.server.register_by_year.get((province, year), _EMPTY), query)
        rows = page.pop("rows")
        if rows.empty:
            rows = pd.DataFrame(columns=["facility_code", "facility_name", "district_code", "regency_code", "kind"])
        rows = rows[["facility_code", "facility_name", "district_code", "regency_code", "kind"]]
        page["facilities"] = rows.astype(object).where(rows.notna(), None).to_dict("records")
        return {"province_code": province, "year": year, **page}

    def _targets(self, query: dict) -> dict:
        year, province = _int(query, "year"), query.get("province")
        selected = self.server.targets_by_year.get((province, year), _EMPTY)
        if selected.empty:
            selected = pd.DataFrame(columns=["region_code", "level", "target", "kbpp_target"])
        rows = selected[["region_code", "level", "target", "kbpp_target"]].astype(object)
        return {"year": year, "province_code": province,
                "targets": rows.where(rows.notna(), None).to_dict("records")}

    def _page(self, frame: pd.DataFrame, query: dict) -> dict:
        size = min(_int(query, "page_size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        number = _int(query, "page", 1)
        pages = max(1, math.ceil(len(frame) / size))
        if number < 1 or number > pages:
            raise _BadRequest(f"page {number} is outside 1..{pages}")
        return {"page": number, "page_size": size, "total_records": len(frame), "total_pages": pages,
                "next_page": number + 1 if number < pages else None, "data_version": self.server.data_version,
                "rows": frame.iloc[(number - 1) * size: number * size]}

    def _json(self, status: int, body: dict, headers: dict | None = None, truncate: bool = False):
        if self.server.faults.echo_authorization and status == 200:
            body = {**body, "request_authorization": self.headers.get("Authorization")}
        payload = json.dumps(body, default=_plain).encode()
        if truncate:
            payload = payload[: len(payload) // 2]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _parquet(self, export: bytes | Path, records: int, sha256: str, truncate: bool = False):
        """An export's bytes, or a prepared file's streamed from disk (never read whole)."""
        size = export.stat().st_size if isinstance(export, Path) else len(export)
        length = size // 2 if truncate else size
        headers = {"Content-Type": PARQUET, "X-Total-Records": str(records),
                   "X-Data-Version": str(self.server.data_version), "X-Content-SHA256": sha256,
                   "Content-Length": str(length)}
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if isinstance(export, Path):
            with export.open("rb") as f:
                while length > 0:
                    chunk = f.read(min(EXPORT_CHUNK, length))
                    self.wfile.write(chunk)
                    length -= len(chunk)
        else:
            for start in range(0, length, EXPORT_CHUNK):
                self.wfile.write(export[start:min(start + EXPORT_CHUNK, length)])

    def _huge(self, resource: str, size: int):
        """size bytes made as they are sent: a JSON listing of one record repeated, or bytes; no Content-Length."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", PARQUET if resource == "export" else "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        if resource == "export":
            head, item, tail = b"PAR1", b"\0" * 4096, b""
        else:
            key = {"facilities": "facilities", "targets": "targets"}.get(resource, "records")
            head = f'{{"page": 1, "page_size": 1000, "next_page": null, "data_version": 1, "{key}": ['.encode()
            item = json.dumps({"facility_code": "1701001", "facility_name": "Puskesmas " + "x" * 200,
                               "district_code": None, "regency_code": "1701", "kind": "puskesmas"}).encode() + b","
            tail = b"{}]}"
        chunk = item * max(1, EXPORT_CHUNK // len(item))
        try:
            self.wfile.write(head)
            sent = len(head) + len(tail)
            while sent < size and not self.server.stopping.is_set():
                part = chunk[: size - sent] if size - sent < len(chunk) else chunk
                self.wfile.write(part)
                sent += len(part)
            self.wfile.write(tail)
        except OSError:
            pass  # the client stopped reading

    def _error(self, status: int, code: str, message: str, headers: dict | None = None):
        self._json(status, {"error": {"code": code, "message": message}}, headers)


class _BadRequest(ValueError):
    pass


class _NotHeld(LookupError):
    """Records this server does not hold (it serves prepared exports only)."""


_EMPTY = pd.DataFrame()


def _export_table(records: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    """The records in an in-memory DuckDB table with the export's types, sorted so that a province's
    window is a narrow scan."""
    con = duckdb.connect()
    con.register("source", records if not records.empty else pd.DataFrame(columns=["province_code", *RECORD_FIELDS]))
    con.execute(f"create table records as select {EXPORT_TYPES} from source "
                "order by province_code, report_date, facility_code, method, service_type")
    con.unregister("source")
    return con


def _write_export(con: duckdb.DuckDBPyConnection, province: str, first: date, last: date, path: Path) -> int:
    """The window's export written to path (from the `records` table on con); returns its record count."""
    params = {"province": province, "first": first, "last": last}
    con.execute(f"copy ({EXPORT_SELECT}) to $path (format parquet, compression zstd)", {**params, "path": str(path)})
    return con.execute(f"select count(*) from ({EXPORT_SELECT})", params).fetchone()[0]


def prepare_exports(records_parquet: list[Path], windows: list[tuple[str, date, date]], out_dir: Path) -> int:
    """Writes the export of each (province, first day, last day) window into out_dir, from the records in
    the given Parquet files (read by DuckDB, never into pandas), exactly as the server would build it.
    Returns the number of files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"create table records as select {EXPORT_TYPES} from read_parquet(?)",
                    [[str(p) for p in records_parquet]])
        for province, first, last in windows:
            _write_export(con, province, first, last, out_dir / f"{province}_{first}_{last}.parquet")
    finally:
        con.close()
    return len(windows)


def _prepared_exports(folder: Path) -> dict[tuple[str, date, date], tuple[Path, int, str]]:
    """(province, first, last) → (file, records, SHA-256) for the exports prepared in folder."""
    prepared = {}
    con = duckdb.connect()
    try:
        for path in sorted(folder.glob("*.parquet")):
            province, first, last = path.stem.split("_")
            records = con.execute("select sum(num_rows) from parquet_file_metadata(?)", [str(path)]).fetchone()[0]
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(EXPORT_CHUNK), b""):
                    digest.update(chunk)
            prepared[(province, date.fromisoformat(first), date.fromisoformat(last))] = (
                path, int(records or 0), digest.hexdigest())
    finally:
        con.close()
    return prepared


def _index(frame: pd.DataFrame, keys: list[str], order: list[str]) -> dict[tuple, pd.DataFrame]:
    if frame.empty:
        return {}
    return {key: group.sort_values(order).reset_index(drop=True)
            for key, group in frame.groupby(keys, sort=False)}


def _int(query: dict, name: str, default: int | None = None) -> int:
    value = query.get(name)
    if value is None and default is not None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _BadRequest(f"parameter {name!r} must be a whole number, got {value!r}") from None


def _date(query: dict, name: str) -> date:
    try:
        return date.fromisoformat(query[name])
    except (KeyError, ValueError):
        raise _BadRequest(f"parameter {name!r} must be a date YYYY-MM-DD") from None


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")
