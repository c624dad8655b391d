#!/usr/bin/env python3
"""openai_server_selftest.py: checks tests/openai_server.py from the outside.

Starts the server in several configurations (each on port 0, on loopback)
and talks to it with http.client only. Prints one line per check and a
summary; exits 0 when every check passed, 1 otherwise. Takes about 10 s.

    python3 tests/openai_server_selftest.py [-v]
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "openai_server.py")
VERBOSE = "-v" in sys.argv
RESULTS = {"pass": 0, "fail": 0}
TMP = tempfile.mkdtemp(prefix="openai-selftest-")
KEY = "sk-esbench-selftest-4f9a2c"


def check(name, ok, detail=""):
    RESULTS["pass" if ok else "fail"] += 1
    if not ok or VERBOSE:
        print("%s %s%s" % ("PASS" if ok else "FAIL", name, (": " + str(detail)) if detail else ""))


class Server:
    """One server process; stopped with SIGTERM by close()."""

    count = 0

    def __init__(self, *args, env=None):
        Server.count += 1
        self.port_file = os.path.join(TMP, "port%d" % Server.count)
        self.log = os.path.join(TMP, "log%d.jsonl" % Server.count)
        cmd = [sys.executable, SERVER, "--port", "0", "--port-file", self.port_file,
               "--log", self.log, "--max-seconds", "60"] + list(args)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, env=env)
        self.port = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.proc.poll() is None:
            if os.path.exists(self.port_file):
                with open(self.port_file) as f:
                    text = f.read()
                if text.endswith("\n"):
                    self.port = int(text)
                    break
            time.sleep(0.01)
        if self.port is None:
            raise RuntimeError("server did not write its port file: %s" % cmd)

    def conn(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def log_lines(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=10)


def body(text="I feel lonely since I moved to a new city.", model="test-model", **extra):
    req = {"model": model, "messages": [{"role": "system", "content": "You are a supporter."},
                                        {"role": "user", "content": text}],
           "temperature": 0.7, "max_tokens": 64, "n": 1}
    req.update(extra)
    return req


def post(conn, req, headers=None):
    """POSTs req on conn; returns (status, headers dict, raw body bytes)."""
    data = json.dumps(req).encode("utf-8")
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    conn.request("POST", "/v1/chat/completions", body=data, headers=h)
    r = conn.getresponse()
    raw = r.read()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, raw


def post_new(server, req, headers=None, timeout=10):
    c = server.conn(timeout)
    try:
        return post(c, req, headers)
    finally:
        c.close()


def content_of(raw):
    return json.loads(raw)["choices"][0]["message"]["content"]


def test_basic():
    s = Server("--models", "test-model,other-model")
    try:
        check("port file names a listening port", s.port > 0, s.port)
        c = s.conn()
        c.request("GET", "/v1/models")
        r = c.getresponse()
        models = json.loads(r.read())
        names = [m["id"] for m in models["data"]]
        check("GET /v1/models", r.status == 200 and models["object"] == "list"
              and names == ["test-model", "other-model"], names)

        status, hdr, raw = post(c, body())
        obj = json.loads(raw)
        ch = obj["choices"][0]
        u = obj["usage"]
        ok = (status == 200 and obj["object"] == "chat.completion" and obj["id"]
              and isinstance(obj["created"], int) and obj["model"] == "test-model"
              and ch["index"] == 0 and ch["message"]["role"] == "assistant"
              and isinstance(ch["message"]["content"], str) and ch["finish_reason"] == "stop"
              and u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]
              and u["prompt_tokens"] > 0 and u["completion_tokens"] > 0
              and int(hdr["content-length"]) == len(raw))
        check("completion schema", ok, obj)
        check("default reply is [Strategy] text",
              re.match(r"^\[(Question|Restatement or Paraphrasing|Reflection of feelings|"
                       r"Self-disclosure|Affirmation and Reassurance|Providing Suggestions|"
                       r"Information|Others)\] \S", ch["message"]["content"]) is not None,
              ch["message"]["content"])

        # keep-alive: the second request reuses the same socket
        sock = c.sock
        status2, _, raw2 = post(c, body())
        check("keep-alive: second request on one connection",
              status2 == 200 and c.sock is sock and sock is not None)
        check("determinism: same request, same reply", content_of(raw2) == content_of(raw))
        _, _, raw3 = post_new(s, body())
        check("determinism across connections", content_of(raw3) == content_of(raw))
        replies = {content_of(post(c, body(text="message %d" % i))[2]) for i in range(20)}
        check("different requests get varied replies", len(replies) >= 5, len(replies))
        _, _, raw4 = post(c, body(model="other-model"))
        check("model name is echoed", json.loads(raw4)["model"] == "other-model")
        _, _, raw5 = post(c, body(max_tokens=2))
        o5 = json.loads(raw5)
        check("max_tokens cuts the reply", o5["choices"][0]["finish_reason"] == "length"
              and o5["usage"]["completion_tokens"] == 2, o5["choices"][0])
        _, _, raw6 = post(c, body(n=3, seed=4))
        o6 = json.loads(raw6)
        check("n=3 gives three choices", [x["index"] for x in o6["choices"]] == [0, 1, 2])
        st, _, raw7 = post(c, {"model": "test-model"})
        err = json.loads(raw7)
        check("bad body: 400 with an error object", st == 400 and "message" in err["error"])
        st, _, _ = post(c, body(stream=True))
        check("stream refused", st == 400)
        c.close()
        sent = 2 + 1 + 1 + 20 + 1 + 1 + 1 + 1 + 1  # GET + POSTs above
        lines = s.log_lines()
        check("log: one line per request", len(lines) == sent, (len(lines), sent))
        first = lines[1]
        check("log fields", all(k in first for k in ("time", "hash", "attempt", "model",
                                                     "outcome", "latency_ms", "content"))
              and first["outcome"] == "ok" and first["attempt"] == 1
              and lines[2]["hash"] == first["hash"] and lines[2]["attempt"] == 2, first)
        check("log: content is the reply", first["content"] == content_of(raw))
    finally:
        check("SIGTERM: exits 0", s.close() == 0)


def test_expect_continue():
    """libcurl sends "Expect: 100-continue" with large bodies: the server must
    answer 100 at once, not after the client's wait runs out."""
    s = Server()
    try:
        data = json.dumps(body(text="x" * 5000)).encode("utf-8")
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=0.5)
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(data))
        try:
            first = sock.recv(100)
        except socket.timeout:
            first = b"(nothing within 0.5 s)"
        check("Expect: 100-continue answered at once",
              first.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), first)
        sock.sendall(data)
        sock.settimeout(5)
        rest = b""
        while b"\r\n\r\n" not in rest:
            rest += sock.recv(65536)
        check("... then 200", rest.startswith(b"HTTP/1.1 200"), rest[:40])
        sock.close()
    finally:
        s.close()


def test_echo():
    s = Server("--echo")
    try:
        _, _, raw = post_new(s, body(text="please echo me"))
        check("--echo returns the last user message", content_of(raw) == "please echo me")
    finally:
        s.close()


def test_faults():
    def attempt(s, req, timeout=10):
        try:
            return post_new(s, req, timeout=timeout)
        except socket.timeout:
            return "timeout"
        except (http.client.HTTPException, OSError) as e:
            return "dropped:" + type(e).__name__

    s = Server("--rate-429", "1", "--retry-after", "2")
    try:
        st, hdr, raw = attempt(s, body())
        check("429 with Retry-After", st == 429 and hdr.get("retry-after") == "2"
              and json.loads(raw)["error"]["code"] == "rate_limit_exceeded", (st, hdr))
        st2, _, raw2 = attempt(s, body())
        check("--fault-attempts 1: retry succeeds", st2 == 200 and content_of(raw2), st2)
        outcomes = [x["outcome"] for x in s.log_lines()]
        check("log outcomes 429 then ok", outcomes == ["429", "ok"], outcomes)
    finally:
        s.close()

    s = Server("--rate-500", "1")
    try:
        st, _, raw = attempt(s, body())
        check("500 with an error body", st == 500 and "error" in json.loads(raw))
        check("500 then ok", attempt(s, body())[0] == 200)
    finally:
        s.close()

    s = Server("--rate-malformed", "1", "--fault-attempts", "2")
    try:
        bad = []
        for _ in range(2):
            st, _, raw = attempt(s, body())
            try:
                broken = "choices" not in json.loads(raw)
            except ValueError:
                broken = True
            bad.append(st == 200 and broken)
        check("malformed 200 bodies (invalid JSON, then no choices)", all(bad), bad)
        check("--fault-attempts 2: third attempt succeeds", attempt(s, body())[0] == 200)
    finally:
        s.close()

    s = Server("--rate-drop", "1")
    try:
        r = attempt(s, body())
        check("drop: the client sees a closed connection",
              isinstance(r, str) and r.startswith("dropped"), r)
        check("drop then ok", attempt(s, body())[0] == 200)
    finally:
        s.close()

    s = Server("--rate-hang", "1", "--hang-seconds", "2")
    try:
        t0 = time.monotonic()
        r = attempt(s, body(), timeout=1)
        dt = time.monotonic() - t0
        check("hang: 1 s client timeout fires", r == "timeout" and 0.9 < dt < 1.8, (r, dt))
        check("hang then ok", attempt(s, body(), timeout=5)[0] == 200)
        time.sleep(1.2)  # the hang ends (2 s) and is logged
        outcomes = [x["outcome"] for x in s.log_lines()]
        check("log: hang then ok", sorted(outcomes) == ["hang", "ok"], outcomes)
    finally:
        s.close()

    s = Server("--rate-500", "1", "--fault-attempts", "0")
    try:
        check("--fault-attempts 0: always faults",
              [attempt(s, body())[0] for _ in range(3)] == [500, 500, 500])
    finally:
        s.close()

    # Mixed rates: the same seed gives the same faults on the same requests.
    runs = []
    for seed in ("7", "7", "8"):
        s = Server("--seed", seed, "--rate-429", "0.2", "--rate-500", "0.2",
                   "--rate-malformed", "0.2", "--rate-drop", "0.2")
        try:
            for i in range(60):
                attempt(s, body(text="item %d" % i))
            runs.append([x["outcome"] for x in s.log_lines()])
        finally:
            s.close()
    check("fault choice is reproducible for a seed", runs[0] == runs[1])
    check("another seed gives other faults", runs[0] != runs[2])
    counts = {k: runs[0].count(k) for k in ("ok", "429", "500", "malformed", "drop")}
    check("mixed rates are roughly as configured",
          all(3 <= v <= 25 for v in counts.values()), counts)


def test_key():
    env = dict(os.environ, ESB_SELFTEST_KEY=KEY)
    s = Server("--require-key", "ESB_SELFTEST_KEY", env=env)
    try:
        st, _, raw = post_new(s, body())
        err = json.loads(raw).get("error", {})
        check("no key: 401 with an OpenAI error", st == 401 and err.get("code") == "invalid_api_key",
              (st, raw))
        st, _, _ = post_new(s, body(), {"Authorization": "Bearer wrong"})
        check("wrong key: 401", st == 401)
        st, _, _ = post_new(s, body(), {"Authorization": "Bearer " + KEY})
        check("right key: 200", st == 200)
        c = s.conn()
        c.request("GET", "/v1/models", headers={"Authorization": "Bearer " + KEY})
        check("right key: GET /v1/models 200", c.getresponse().status == 200)
        c.close()
        with open(s.log, encoding="utf-8") as f:
            text = f.read()
        check("log: 4 lines, no key", text.count("\n") == 4 and KEY not in text
              and "Bearer" not in text)
    finally:
        s.close()
    r = subprocess.run([sys.executable, SERVER, "--require-key", "ESB_SELFTEST_UNSET_VAR"],
                       env={k: v for k, v in os.environ.items() if k != "ESB_SELFTEST_UNSET_VAR"},
                       stderr=subprocess.DEVNULL)
    check("--require-key with an unset variable: exit 2", r.returncode == 2)


RUBRIC = ("Rate the empathy of the reply from 1 to 10. Answer like this example: "
          "Rating: [[5]]\n\nContext: I lost my job.\nReply: That must be hard.")
SCORE = re.compile(r"Rating: \[\[(\d+)\]\]")


def test_judge():
    s = Server("--judge", "rubric")
    try:
        scores = [int(SCORE.findall(content_of(post_new(s, body(text=RUBRIC, seed=k))[2]))[-1])
                  for k in range(8)]
        check("judge: scores in 1..10, k samples close together",
              all(1 <= x <= 10 for x in scores) and max(scores) - min(scores) <= 2, scores)
        one = content_of(post_new(s, body(text=RUBRIC, seed=1))[2])
        check("judge: deterministic", one == content_of(post_new(s, body(text=RUBRIC, seed=1))[2]))
        items = {SCORE.findall(content_of(post_new(s, body(text=RUBRIC + str(i)))[2]))[-1]
                 for i in range(30)}
        check("judge: scores vary across items", len(items) >= 4, items)
    finally:
        s.close()

    s = Server("--judge", "rubric", "--judge-rate-echo", "1")
    try:
        text = content_of(post_new(s, body(text=RUBRIC.replace("[[5]]", "[[3]]")))[2])
        m = SCORE.findall(text)
        check("judge echo: the prompt's example first, then the real score",
              len(m) == 2 and m[0] == "3" and 1 <= int(m[1]) <= 10, text)
    finally:
        s.close()

    s = Server("--judge", "rubric", "--judge-rate-out-of-range", "1", "--judge-scale", "5")
    try:
        got = [SCORE.findall(content_of(post_new(s, body(text=RUBRIC + str(i)))[2]))
               for i in range(10)]
        check("judge out of range: [[6]] or [[0]] on a 1..5 scale",
              all(len(g) == 1 and g[0] in ("0", "6") for g in got), got)
    finally:
        s.close()

    s = Server("--judge", "rubric", "--judge-rate-missing", "1")
    try:
        text = content_of(post_new(s, body(text=RUBRIC))[2])
        check("judge missing: no score", "[[" not in text, text)
    finally:
        s.close()

    def pair(a, b):
        return ("Which answer is more supportive?\n[The Start of Assistant A's Answer]\n%s\n"
                "[The End of Assistant A's Answer]\n[The Start of Assistant B's Answer]\n%s\n"
                "[The End of Assistant B's Answer]" % (a, b))

    verdict = re.compile(r"\[\[([ABC])\]\]")
    s = Server("--judge", "pairwise")
    try:
        consistent = 0
        for i in range(10):
            a, b = "answer one %d" % i, "answer two %d" % i
            v1 = verdict.findall(content_of(post_new(s, body(text=pair(a, b)))[2]))
            v2 = verdict.findall(content_of(post_new(s, body(text=pair(b, a)))[2]))
            consistent += (v1, v2) in ((["A"], ["B"]), (["B"], ["A"]))
        check("pairwise: the verdict follows the answer when swapped", consistent == 10,
              consistent)
    finally:
        s.close()
    s = Server("--judge", "pairwise", "--judge-rate-position", "1")
    try:
        v1 = content_of(post_new(s, body(text=pair("x", "y")))[2])
        v2 = content_of(post_new(s, body(text=pair("y", "x")))[2])
        check("pairwise position bias: [[A]] both ways (a flip)",
              "[[A]]" in v1 and "[[A]]" in v2, (v1, v2))
    finally:
        s.close()
    s = Server("--judge", "pairwise", "--judge-rate-tie", "1")
    try:
        check("pairwise tie: [[C]]", "[[C]]" in content_of(post_new(s, body(text=pair("x", "y")))[2]))
    finally:
        s.close()


def test_concurrency():
    s = Server("--latency-ms", "20")
    try:
        n = 64
        barrier = threading.Barrier(n)
        statuses = [None] * n

        def worker(i):
            c = s.conn()
            c.connect()
            barrier.wait()
            statuses[i] = post(c, body(text="parallel %d" % i))[0]
            c.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        dt = time.monotonic() - t0
        serial = n * 0.020
        check("64 parallel requests at 20 ms: all 200, well under %.2f s" % serial,
              statuses == [200] * n and dt < serial / 3, "%.3f s" % dt)
        if VERBOSE:
            print("     64 x 20 ms took %.3f s (serial %.2f s)" % (dt, serial))
    finally:
        s.close()


def test_lifetime():
    t0 = time.monotonic()
    s = Server("--max-seconds", "1")
    rc = s.proc.wait(timeout=10)
    dt = time.monotonic() - t0
    check("--max-seconds 1: exits 0 by itself", rc == 0 and dt < 3, (rc, "%.2f s" % dt))

    s = Server("--max-requests", "2")
    try:
        c = s.conn()
        st1 = post(c, body())[0]
        st2 = post(c, body())[0]
        c.close()
        rc = s.proc.wait(timeout=5)
        check("--max-requests 2: both answered, then exit 0", (st1, st2, rc) == (200, 200, 0),
              (st1, st2, rc))
    finally:
        s.close()

    s = Server("--rate-hang", "1", "--hang-seconds", "30")
    try:
        c = s.conn(timeout=5)

        def hung():
            try:
                post(c, body())
            except (http.client.HTTPException, OSError):
                pass

        threading.Thread(target=hung, daemon=True).start()
        time.sleep(0.2)
        t0 = time.monotonic()
        rc = s.close()
        check("SIGTERM during a hang: exits promptly", rc == 0 and time.monotonic() - t0 < 3)
    finally:
        s.close()

    s = Server()
    s.proc.send_signal(signal.SIGINT)
    check("SIGINT: exits 0", s.proc.wait(timeout=5) == 0)

    r = subprocess.run([sys.executable, SERVER, "--host", "0.0.0.0"], stderr=subprocess.DEVNULL)
    check("--host 0.0.0.0 refused (exit 2)", r.returncode == 2)


def main():
    t0 = time.monotonic()
    for t in (test_basic, test_expect_continue, test_echo, test_faults, test_key, test_judge, test_concurrency,
              test_lifetime):
        try:
            t()
        except Exception as e:  # a crash in one group fails it, the rest still run
            check(t.__name__ + " raised", False, repr(e))
    print("openai_server selftest: %d passed, %d failed, %.1f s"
          % (RESULTS["pass"], RESULTS["fail"], time.monotonic() - t0))
    return 1 if RESULTS["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
