#!/usr/bin/python3
"""A tiny stand-in for an agent engine, for tests.

Serves HTTP on 127.0.0.1 (port from argv[1], default 18789) inside the sandbox:
  GET /healthz  -> 200 "ok"
  GET /crash    -> 200, then the process exits with code 3
  anything else -> 200 with a JSON echo of the request (method, path, headers, body)
Logs one line per request to stdout, and at start `env NAME=value` for each name listed in
TEST_ENGINE_PRINT_ENV (comma-separated), as a careless engine might print its secrets. With --ignore-sigterm it ignores SIGTERM (to test the
supervisor's kill after the grace period); otherwise SIGTERM makes it exit 0.
Runs on the system's /usr/bin/python3 with the standard library only.
"""
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = [a for a in sys.argv[1:] if not a.startswith("--")]
PORT = int(args[0]) if args else 18789


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _reply(self, code, body, content_type="application/json"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode(errors="replace") if length else ""
        print(f"request {self.command} {self.path}", flush=True)
        if self.path == "/healthz":
            self._reply(200, "ok", "text/plain")
        elif self.path == "/crash":
            self._reply(200, "crashing", "text/plain")
            print("crash requested, exiting with code 3", flush=True)
            os._exit(3)
        else:
            echo = {"method": self.command, "path": self.path,
                    "headers": dict(self.headers.items()), "body": body,
                    "hostname": os.uname().nodename}
            self._reply(200, json.dumps(echo, sort_keys=True))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def log_message(self, format, *args):
        pass  # one line per request is printed by _handle


def main():
    if "--ignore-sigterm" in sys.argv:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    token = "set" if os.environ.get("GATEWAY_TOKEN") else "not set"
    print(f"test engine listening on {PORT} (uid {os.getuid()}, gateway token {token})",
          flush=True)
    print("test engine writes to stderr too", file=sys.stderr, flush=True)
    for name in filter(None, os.environ.get("TEST_ENGINE_PRINT_ENV", "").split(",")):
        print(f"env {name}={os.environ.get(name, '')}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
