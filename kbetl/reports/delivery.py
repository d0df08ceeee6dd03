"""Delivering the daily digest through Apprise: recipients are data (a CSV of scope → the NAME of an
environment variable holding Apprise URLs), every attempt is recorded in audit.digest_deliveries of the
working database, and a digest that failed is sent again at the next run until it is delivered.

No URL ever leaves this module: not in a message, a log line, an error, the audit table or a return value.
Apprise's own log records (which name hosts, users and tokens) are kept from the application's loggers
while a digest is sent; its warnings become the recorded error, scrubbed of the URL and of its parts.
A failed send never raises: it is returned and recorded.
"""

import csv
import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from kbetl.reports.digest import NoDigest, digest_html, digest_subject, digest_text
from kbetl.warehouse.database import WarehouseLocked, connect

RECIPIENTS_CSV = Path(__file__).resolve().parents[1] / "reference" / "data" / "digest_recipients.csv"  # an example
RECIPIENTS_ENV = "KBETL_DIGEST_RECIPIENTS"  # the recipients CSV of this installation
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
SCOPE_CODE = re.compile(r"^(\d{2}|\d{4})$")
EMAIL_SCHEMES = {"mailto", "mailtos"}
MAX_ERROR_CHARS = 300
_APPRISE_LOG_LOCK = threading.Lock()
QUIET_LOGGERS = ("apprise", "urllib3", "requests")  # apprise first: its warnings are the recorded error
CAUSE_PREFIX = "Socket Exception: "  # how Apprise's plugins log the exception a provider raised (DEBUG)


@dataclass(frozen=True)
class Recipient:
    scope_code: str  # province (2 digits) or kabupaten/kota (4 digits); '00' the nation
    url_env: str  # the NAME of the environment variable holding the Apprise URL(s)


@dataclass
class Delivery:
    digest_date: Date
    recipient: Recipient
    status: str  # 'delivered', 'failed', 'printed' (dry run) or 'no_digest' (no published data that day)
    error: str | None = None
    text: str | None = None


def recipients_file() -> Path | None:
    """The recipients CSV set for this installation ($KBETL_DIGEST_RECIPIENTS), if any."""
    return Path(os.environ[RECIPIENTS_ENV]) if os.environ.get(RECIPIENTS_ENV) else None


class RecipientsError(ValueError):
    """A recipients CSV that cannot be used (the message, for people, never repeats a cell's content)."""


def read_recipients(path: Path = RECIPIENTS_CSV) -> list[Recipient]:
    """Rows of scope_code,url_env (lines starting with # are comments; a spreadsheet's BOM is ignored). A
    cell that is not a variable name is refused without being repeated (it might be a URL someone pasted)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            lines = [(number, line) for number, line in enumerate(handle, start=1)
                     if line.strip() and not line.lstrip().startswith("#")]
    except UnicodeDecodeError:
        raise RecipientsError(f"{path.name} bukan teks UTF-8: simpan ulang sebagai CSV UTF-8 dengan kolom "
                              "scope_code,url_env.") from None
    except OSError as exc:
        raise RecipientsError(f"{path.name} tidak dapat dibaca ({exc.strerror}).") from None
    rows = csv.reader(line for _, line in lines)
    header = [cell.strip().lower() for cell in next(rows, [])]
    if "scope_code" not in header or "url_env" not in header:
        raise RecipientsError(f"{path.name} baris {lines[0][0] if lines else 1}: judul kolom harus "
                              "scope_code,url_env.")
    scope_at, name_at = header.index("scope_code"), header.index("url_env")
    recipients = []
    for (number, _), row in zip(lines[1:], rows):
        scope = row[scope_at].strip() if scope_at < len(row) else ""
        name = row[name_at].strip() if name_at < len(row) else ""
        if not SCOPE_CODE.match(scope):
            raise RecipientsError(f"{path.name} baris {number}: scope_code harus kode provinsi (2 angka), "
                                  "kabupaten/kota (4 angka) atau 00 untuk nasional.")
        if not ENV_NAME.match(name):
            raise RecipientsError(f"{path.name} baris {number}: url_env harus NAMA variabel lingkungan (A-Z, 0-9, "
                                  "_) yang berisi URL Apprise, bukan URL-nya (isi sel tidak ditampilkan).")
        recipients.append(Recipient(scope, name))
    return list(dict.fromkeys(recipients))


def send_digests(db_working_path: Path, published_path: Path, date: Date, recipients_csv: Path = RECIPIENTS_CSV,
                 *, dry_run: bool = False, env: Mapping[str, str] | None = None,
                 echo: Callable[[str], None] = print) -> list[Delivery]:
    """Sends the digests of `date` not yet delivered, and again those of earlier days that failed and were
    never delivered (to recipients still listed). Returns every attempt; raises only for a recipients file
    that cannot be read (RecipientsError). A dry run prints each digest instead and records nothing."""
    env = os.environ if env is None else env
    recipients = read_recipients(recipients_csv)
    due, delivered = _due(db_working_path, date, recipients)
    if not due:
        return []
    deliveries = []
    try:
        published = connect(published_path, read_only=True)
    except Exception as exc:  # no published file yet: everything due stays due
        failed = [Delivery(day, r, "failed", f"published database {published_path.name} unreadable: "
                                             f"{type(exc).__name__}") for day, r in due]
        if dry_run:
            echo(f"no digest: published database {published_path} unreadable ({type(exc).__name__})")
            return failed
        return _record(db_working_path, failed, echo)
    try:
        texts: dict[tuple[Date, str, Date | None], str | Exception] = {}
        for day, recipient in due:
            # the change is told since the last digest this recipient got (by default: yesterday's)
            since = max((d for d in delivered.get(recipient, ()) if d < day), default=None)
            key = (day, recipient.scope_code, since)
            if key not in texts:
                try:
                    texts[key] = digest_text(published, day, *_scope_args(recipient.scope_code), since=since)
                except Exception as exc:
                    texts[key] = exc
            deliveries.append(_deliver(day, recipient, texts[key], env, dry_run, echo))
    finally:
        published.close()
    return deliveries if dry_run else _record(db_working_path, deliveries, echo)


def _scope_args(code: str) -> tuple[str | None, str | None]:
    if code == "00":
        return None, None
    return (code, None) if len(code) == 2 else (None, code)


def _due(db_working_path: Path, date: Date, recipients: list[Recipient]
         ) -> tuple[list[tuple[Date, Recipient]], dict[Recipient, list[Date]]]:
    """What is due (failed earlier and never delivered, then today's), and the days delivered to each."""
    listed = set(recipients)
    con = connect(db_working_path)
    try:
        rows = con.execute(
            """select digest_date, scope_code, recipient,
                      bool_or(status = 'delivered') as delivered, bool_or(status = 'failed') as failed
               from audit.digest_deliveries group by all""").fetchall()
    finally:
        con.close()
    done = {(d, s, r) for d, s, r, delivered, _ in rows if delivered}
    retry = sorted({(d, Recipient(s, r)) for d, s, r, delivered, failed in rows
                    if failed and not delivered and d != date and Recipient(s, r) in listed},
                   key=lambda x: (x[0], x[1].scope_code, x[1].url_env))
    today = [(date, r) for r in recipients if (date, r.scope_code, r.url_env) not in done]
    delivered: dict[Recipient, list[Date]] = {}
    for day, scope, name in done:
        delivered.setdefault(Recipient(scope, name), []).append(day)
    return retry + today, delivered


def _deliver(day: Date, recipient: Recipient, text: str | Exception, env: Mapping[str, str], dry_run: bool,
             echo: Callable[[str], None]) -> Delivery:
    if isinstance(text, NoDigest):
        return Delivery(day, recipient, "no_digest", str(text))
    if isinstance(text, Exception):
        return Delivery(day, recipient, "failed", _scrub(f"digest not built: {type(text).__name__}: {text}", []))
    if dry_run:
        echo(f"--- digest {day.isoformat()} {recipient.scope_code} → ${recipient.url_env} ({len(text)} chars)\n"
             f"{text}")
        return Delivery(day, recipient, "printed", text=text)
    urls = env.get(recipient.url_env, "").strip()
    if not urls:
        return Delivery(day, recipient, "failed", f"environment variable {recipient.url_env} is not set", text)
    try:
        error = _send(urls, text)
    except Exception as exc:  # Apprise should not raise; if it does, it is one more failure
        error = f"{type(exc).__name__}: {exc}"
    if error is None:
        return Delivery(day, recipient, "delivered", text=text)
    return Delivery(day, recipient, "failed", _scrub(error, _secrets(urls)), text)


def _send(urls: str, text: str) -> str | None:
    """Sends `text` to every URL in `urls`; None when all accepted it, else what went wrong (unscrubbed)."""
    import apprise

    asset = apprise.AppriseAsset(app_id="kbetl", app_desc="kbetl digest", app_url="")
    subject = digest_subject(text)
    with _apprise_log() as warnings:
        servers = apprise.Apprise(asset=asset)
        if not servers.add(urls):
            return "not a valid Apprise URL (or an unsupported scheme)"
        failed = 0
        for server in servers:
            single = apprise.Apprise(asset=asset)
            single.add(server)
            email = server.protocol in EMAIL_SCHEMES or server.secure_protocol in EMAIL_SCHEMES
            # the digest's first line is its title; only an e-mail gets it again, as the subject, and an HTML
            # part of our own (Apprise makes the plain part from it, equal to the text)
            if email:
                sent = single.notify(body=digest_html(text), title=subject, body_format=apprise.NotifyFormat.HTML)
            else:
                sent = single.notify(body=text, title="", body_format=apprise.NotifyFormat.TEXT)
            if not sent:
                failed += 1
    if not failed:
        return None
    return "; ".join(dict.fromkeys(warnings)) or f"{failed} of {len(servers)} service(s) refused the digest"


@contextmanager
def _apprise_log():
    """Apprise's warnings and the provider's cause, collected; meanwhile no record of Apprise or of the HTTP
    library under it (which logs hosts, ports, paths and query strings at DEBUG) reaches the application's
    handlers. Apprise logs the cause a provider gave ("SMTP AUTH extension not supported by server.") only at
    DEBUG, as "Socket Exception: …", after its warning: Apprise's logger is set to DEBUG for the send and
    those records alone are kept of its DEBUG ones."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            message = record.getMessage()
            if record.levelno >= logging.WARNING:
                messages.append(message)
            elif message.startswith(CAUSE_PREFIX) and messages:
                messages[-1] += f": {message.removeprefix(CAUSE_PREFIX).strip()}"

    handler, silent = Collect(level=logging.DEBUG), logging.NullHandler()  # (no fallback to stderr)
    with _APPRISE_LOG_LOCK:
        propagate = [logger.propagate for logger in loggers]
        level = loggers[0].level
        for logger in loggers:
            logger.propagate = False
            logger.addHandler(silent)
        loggers[0].addHandler(handler)
        loggers[0].setLevel(logging.DEBUG)
        try:
            yield messages
        finally:
            loggers[0].setLevel(level)
            loggers[0].removeHandler(handler)
            for logger, before in zip(loggers, propagate):
                logger.removeHandler(silent)
                logger.propagate = before


def _secrets(urls: str) -> list[str]:
    """The URLs and every part of them that could be a secret (user, password, host, path, query values)."""
    found = []
    for url in re.split(r"[\s,]+", urls):
        if not url:
            continue
        found.append(url)
        parts = urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)
        found += [parts.netloc, *netloc[0].split(":")] if len(netloc) == 2 else [parts.netloc]
        found += [parts.hostname or "", parts.username or "", parts.password or "", _port(parts)]
        found += [p for p in parts.path.split("/") if p]
        found += [v for _, v in parse_qsl(parts.query)] + [parts.fragment]
    variants = set()
    for s in found:
        for v in (s, unquote(s), quote(s, safe=""), quote(unquote(s), safe="@")):
            if len(v) >= 3:
                variants.add(v)
    return sorted(variants, key=len, reverse=True)


def _port(parts) -> str:
    """The port of a URL ('' without one, or a malformed one): the provider's cause names it."""
    try:
        return str(parts.port or "")
    except ValueError:
        return ""


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    text = re.sub(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+", "<url>", text)
    return text[:MAX_ERROR_CHARS]


def _record(db_working_path: Path, deliveries: list[Delivery], echo: Callable[[str], None]) -> list[Delivery]:
    """Every delivered or failed attempt into audit.digest_deliveries (days without a digest are not)."""
    rows = [(d.digest_date, d.recipient.scope_code, d.recipient.url_env, datetime.now(timezone.utc), d.status,
             d.error, len(d.text) if d.text else None,
             hashlib.sha256(d.text.encode()).hexdigest() if d.text else None)
            for d in deliveries if d.status in ("delivered", "failed")]
    if not rows:
        return deliveries
    try:
        con = connect(db_working_path)
    except WarehouseLocked as exc:  # the sends happened; say so, do not raise into the caller's run
        echo(f"digest deliveries not recorded: {exc}")
        return deliveries
    try:
        con.executemany("insert into audit.digest_deliveries values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    finally:
        con.close()
    return deliveries


def nothing_delivered(deliveries: list[Delivery]) -> bool:
    """Digests were due and every one of them failed."""
    return any(d.status == "failed" for d in deliveries) and not any(d.status == "delivered" for d in deliveries)


def delivery_summary(deliveries: list[Delivery]) -> str:
    """One line per attempt, for a run's log: scope, variable name, status, scrubbed error."""
    if not deliveries:
        return "digests: nothing due"
    return "\n".join(f"digest {d.digest_date.isoformat()} {d.recipient.scope_code} → ${d.recipient.url_env}: "
                     f"{d.status}" + (f" ({d.error})" if d.error else "") for d in deliveries)
