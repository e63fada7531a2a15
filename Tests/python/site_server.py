"""A small HTTP server of the tests' own, on loopback: it serves files, redirects, receives webhooks
(failing, or holding the answer back, on purpose when told to) and counts every request, so a test
can tell whether Quarry connected at all."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Site:
    def __init__(self, host="127.0.0.1"):
        self.files = {}          # path -> (bytes, content type)
        self.redirects = {}      # path -> location
        self.hooks = []          # received webhook requests: (path, headers, body)
        self.fail_next = {}      # path -> how many more requests to answer 500
        self.hold = {}           # path -> threading.Event: POSTs wait for it before they are answered
        self.requests = []       # every path requested, in order
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                with site.lock:
                    site.requests.append(self.path)
                if self.path in site.redirects:
                    self.send_response(302)
                    self.send_header("Location", site.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                found = site.files.get(self.path)
                if found is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body, content_type = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with site.lock:
                    site.requests.append(self.path)
                    held = site.hold.get(self.path)
                if held is not None:
                    held.wait(timeout=60)
                with site.lock:
                    failing = site.fail_next.get(self.path, 0)
                    if failing:
                        site.fail_next[self.path] = failing - 1
                    else:
                        site.hooks.append((self.path, dict(self.headers), body))
                try:
                    self.send_response(500 if failing else 200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender died while the answer was held back

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self, path):
        with self.lock:
            return [(headers, json.loads(body)) for p, headers, body in self.hooks if p == path]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
