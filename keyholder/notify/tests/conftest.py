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
    def json(self) -> dict[str, Any]:
        """The parameters of a JSON request (the binding's calls send JSON)."""
        data = json.loads(self.body or b"{}")
        assert isinstance(data, dict)
        return data

    @property
    def params(self) -> dict[str, Any]:
        """The parameters, whether sent as JSON or as a form."""
        if self.content_type.startswith("application/json"):
            return self.json
        return dict(self.form) if self.body else {}

    @property
    def method(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def parts(self) -> list[EmailMessage]:
        head = f"Content-Type: {self.content_type}\r\n\r\n".encode()
        parsed = email.message_from_bytes(head + self.body, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return [p for p in parsed.iter_parts() if isinstance(p, EmailMessage)]


BOT_USERNAME = "keyholder_test_bot"
# The methods that deliver messages: recorded in ``requests`` and answered from ``answers``.
SENDING = {"sendMessage", "sendDocument"}


@dataclass
class BotApi:
    url: str
    # sendMessage and sendDocument, in order.
    requests: list[BotRequest] = field(default_factory=list)
    # Answers to give to those, in order: (HTTP status, JSON body). When empty, they succeed.
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    # Every other call (getMe, getUpdates, getChat...), in order.
    calls: list[BotRequest] = field(default_factory=list)
    # The chats getChat knows (by id as text); any other is "chat not found".
    chats: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Updates waiting for getUpdates; those below the offset asked are dropped, as Telegram does.
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 500_000

    def know_chat(self, chat_id: int | str) -> None:
        self.chats[str(chat_id)] = {"id": int(chat_id), "type": "private"}

    def make_update(self, chat_id: int, text: str, language_code: str = "ru") -> dict[str, Any]:
        """A private message ``text`` from ``chat_id``, as Telegram sends it."""
        self.next_update_id += 1
        return {
            "update_id": self.next_update_id,
            "message": {
                "message_id": self.next_update_id,
                "date": 1_800_000_000,
                "chat": {"id": chat_id, "type": "private", "first_name": "Owner"},
                "from": {
                    "id": chat_id,
                    "is_bot": False,
                    "first_name": "Owner",
                    "language_code": language_code,
                },
                "text": text,
            },
        }

    def queue_text(self, chat_id: int, text: str, language_code: str = "ru") -> dict[str, Any]:
        """Queue an update for getUpdates; returns it (a webhook test posts it itself)."""
        update = self.make_update(chat_id, text, language_code)
        self.updates.append(update)
        return update

    def sent_texts(self, chat_id: int | str) -> list[str]:
        """The texts sent to ``chat_id`` with sendMessage (by the outbox or as an answer)."""
        return [
            str(r.params["text"])
            for r in self.requests
            if r.method == "sendMessage" and str(r.params["chat_id"]) == str(chat_id)
        ]

    def answer(self, request: BotRequest) -> tuple[int, dict[str, Any]]:
        """What the stand-in answers to a call other than sending."""
        params = request.params
        if request.method == "getMe":
            return 200, {
                "ok": True,
                "result": {"id": 123456, "is_bot": True, "username": BOT_USERNAME},
            }
        if request.method == "getChat":
            chat = self.chats.get(str(params.get("chat_id")))
            if chat is None:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: chat not found",
                }
            return 200, {"ok": True, "result": chat}
        if request.method == "getUpdates":
            offset = params.get("offset")
            if offset is not None:
                self.updates = [u for u in self.updates if u["update_id"] >= int(offset)]
            return 200, {"ok": True, "result": list(self.updates)}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}


@pytest.fixture
def bot_api(settings: SettingsWrapper) -> Iterator[BotApi]:
    api = BotApi(url="")
    counter = iter(range(1000, 10**6))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            request = BotRequest(
                path=self.path,
                content_type=self.headers.get("Content-Type", ""),
                body=self.rfile.read(length),
            )
            if request.method in SENDING:
                api.requests.append(request)
                status, payload = (
                    api.answers.pop(0)
                    if api.answers
                    else (200, {"ok": True, "result": {"message_id": next(counter)}})
                )
            else:
                api.calls.append(request)
                status, payload = api.answer(request)
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
