"""The client of the regional report API (docs/api.md): paging, retries, timeouts, landing every response.

The token comes from the environment (KBETL_API_TOKEN) and goes only into the Authorization header:
never into a URL, a log line, an error or a landed response.
"""

import hashlib
import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TOKEN_ENV = "KBETL_API_TOKEN"
URL_ENV = "KBETL_API_URL"
RETRY_STATUSES = (429, 500, 502, 503, 504)
PAGE_RESTARTS = 3
EXPORT_CHUNK = 1 << 20

log = logging.getLogger(__name__)


class ApiError(RuntimeError):
    """The API could not give a usable answer; the message names the URL (without secrets)."""


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


@dataclass
class Pull:
    """Everything one resource's pages gave; page i's items came in landings[i]."""
    pages: list[list[dict]] = field(default_factory=list)
    landings: list[Landing] = field(default_factory=list)

    @property
    def items(self) -> list[dict]:
        return [item for page in self.pages for item in page]


class ReportApiClient:
    def __init__(self, base_url: str | None = None, token: str | None = None, page_size: int = 1000,
                 timeout: tuple[float, float] = (3.05, 30.0), retries: int = 5, backoff_s: float = 0.5):
        self.base_url = (base_url or os.environ.get(URL_ENV, "")).rstrip("/")
        token = token or os.environ.get(TOKEN_ENV)
        if not self.base_url or not token:
            raise ApiError(f"set {URL_ENV} and {TOKEN_ENV} (the report API's address and token)")
        self.page_size = page_size
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff_s,
                      status_forcelist=RETRY_STATUSES, allowed_methods=frozenset({"GET"}),
                      respect_retry_after_header=True, raise_on_status=False)
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))

    def close(self) -> None:
        self.session.close()

    def services(self, province: str, day: date) -> Pull:
        return self._pages(f"/v1/provinces/{province}/services", {"date": day.isoformat()}, "records")

    def services_export(self, province: str, first_day: date, last_day: date, landing_dir: Path) -> Export | None:
        """The window's records as one Parquet file, streamed to landing_dir; None if the API has no export."""
        url = (f"{self.base_url}/v1/provinces/{province}/services/export?"
               f"{urlencode({'from': first_day.isoformat(), 'to': last_day.isoformat()})}")
        try:
            response = self.session.get(url, timeout=self.timeout, stream=True)
        except requests.RequestException as exc:
            raise ApiError(f"{url}: no answer after retries ({type(exc).__name__})") from None
        with response:
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise ApiError(f"{url}: HTTP {response.status_code} after retries: {_error_message(response.content)}")
            landing_dir.mkdir(parents=True, exist_ok=True)
            part = landing_dir / f".{uuid.uuid4().hex}.part"
            try:
                sha256, size = _stream_to(response, part, url)
                export = _check_export(response, part, url, sha256, size)
            except BaseException:
                part.unlink(missing_ok=True)
                raise
        path = landing_dir / f"{sha256}.parquet"
        os.replace(part, path)
        return Export(url, path, sha256, size, export, datetime.now(timezone.utc))

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
                                landing.url, version, body.get("data_version"))
                    break
                version = body.get("data_version")
                pull.pages.append(_list(body, key, landing.url))
                pull.landings.append(landing)
                page = body.get("next_page")
            else:
                expected = pull.landings and json.loads(pull.landings[0].body).get("total_records")
                if expected is not None and expected != sum(map(len, pull.pages)):
                    raise ApiError(f"{pull.landings[0].url}: {sum(map(len, pull.pages))} items received, "
                                   f"{expected} announced")
                return pull
        raise ApiError(f"{self.base_url}{path}: data kept changing while paging ({PAGE_RESTARTS} attempts)")

    def _get(self, path: str, params: dict) -> tuple[Landing, dict]:
        url = f"{self.base_url}{path}?{urlencode(params)}"
        try:
            response = self.session.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ApiError(f"{url}: no answer after retries ({type(exc).__name__})") from None
        landing = Landing(url, response.status_code, response.content, hashlib.sha256(response.content).hexdigest(),
                          datetime.now(timezone.utc))
        if response.status_code != 200:
            raise ApiError(f"{url}: HTTP {response.status_code} after retries: {_error_message(response.content)}")
        try:
            body = json.loads(response.content)
        except ValueError as exc:
            raise ApiError(f"{url}: malformed JSON body ({len(response.content)} bytes; {exc})") from None
        if not isinstance(body, dict):
            raise ApiError(f"{url}: expected a JSON object, got {type(body).__name__}")
        return landing, body


def _stream_to(response: requests.Response, path: Path, url: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("wb") as out:
            for chunk in response.iter_content(EXPORT_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except requests.RequestException as exc:
        raise ApiError(f"{url}: the transfer broke off after {size} bytes ({type(exc).__name__})") from None
    return digest.hexdigest(), size


def _check_export(response: requests.Response, path: Path, url: str, sha256: str, size: int) -> int:
    """The number of records, once the file is whole (its announced hash) and is the Parquet it claims to be."""
    announced = response.headers.get("X-Content-SHA256")
    if announced and announced != sha256:
        raise ApiError(f"{url}: the {size} bytes received do not match the announced SHA-256 (cut short?)")
    try:
        con = duckdb.connect()
        try:
            records = con.execute("select sum(num_rows) from parquet_file_metadata(?)", [str(path)]).fetchone()[0]
        finally:
            con.close()
    except duckdb.Error as exc:
        raise ApiError(f"{url}: not a readable Parquet file ({size} bytes; {exc})") from None
    expected = response.headers.get("X-Total-Records")
    if expected is not None and int(expected) != records:
        raise ApiError(f"{url}: {records} records received, {expected} announced")
    return int(records)


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
