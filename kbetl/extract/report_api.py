"""Client of the regional report API (docs/api.md): paging, retries, timeouts, landing every response.

The token comes from the environment (KBETL_API_TOKEN) and goes only into the Authorization header:
never into a URL, a log line, an error or a landed response.
"""

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from urllib.parse import urlencode

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TOKEN_ENV = "KBETL_API_TOKEN"
URL_ENV = "KBETL_API_URL"
RETRY_STATUSES = (429, 500, 502, 503, 504)
PAGE_RESTARTS = 3

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
