"""kg.remote: a request the server aborted with a deadlock (Virtuoso SR172) is sent again; other errors are not."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kg import remote


def _server(responses):
    calls = []

    class H(BaseHTTPRequestHandler):
        def do_PUT(self):
            n = int(self.headers.get("Content-Length") or 0)
            calls.append(self.rfile.read(n))
            code, body = responses[min(len(calls), len(responses)) - 1]
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, calls


def test_deadlock_is_retried(monkeypatch):
    monkeypatch.setattr(remote.time, "sleep", lambda s: None)
    dead = (500, b"<h3>Error 40001</h3> <xmp>SR172: Transaction deadlocked</xmp>")
    srv, calls = _server([dead, dead, (201, b"")])
    try:
        url = f"http://127.0.0.1:{srv.server_port}/gs?graph=x"
        assert remote._request(remote._opener(url, None, None), "PUT", url, b"<a> <b> <c> .", "text/turtle") == 201
        assert len(calls) == 3 and set(calls) == {b"<a> <b> <c> ."}
    finally:
        srv.shutdown()


def test_other_server_errors_are_not_retried(monkeypatch):
    monkeypatch.setattr(remote.time, "sleep", lambda s: None)
    srv, calls = _server([(500, b"SP031: syntax error")])
    try:
        url = f"http://127.0.0.1:{srv.server_port}/gs?graph=x"
        with pytest.raises(remote.RemoteError, match="HTTP 500.*SP031"):
            remote._request(remote._opener(url, None, None), "PUT", url, b"x", "text/turtle")
        assert len(calls) == 1
    finally:
        srv.shutdown()
