"""An OpenAI-compatible /v1/completions server that misbehaves on purpose (THREAT-MODEL.md):
  endless     streams 60 KB pieces of text forever, ignoring max_tokens
  echo-key    answers 401 quoting the Authorization header it received
  escapes     streams text holding terminal escape sequences
  big-header  answers with a 50 MB header
  ok          streams three pieces (to record the request line)
Records each request line (method and path) in requests.txt; prints its port."""
import http.server
import json
import sys

mode = sys.argv[1]


def event(text):
    chunk = {"choices": [{"index": 0, "text": text, "finish_reason": None}]}
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        with open("requests.txt", "a") as f:
            f.write(self.command + " " + self.path + "\n")
        try:
            self.answer()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def answer(self):
        if mode == "echo-key":
            body = json.dumps({"error": {"message": "Invalid API key: " +
                                         self.headers.get("Authorization", "").replace("Bearer ", "")}})
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())
            return
        if mode == "big-header":
            self.send_response(200)
            for i in range(50 * 1024):
                self.send_header("X-Filler-%d" % i, "x" * 1000)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if mode == "endless":
            piece = event("y" * 60000)
            while True:
                self.wfile.write(piece)
        pieces = ["return \x1b]0;pwned\x07x", "\x1b[2J + 1", "\x9b31m"] if mode == "escapes" \
            else ["return ", "x", " + 1"]
        for p in pieces:
            self.wfile.write(event(p))
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
sys.stdout.close()
server.timeout = 30
for _ in range(20):
    server.handle_request()
