"""A small local OpenAI-compatible chat endpoint for tests: stdlib http.server in a thread on
127.0.0.1, answering each request from a script of replies (bounded, offline)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeLLM:
    """Serves /v1/chat/completions. `replies`: what each request gets, in order (the last one
    repeats): a dict (sent as the message content, JSON-encoded), a str (sent as is), or
    ("status", code) / ("sleep", seconds) / ("raw", body)."""

    def __init__(self, replies: list[object]) -> None:
        self.replies = list(replies)
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                fake.requests.append(
                    {"path": self.path, "body": json.loads(self.rfile.read(length))}
                )
                reply = fake.replies[min(len(fake.requests), len(fake.replies)) - 1]
                fake.respond(self, reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def respond(self, handler: BaseHTTPRequestHandler, reply: object) -> None:
        if isinstance(reply, tuple) and reply[0] == "sleep":
            time.sleep(float(reply[1]))
            reply = {"kind": "question", "question": "describe"}
        if isinstance(reply, tuple) and reply[0] == "status":
            handler.send_response(int(reply[1]))
            handler.end_headers()
            return
        if isinstance(reply, tuple) and reply[0] == "raw":
            body = str(reply[1]).encode()
        else:
            content = reply if isinstance(reply, str) else json.dumps(reply)
            body = json.dumps(
                {"choices": [{"message": {"role": "assistant", "content": content}}]}
            ).encode()
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
