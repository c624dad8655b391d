#!/usr/bin/env python3
"""An example worker for esbench's `exec` backend (src/exec_backend.h).

esbench starts this program once per worker and keeps it running. It reads
one JSON object per line on stdin:

    {"id": "3f2a...:4", "messages": [{"role": "user", "content": "..."}], "params": {...}}

and answers each with one line on stdout, flushed at once:

    {"id": "3f2a...:4", "reply": "..."}     or     {"id": "...", "error": "..."}

It must answer in the order it was asked (esbench sends one request at a
time) and should exit when stdin ends. Anything it writes to stderr shows in
esbench's error messages. Replace reply_to() with a call to your model.

This one replies deterministically: "[Question] " followed by the last user
message reversed.
"""
import json
import sys


def reply_to(messages, params):
    last = ""
    for m in messages:
        if m.get("role") == "user":
            last = m.get("content", "")
    return "[Question] " + last[::-1]


def main():
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            ans = {"id": req["id"], "reply": reply_to(req["messages"], req.get("params", {}))}
        except Exception as e:  # report the failure for this request, keep serving
            ans = {"id": req.get("id"), "error": "%s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(ans, ensure_ascii=False) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
