"""Real stand-ins for the outside world: an SMTP server (aiosmtpd) and a Bot API (http.server),
each on a free local port, started per test."""

from __future__ import annotations

import asyncio
import email
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller
from pytest_django.fixtures import Settings as SettingsWrapper

BOT_TOKEN = "123456:TEST-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpRecorder:
    """An aiosmtpd handler that keeps every message it accepts.

    ``hold_at``: when the n-th message arrives, keep it (it is recorded, as the server has it)
    but do not answer until ``release`` is set, so a test can kill the client mid-send.
    """

    def __init__(self, hold_at: int | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.hold_at = hold_at
        self.held = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        if self.hold_at is not None and len(self.messages) == self.hold_at:
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    port: int
    recorder: SmtpRecorder
    controller: Controller

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages


def start_smtp(recorder: SmtpRecorder | None = None) -> SmtpServer:
    recorder = recorder or SmtpRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    return SmtpServer(port=port, recorder=recorder, controller=controller)


@pytest.fixture
def smtp_server(settings: SettingsWrapper) -> Iterator[SmtpServer]:
    server = start_smtp()
    # pytest-django switches mail to the in-memory backend; these tests want the real one.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    try:
        yield server
    finally:
        server.recorder.release.set()
        server.controller.stop()


@dataclass
class BotRequest:
    path: str
    content_type: str
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """The fields of a form-encoded or multipart request (files as their file name)."""
        if self.content_type.startswith("application/x-www-form-urlencoded"):
            return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}
        return {
            str(part.get_param("name", header="content-disposition")): (
                part.get_filename() or part.get_content()
            )
            for part in self.parts
        }

    @property
    def parts(self) -> list[EmailMessage]:
        head = f"Content-Type: {self.content_type}\r\n\r\n".encode()
        parsed = email.message_from_bytes(head + self.body, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return [p for p in parsed.iter_parts() if isinstance(p, EmailMessage)]


@dataclass
class BotApi:
    url: str
    requests: list[BotRequest] = field(default_factory=list)
    # Answers to give, in order: (HTTP status, JSON body). When empty, every call succeeds.
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def bot_api(settings: SettingsWrapper) -> Iterator[BotApi]:
    api = BotApi(url="")
    counter = iter(range(1000, 10**6))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            api.requests.append(
                BotRequest(
                    path=self.path,
                    content_type=self.headers.get("Content-Type", ""),
                    body=self.rfile.read(length),
                )
            )
            status, payload = (
                api.answers.pop(0)
                if api.answers
                else (200, {"ok": True, "result": {"message_id": next(counter)}})
            )
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.TELEGRAM_API_URL = api.url
    settings.TELEGRAM_BOT_TOKEN = BOT_TOKEN
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
