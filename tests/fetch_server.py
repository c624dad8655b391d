#!/usr/bin/env python3
"""fetch_server.py: a small HTTP server for the fetch tests (standard library only).

Serves the files of one folder on 127.0.0.1 (loopback only) and prints
"PORT <n>" on its first stdout line (port 0 picks a free one). The first
path segment says how to answer; the second names a file in the folder:

    /ok/NAME         the file
    /corrupt/NAME    the file with one byte flipped in the middle
    /404/NAME        404 Not Found
    /truncated/NAME  a Content-Length of the whole file, half the bytes, then
                     the connection closes
    /redirect/NAME   302 to /ok/NAME

It stops when its stdin reaches end of file (the test closed its end of the
pipe) or on SIGTERM.

    python3 tests/fetch_server.py --dir FOLDER [--port N]
"""
import argparse
import http.server
import os
import signal
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "esbench-fetch-test/1"

    def log_message(self, fmt, *args):  # quiet unless asked
        if os.environ.get("FETCH_SERVER_LOG"):
            sys.stderr.write("fetch_server: " + (fmt % args) + "\n")

    def send_body(self, data, length=None):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) != 2 or parts[1] in ("", ".", ".."):
            self.send_error(400, "expected /MODE/NAME")
            return
        mode, name = parts
        path = os.path.join(self.server.folder, name)
        if mode == "404" or not os.path.isfile(path):
            self.send_error(404)
            return
        if mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "/ok/" + name)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(path, "rb") as f:
            data = f.read()
        if mode == "ok":
            self.send_body(data)
        elif mode == "corrupt":
            flipped = bytearray(data)
            if flipped:
                flipped[len(flipped) // 2] ^= 0x01
            self.send_body(bytes(flipped))
        elif mode == "truncated":
            self.close_connection = True
            self.send_body(data[: len(data) // 2], length=len(data))
        else:
            self.send_error(400, "unknown mode")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    httpd.folder = os.path.abspath(args.dir)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=httpd.shutdown).start())

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except OSError:
            pass
        httpd.shutdown()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print("PORT %d" % httpd.server_address[1], flush=True)
    httpd.serve_forever()
    httpd.server_close()


if __name__ == "__main__":
    main()
