"""Receivers for delivery tests, on 127.0.0.1 and a free port: an SMTP server (aiosmtpd) and a JSON webhook
(http.server), each started and stopped by the test, keeping what arrived."""

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class SmtpReceiver:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def url(self, to: str = "coordinators@example.org") -> str:
        return f"mailto://{HOST}:{self.port}?from=kbetl@example.org&to={to}&mode=insecure"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"

    def bodies(self) -> list[str]:
        """The decoded text/plain body of each message."""
        return [m.get_body(preferencelist=("plain",)).get_content() for m in self.messages]


@contextmanager
def smtp_receiver(port: int | None = None) -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver(port or free_port())
    controller = Controller(receiver, hostname=HOST, port=receiver.port)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()


@dataclass
class WebhookReceiver:
    port: int
    path: str = "/kbetl"
    payloads: list[dict] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)

    def url(self) -> str:
        return f"json://{HOST}:{self.port}{self.path}"


@contextmanager
def webhook_receiver(port: int | None = None, path: str = "/kbetl") -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(port or free_port(), path)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path != receiver.path:
                self.send_response(404)
            else:
                receiver.raw.append(body)
                receiver.payloads.append(json.loads(body))
                self.send_response(200)
            self.end_headers()

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer((HOST, receiver.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
