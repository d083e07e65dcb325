"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 in a thread.

``behaviours`` is a list of what to do with the next requests, one item each: "ok" (204),
"500", "redirect" (302), "slow" (sleep longer than the client waits), "drop" (close the
connection without an answer). When empty, the server answers "ok".
"""

import http.server
import threading
import time


class Receiver:
    def __init__(self):
        self.behaviours = []
        self.requests = []  # (behaviour, headers, body) of every request
        self.arrived = threading.Event()
        self.slow_seconds = 3.0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                behaviour = receiver.behaviours.pop(0) if receiver.behaviours else "ok"
                receiver.requests.append((behaviour, dict(self.headers), body))
                receiver.arrived.set()
                if behaviour == "slow":
                    time.sleep(receiver.slow_seconds)
                    behaviour = "ok"
                if behaviour == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if behaviour == "500":
                    self.send_response(500)
                elif behaviour == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "http://127.0.0.1:1/elders")
                else:
                    self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
