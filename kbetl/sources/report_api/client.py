"""The client of the regional report API (docs/api.md): paging, retries, timeouts, landing every response.

The token comes from the environment (KBETL_API_TOKEN) and goes only into the Authorization header:
never into a URL, a log line, an error or a landed response. Whatever a server sends back is scrubbed of
the token (and of any "Bearer …") before it is logged, stored or raised: a careless server may echo the
request's headers in an error body.

Hostile answers are bounded: a JSON response is read streamed and refused beyond KBETL_API_MAX_JSON_BYTES,
the Parquet export (streamed to disk) beyond KBETL_API_MAX_EXPORT_BYTES, and a province's pull has a total
deadline (KBETL_API_DEADLINE_S) across the client's retries: each attempt's timeouts are bounded by the
time left, and no retry waits past it.
"""

import hashlib
import json
import logging
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from kbetl.settings import SettingError, positive_int, positive_number

TOKEN_ENV = "KBETL_API_TOKEN"
URL_ENV = "KBETL_API_URL"
DEADLINE_ENV = "KBETL_API_DEADLINE_S"
MAX_JSON_ENV = "KBETL_API_MAX_JSON_BYTES"
MAX_EXPORT_ENV = "KBETL_API_MAX_EXPORT_BYTES"
# A province's whole pull, every request and retry included: the largest province's export of a whole
# campaign window (tens of MB) arrives well within it, both Prefect retries (after 10 s and 60 s) still fit
# after an early failure, and a stalled server holds a nightly for two minutes, not five (docs/operations.md).
DEFAULT_DEADLINE_S = 120.0
DEFAULT_MAX_JSON_BYTES = 32 * 2**20  # one JSON response (a page of 5000 records is about 1.5 MB)
DEFAULT_MAX_EXPORT_BYTES = 512 * 2**20  # one Parquet export (a large province's 62 days: tens of MB)
RETRY_STATUSES = (429, 500, 502, 503, 504)
PERMANENT_STATUSES = (400, 401, 403, 404, 405, 410, 413, 414, 422)  # asking again gives the same answer
PAGE_RESTARTS = 3
EXPORT_CHUNK = 1 << 20
JSON_CHUNK = 1 << 16
ERROR_BODY_BYTES = 1 << 16  # what is read of an error body, for its message
BACKOFF_MAX_S = 60.0
REDACTED = "[redacted]"
_BEARER = re.compile(r"bearer\s+[^\s\"',;}\]]+", re.IGNORECASE)
_BEARER_BYTES = re.compile(rb"bearer\s+[^\s\"',;}\]]+", re.IGNORECASE)

log = logging.getLogger(__name__)


class ApiError(RuntimeError):
    """The API could not give a usable answer; the message names the URL (without secrets).
    permanent: asking again (a retry of the province) would give the same answer."""

    def __init__(self, message: str, *, permanent: bool = False, timed_out: bool = False):
        super().__init__(message)
        self.permanent = permanent or timed_out
        self.timed_out = timed_out


@dataclass(frozen=True)
class Landing:
    url: str
    status: int
    body: bytes
    sha256: str
    fetched_at: datetime


@dataclass(frozen=True)
class Export:
    """A Parquet export landed on disk, named by its content hash."""
    url: str
    path: Path
    sha256: str
    size_bytes: int
    records: int
    fetched_at: datetime
    columns: dict[str, str]  # name → type as DuckDB reads it, for the loader's check against the contract


@dataclass
class Pull:
    """Everything one resource's pages gave; page i's items came in landings[i]."""
    pages: list[list[dict]] = field(default_factory=list)
    landings: list[Landing] = field(default_factory=list)

    @property
    def items(self) -> list[dict]:
        return [item for page in self.pages for item in page]


def api_settings() -> tuple[float, int, int]:
    """The province's deadline (s), the JSON and the export limits (bytes) from the environment; a value set
    to anything but a positive number raises kbetl.settings.SettingError naming it."""
    return (positive_number(DEADLINE_ENV, DEFAULT_DEADLINE_S), positive_int(MAX_JSON_ENV, DEFAULT_MAX_JSON_BYTES),
            positive_int(MAX_EXPORT_ENV, DEFAULT_MAX_EXPORT_BYTES))


def province_deadline_s() -> float:
    return api_settings()[0]


class ReportApiClient:
    def __init__(self, base_url: str | None = None, token: str | None = None, page_size: int = 1000,
                 timeout: tuple[float, float] = (3.05, 30.0), retries: int = 5, backoff_s: float = 0.5,
                 deadline_s: float | None = None, max_json_bytes: int | None = None,
                 max_export_bytes: int | None = None):
        self.base_url = (base_url or os.environ.get(URL_ENV, "")).rstrip("/")
        token = token or os.environ.get(TOKEN_ENV)
        if not self.base_url or not token:
            raise ApiError(f"set {URL_ENV} and {TOKEN_ENV} (the report API's address and token)")
        self.page_size = page_size
        self.timeout = timeout
        self.retries = retries
        self.backoff_s = backoff_s
        try:
            settings = api_settings()
        except SettingError as exc:
            raise ApiError(str(exc), permanent=True) from None
        self.deadline_s = deadline_s or settings[0]
        self.max_json_bytes = int(max_json_bytes or settings[1])
        self.max_export_bytes = int(max_export_bytes or settings[2])
        self.deadline_at = time.time() + self.deadline_s
        self._secrets = sorted({token, json.dumps(token)[1:-1]}, key=len, reverse=True)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        # Retries are the client's own (below), bounded by the deadline; the adapter makes one attempt.
        no_retry = Retry(total=0, connect=0, read=0, redirect=0, status=0, raise_on_status=False)
        self.session.mount("http://", HTTPAdapter(max_retries=no_retry))
        self.session.mount("https://", HTTPAdapter(max_retries=no_retry))

    def close(self) -> None:
        self.session.close()

    def start_deadline(self, deadline_at: float | None = None) -> None:
        """A province's pull starts: its deadline is deadline_at (epoch seconds, e.g. set before the first of
        several attempts), else deadline_s from now."""
        self.deadline_at = deadline_at if deadline_at is not None else time.time() + self.deadline_s

    # --- scrubbing ------------------------------------------------------------------------------------

    def scrub(self, text: str) -> str:
        """The text without the token or any "Bearer …" credentials."""
        text = _BEARER.sub(REDACTED, text)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def scrub_bytes(self, body: bytes) -> bytes:
        if b"earer" in body.lower():
            body = _BEARER_BYTES.sub(REDACTED.encode(), body)
        for secret in self._secrets:
            body = body.replace(secret.encode(), REDACTED.encode())
        return body

    # --- resources ------------------------------------------------------------------------------------

    def services(self, province: str, day: date) -> Pull:
        return self._pages(f"/v1/provinces/{province}/services", {"date": day.isoformat()}, "records")

    def services_export(self, province: str, first_day: date, last_day: date, landing_dir: Path) -> Export | None:
        """The window's records as one Parquet file, streamed to landing_dir; None if the API has no export."""
        url = (f"{self.base_url}/v1/provinces/{province}/services/export?"
               f"{urlencode({'from': first_day.isoformat(), 'to': last_day.isoformat()})}")
        response = self._request(url)
        with response:
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise self._http_error(url, response)
            self._refuse_announced_size(url, response, self.max_export_bytes, MAX_EXPORT_ENV)
            landing_dir.mkdir(parents=True, exist_ok=True)
            part = landing_dir / f".{uuid.uuid4().hex}.part"
            try:
                sha256, size = self._stream_to(response, part, url)
                records, columns = _check_export(response, part, url, sha256, size)
            except BaseException:
                part.unlink(missing_ok=True)
                raise
        path = landing_dir / f"{sha256}.parquet"
        os.replace(part, path)
        return Export(url, path, sha256, size, records, datetime.now(timezone.utc), columns)

    def facilities(self, province: str, year: int) -> Pull:
        return self._pages(f"/v1/provinces/{province}/facilities", {"year": year}, "facilities")

    def targets(self, province: str, year: int) -> Pull:
        landing, body = self._get("/v1/targets", {"year": year, "province": province})
        return Pull(pages=[_list(body, "targets", landing.url)], landings=[landing])

    def _pages(self, path: str, params: dict, key: str) -> Pull:
        """All pages of a listing; starts again if the data changed while paging (bounded)."""
        for _ in range(PAGE_RESTARTS):
            pull, version, page = Pull(), None, 1
            while page is not None:
                landing, body = self._get(path, {**params, "page": page, "page_size": self.page_size})
                if version is not None and body.get("data_version") != version:
                    log.warning("data changed while paging %s (version %s → %s); starting again",
                                landing.url, self.scrub(str(version)), self.scrub(str(body.get("data_version"))))
                    break
                version = body.get("data_version")
                pull.pages.append(_list(body, key, landing.url))
                pull.landings.append(landing)
                page = body.get("next_page")
            else:
                expected = pull.landings and json.loads(pull.landings[0].body).get("total_records")
                if expected is not None and expected != sum(map(len, pull.pages)):
                    raise ApiError(f"{pull.landings[0].url}: {sum(map(len, pull.pages))} items received, "
                                   f"{self.scrub(str(expected))} announced")
                return pull
        raise ApiError(f"{self.base_url}{path}: data kept changing while paging ({PAGE_RESTARTS} attempts)")

    def _get(self, path: str, params: dict) -> tuple[Landing, dict]:
        url = f"{self.base_url}{path}?{urlencode(params)}"
        response = self._request(url)
        with response:
            if response.status_code != 200:
                raise self._http_error(url, response)
            self._refuse_announced_size(url, response, self.max_json_bytes, MAX_JSON_ENV)
            content = self.scrub_bytes(self._read_limited(response, url, self.max_json_bytes, MAX_JSON_ENV))
        landing = Landing(url, response.status_code, content, hashlib.sha256(content).hexdigest(),
                          datetime.now(timezone.utc))
        try:
            body = json.loads(content)
        except ValueError as exc:
            if content.lstrip()[:1] in (b"{", b"["):  # JSON cut short or garbled: asking again may help
                raise ApiError(f"{url}: malformed JSON body ({len(content)} bytes; {exc})") from None
            body = None
        if not isinstance(body, dict):  # an HTML page (a proxy, a login page, a wrong --api-url): the same again
            kind = response.headers.get("Content-Type", "").split(";")[0].strip() or "tanpa Content-Type"
            raise ApiError(f"{url}: jawabannya bukan objek JSON ({kind}, {len(content)} bita); periksa bahwa "
                           f"--api-url / {URL_ENV} menunjuk API laporan, bukan halaman web.", permanent=True)
        return landing, body

    # --- requests, retries, the deadline ---------------------------------------------------------------

    def _time_left(self, url: str) -> float:
        left = self.deadline_at - time.time()
        if left <= 0:
            raise self._timed_out(url)
        return left

    def _timed_out(self, url: str) -> ApiError:
        return ApiError(f"{url}: timed out after {self.deadline_s:g} s (the province's deadline, {DEADLINE_ENV})",
                        timed_out=True)

    def _request(self, url: str) -> requests.Response:
        """A streamed GET, retried on a broken connection, a timeout and RETRY_STATUSES with back-off
        (Retry-After honoured), never past the deadline; the last answer, whatever its status."""
        attempt = 0
        while True:
            left = self._time_left(url)
            try:
                response = self.session.get(url, stream=True,
                                            timeout=(min(self.timeout[0], left), min(self.timeout[1], left)))
            except requests.RequestException as exc:
                if time.time() >= self.deadline_at:
                    raise self._timed_out(url) from None
                if attempt >= self.retries:
                    raise ApiError(f"{url}: no answer after retries ({type(exc).__name__})") from None
                wait = self._backoff(attempt)
            else:
                if response.status_code not in RETRY_STATUSES or attempt >= self.retries:
                    return response
                wait = self._retry_after(response)
                wait = self._backoff(attempt) if wait is None else wait
                response.close()
            if wait >= self.deadline_at - time.time():
                raise self._timed_out(url)
            time.sleep(wait)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return 0.0 if attempt == 0 else min(BACKOFF_MAX_S, self.backoff_s * 2 ** (attempt - 1))

    @staticmethod
    def _retry_after(response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if response.status_code not in (429, 503) or not value:
            return None
        try:
            return max(0.0, Retry(0).parse_retry_after(value))
        except Exception:  # noqa: BLE001 - a malformed header is ignored, as urllib3 does
            return None

    def _http_error(self, url: str, response: requests.Response) -> ApiError:
        try:
            content = next(response.iter_content(ERROR_BODY_BYTES), b"")
        except requests.RequestException:
            content = b""
        message = self.scrub(_error_message(self.scrub_bytes(content)))
        return ApiError(f"{url}: HTTP {response.status_code} after retries: {message}",
                        permanent=response.status_code in PERMANENT_STATUSES)

    def _refuse_announced_size(self, url: str, response: requests.Response, limit: int, setting_name: str) -> None:
        announced = response.headers.get("Content-Length", "")
        if announced.isdigit() and int(announced) > limit:
            raise _too_big(url, limit, setting_name, f"{announced} bytes announced")

    def _read_limited(self, response: requests.Response, url: str, limit: int, setting_name: str) -> bytes:
        """The body, read streamed; refused as soon as it passes the limit (never held beyond it)."""
        content = bytearray()
        try:
            for chunk in response.iter_content(JSON_CHUNK):
                content += chunk
                if len(content) > limit:
                    raise _too_big(url, limit, setting_name, "the transfer was stopped there")
                if time.time() >= self.deadline_at:
                    raise self._timed_out(url)
        except requests.RequestException as exc:
            raise self._broken_off(url, len(content), exc) from None
        return bytes(content)

    def _stream_to(self, response: requests.Response, path: Path, url: str) -> tuple[str, int]:
        """The export to disk, hashed as it comes; refused beyond its limit, or if it carries the token."""
        digest, size, tail = hashlib.sha256(), 0, b""
        secrets = [s.encode() for s in self._secrets]
        overlap = max(map(len, secrets)) - 1
        try:
            with path.open("wb") as out:
                for chunk in response.iter_content(EXPORT_CHUNK):
                    size += len(chunk)
                    if size > self.max_export_bytes:
                        raise _too_big(url, self.max_export_bytes, MAX_EXPORT_ENV, "the transfer was stopped there")
                    window = tail + chunk
                    if any(s in window for s in secrets):
                        raise ApiError(f"{url}: the export carries the API token back; refused", permanent=True)
                    tail = window[-overlap:] if overlap else b""
                    digest.update(chunk)
                    out.write(chunk)
                    if time.time() >= self.deadline_at:
                        raise self._timed_out(url)
        except requests.RequestException as exc:
            raise self._broken_off(url, size, exc) from None
        return digest.hexdigest(), size

    def _broken_off(self, url: str, received: int, exc: Exception) -> ApiError:
        if time.time() >= self.deadline_at:
            return self._timed_out(url)
        return ApiError(f"{url}: the transfer broke off after {received} bytes ({type(exc).__name__})")


def _too_big(url: str, limit: int, setting_name: str, detail: str) -> ApiError:
    return ApiError(f"{url}: refused, the response is more than {limit} bytes ({setting_name}) ({detail})",
                    permanent=True)


def _check_export(response: requests.Response, path: Path, url: str, sha256: str,
                  size: int) -> tuple[int, dict[str, str]]:
    """The number of records and the columns' types, once the file is whole (its announced hash) and is the
    Parquet it claims to be. (Read here, in the pulling thread, so that the loader need not open the file.)"""
    announced = response.headers.get("X-Content-SHA256")
    if announced and announced != sha256:
        raise ApiError(f"{url}: the {size} bytes received do not match the announced SHA-256 (cut short?)")
    try:
        records, columns = parquet_facts(path)
    except duckdb.Error as exc:
        raise ApiError(f"{url}: not a readable Parquet file ({size} bytes; {exc})") from None
    expected = response.headers.get("X-Total-Records")
    if expected is not None and (not expected.isdigit() or int(expected) != records):
        raise ApiError(f"{url}: {records} records received, {expected[:40]!r} announced")
    return records, columns


def parquet_facts(path: Path) -> tuple[int, dict[str, str]]:
    """A Parquet file's number of rows and its columns' types as DuckDB reads them."""
    con = duckdb.connect()
    try:
        records = con.execute("select sum(num_rows) from parquet_file_metadata(?)", [str(path)]).fetchone()[0]
        columns = dict(con.execute("select column_name, column_type from (describe select * from read_parquet(?))",
                                   [str(path)]).fetchall())
    finally:
        con.close()
    return int(records or 0), columns


def _list(body: dict, key: str, url: str) -> list[dict]:
    items = body.get(key)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError(f"{url}: the body has no list of objects under {key!r}")
    return items


def _error_message(content: bytes) -> str:
    try:
        error = json.loads(content)["error"]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return content[:200].decode("utf-8", errors="replace")
