"""A minimal OpenAI-compatible /v1/completions server for tests: streams three pieces of text as
server-sent events (or the contents of answer.txt in its folder when there is one), records each
request body in requests.jsonl, and prints its port."""
import http.server
import json
import os
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open("requests.jsonl", "ab") as f:
            f.write(body + b"\n")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = ["return ", "x", " + 1"]
        if os.path.exists("answer.txt"):
            with open("answer.txt") as f:
                pieces = [f.read()]
        for piece in pieces:
            chunk = {"choices": [{"index": 0, "text": piece, "finish_reason": None}]}
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
sys.stdout.close()
server.timeout = 30
for _ in range(20):
    server.handle_request()
