#!/usr/bin/env python3
"""openai_server.py: a local OpenAI-compatible test server (standard library only).

Used by the runner and judge tests: deterministic replies, configurable
latency, fault injection by rates, an optional API key check and a request
log. It listens on loopback only (127.0.0.1; any other --host is refused).

    python3 tests/openai_server.py --port 0 --port-file F [options]

Once listening it writes the chosen port (a decimal number and a newline) to
F, atomically (a temporary file renamed), so a test can start it with port 0
and poll for F. It serves until SIGTERM or SIGINT, or by itself after
--max-seconds (default 600) or after --max-requests requests, and exits 0.

Endpoints (HTTP/1.1, keep-alive, Content-Length on every reply):

    GET  /v1/models            {"object": "list", "data": [{"id": MODEL, ...}]}
                               for every name of --models (default "test-model")
    POST /v1/chat/completions  a standard request body {model, messages,
                               temperature, max_tokens, n, seed, ...}; the reply
                               is a standard chat.completion object: id, object,
                               created, model, choices[i] {index, message {role:
                               assistant, content}, finish_reason}, usage
                               {prompt_tokens, completion_tokens, total_tokens}.
                               "stream": true is refused with 400.

Errors use the OpenAI shape {"error": {"message", "type", "param", "code"}}:
400 bad body, 401 bad or missing key, 404 unknown path or model (a model not
in --models is accepted unless --strict-models), 411 no Content-Length.

Replies (a pure function of the request, so the same request always gets the
same reply):
  * default: "[Strategy] sentence", the strategy picked from --strategies
    (comma-separated; default the 8 ESConv strategies) and the sentence from a
    small list, both by sha256 of (model, last user message, temperature,
    seed, choice index).
  * --echo: the content of the last user message.
  * --judge rubric: a judge reply in the rubric format, "... Rating: [[S]]",
    S in 1..--judge-scale (default 10): a base score from the hash of (model,
    last user message) plus a deviation in -J..+J (--judge-noise J, default 1,
    clamped to the scale) from the hash that also covers temperature, seed and
    choice index, so k samples of one item differ a little. By rates, decided
    by the hash of (model, last user message, temperature, seed, index):
      --judge-rate-echo P          the prompt's own example "Rating: [[N]]"
                                   (first one found in the messages; [[5]]
                                   when there is none) comes first, then the
                                   real rating: the last match is the real one
      --judge-rate-out-of-range P  "Rating: [[scale+1]]" (half the time [[0]])
      --judge-rate-missing P       a reply with no rating at all
  * --judge pairwise: a verdict "[[A]]", "[[B]]" or "[[C]]" (tie). The two
    answers are the texts between "[The Start of Assistant A's Answer]" and
    "[The End of Assistant A's Answer]" (and B; --judge-pair-open and
    --judge-pair-close change the markers, "{X}" standing for the letter).
    The preferred answer is the one with the larger hash of its text, so the
    verdict follows the answer when the order is swapped; a tie with
    --judge-rate-tie P. With --judge-rate-position P (decided by the hash of
    the two texts, sorted, so for both orders alike) the judge says "[[A]]"
    whatever the order: the verdict flips when the pair is asked both ways.
    Without markers the verdict is a hash of the whole last user message.

Cost: about 0.15 to 0.3 ms of server CPU per request, on one core (the GIL),
so some 3,000 to 4,000 requests/s; 2,000 requests at concurrency 64 with
--latency-ms 20 took 1.10 to 1.3 times the ideal 0.625 s with a Python
client on the same 2-core machine. Self-test: tests/openai_server_selftest.py.

max_tokens cuts the content to that many whitespace-separated words
(finish_reason "length"). Token counts are whitespace-separated words.

Fault injection. Every POST is keyed by the request hash: sha256 of the
seed (--seed, default 0) and the body as canonical JSON (sort_keys, compact
separators; the raw bytes when the body is not JSON), shown as 16 hex digits
in the log. The server counts how many times it has seen each key: the
attempt number (1-based). Attempt a of key h is faulty only when a <= K
(--fault-attempts K, default 1; K = 0 means every attempt may fault); then
u = sha256(seed, h, a) read as a number in [0, 1) picks the fault from the
cumulative ranges, in this order:
    [0, r429)                 429 with "Retry-After: --retry-after" (integer
                              seconds, default 1) and an OpenAI error body
    next --rate-500           500 with an error body
    next --rate-malformed     200 whose body is not valid JSON (odd attempts)
                              or valid JSON without "choices" (even attempts)
    next --rate-drop          the connection is closed without any response
    next --rate-hang          no response: the connection is held for
                              --hang-seconds (default 30) and then closed
and u beyond the sum gives a normal reply. So with K = 1 a retried identical
request always succeeds on its second attempt, and the same test run against
a fresh server sees the same faults on the same requests. The rates must sum
to at most 1. Faults apply to /v1/chat/completions only, after the key check.

Stalls, for kill tests: with --stall-after N1,N2,... the server gives N1
normal replies, then holds every further request that would get one (logged
as outcome "stalled" when released, and closed without a reply) until it gets
SIGUSR1; then it goes on up to N2 replies in all, and so on. A test waits
until the client has all N1 replies, kills it, sends SIGUSR1 and reruns: no
reply was in flight at the kill, so a correct client never asks again for
one it was given. Faults are decided before the stall.

Latency: --latency-ms N sleeps N ms before every chat reply (fault replies
too, except hangs), plus a deterministic jitter in 0..--latency-jitter-ms
from the hash of (key, attempt).

--require-key ENVVAR: every request must carry "Authorization: Bearer V"
where V is the value of that environment variable (which must be set and
non-empty when the server starts); otherwise 401 with an OpenAI error body.

--log FILE appends one JSON object per line and request (chat and models):
{"time", "path", "hash", "attempt", "model", "outcome", "latency_ms",
"content"}; outcome is ok, 429, 500, malformed, drop, hang, 400, 401, 404 or
411; "content" (the first choice's text) only for ok; hash and attempt are
null for GET and for requests refused before the body is read (401, 404,
411). The line is written before the reply is sent (so a client that has its
reply finds the line in the log), for a drop before the connection is closed,
and for a hang when the hang starts (latency_ms then covers the time before
it). Headers are never logged, so neither is the key."""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import re
import signal
import sys
import threading
import time

ESCONV_STRATEGIES = [
    "Question",
    "Restatement or Paraphrasing",
    "Reflection of feelings",
    "Self-disclosure",
    "Affirmation and Reassurance",
    "Providing Suggestions",
    "Information",
    "Others",
]

SENTENCES = [
    "That sounds really hard, and it makes sense that you feel this way.",
    "Can you tell me a little more about what happened?",
    "It seems like you have been carrying a lot on your own lately.",
    "I went through something similar once, and talking about it helped me.",
    "You are doing the right thing by reaching out about this.",
    "Maybe you could try taking a short walk when it gets overwhelming.",
    "Many people find that keeping a small routine helps on bad days.",
    "I am here to listen for as long as you need.",
]

JUDGE_REASONS = [
    "The reply acknowledges the user's feelings and stays on topic.",
    "The reply is polite but somewhat generic.",
    "The reply reflects the user's emotions and offers gentle support.",
    "The reply misses part of what the user said.",
]

FAULTS = ("429", "500", "malformed", "drop", "hang")


def sha(*parts):
    """sha256 over the parts, each as UTF-8 text followed by a NUL byte."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode("utf-8"))
        h.update(b"\0")
    return h.digest()


def unit(digest):
    """A number in [0, 1) from the first 8 bytes of a digest."""
    return int.from_bytes(digest[:8], "big") / 2.0**64


def words(text):
    return len(str(text).split())


def message_text(m):
    """The text of one message; content may be a string or a list of parts."""
    c = m.get("content") if isinstance(m, dict) else None
    if isinstance(c, str):
        return c
    if isinstance(c, list):
        return "".join(p.get("text", "") for p in c if isinstance(p, dict))
    return ""


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # listen backlog: 64+ simultaneous connects

    def handle_error(self, request, client_address):
        # A client that resets or times out is normal here; say nothing.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # No 40 ms Nagle/delayed-ACK stall; headers and body leave in one write
    # (send_json flushes; so does the base class after every request).
    disable_nagle_algorithm = True
    wbufsize = -1

    def handle_expect_100(self):
        # The reply is buffered (wbufsize): "100 Continue" must go out now.
        ok = super().handle_expect_100()
        self.wfile.flush()
        return ok
    server_version = "esbench-openai-test/1"

    def log_message(self, fmt, *args):  # quiet unless asked
        if os.environ.get("OPENAI_SERVER_VERBOSE"):
            sys.stderr.write("openai_server: " + (fmt % args) + "\n")

    # -- replies ---------------------------------------------------------

    def send_json(self, status, obj, headers=(), raw=None):
        data = raw if raw is not None else json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def send_error_json(self, status, message, etype, code=None, headers=()):
        body = {"error": {"message": message, "type": etype, "param": None, "code": code}}
        self.send_json(status, body, headers)

    def log_request_line(self, **fields):
        st = self.server.state
        if not st.args.log:
            return
        rec = {"time": round(time.time(), 6), "path": self.path.split("?")[0]}
        rec.update(fields)
        line = json.dumps(rec, ensure_ascii=False) + "\n"
        with st.log_lock:
            st.log_file.write(line)
            st.log_file.flush()

    def authorised(self):
        key = self.server.state.key
        if key is None:
            return True
        got = self.headers.get("Authorization", "")
        want = "Bearer " + key
        return hmac.compare_digest(got.encode("utf-8", "replace"), want.encode("utf-8"))

    def counted(self, method):
        """Runs method, counting it as a request in progress so that the
        server lets it finish before exiting (handler threads are daemons)."""
        st = self.server.state
        with st.lock:
            st.inflight += 1
            st.requests += 1
            if st.args.max_requests and st.requests >= st.args.max_requests:
                st.stop.set()
        try:
            method()
        finally:
            with st.lock:
                st.inflight -= 1

    def do_GET(self):
        self.counted(self.get)

    def do_POST(self):
        self.counted(self.post)

    # -- GET -------------------------------------------------------------

    def get(self):
        t0 = time.monotonic()
        path = self.path.split("?")[0].rstrip("/")

        def done(outcome):
            self.log_request_line(hash=None, attempt=None, model=None, outcome=outcome,
                                  latency_ms=round((time.monotonic() - t0) * 1000, 3))

        if not self.authorised():
            done("401")
            self.send_error_json(401, "Incorrect API key provided.", "invalid_request_error",
                                 "invalid_api_key")
        elif path == "/v1/models":
            created = 1700000000
            data = [{"id": m, "object": "model", "created": created, "owned_by": "esbench-test"}
                    for m in self.server.state.args.models]
            done("ok")
            self.send_json(200, {"object": "list", "data": data})
        else:
            done("404")
            self.send_error_json(404, "Unknown path " + path, "invalid_request_error")

    # -- POST ------------------------------------------------------------

    def post(self):
        st = self.server.state
        args = st.args
        t0 = time.monotonic()
        fields = {"hash": None, "attempt": None, "model": None}

        def done(outcome, content=None):
            rec = dict(fields, outcome=outcome,
                       latency_ms=round((time.monotonic() - t0) * 1000, 3))
            if content is not None:
                rec["content"] = content
            self.log_request_line(**rec)

        length = self.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
            self.close_connection = True
            done("411")
            self.send_error_json(411, "Content-Length required", "invalid_request_error")
            return
        body = self.rfile.read(int(length))
        path = self.path.split("?")[0].rstrip("/")
        if not self.authorised():
            done("401")
            self.send_error_json(401, "Incorrect API key provided.", "invalid_request_error",
                                 "invalid_api_key")
            return
        if path != "/v1/chat/completions":
            done("404")
            self.send_error_json(404, "Unknown path " + path, "invalid_request_error")
            return

        try:
            req = json.loads(body.decode("utf-8"))
            canon = json.dumps(req, sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False).encode("utf-8")
        except (UnicodeDecodeError, ValueError):
            req, canon = None, body
        key = sha(args.seed, canon).hex()[:16]
        with st.lock:
            attempt = st.attempts.get(key, 0) + 1
            st.attempts[key] = attempt
        fields["hash"], fields["attempt"] = key, attempt
        if isinstance(req, dict) and isinstance(req.get("model"), str):
            fields["model"] = req["model"]

        fault = None
        if args.fault_attempts == 0 or attempt <= args.fault_attempts:
            u = unit(sha(args.seed, key, attempt, "fault"))
            edge = 0.0
            for name, rate in zip(FAULTS, st.rates):
                edge += rate
                if u < edge:
                    fault = name
                    break

        if fault == "hang":
            done("hang")  # logged when it starts
            st.abort.wait(args.hang_seconds)
            self.close_connection = True
            return
        delay = args.latency_ms / 1000.0
        if args.latency_jitter_ms:
            delay += unit(sha(key, attempt, "jitter")) * args.latency_jitter_ms / 1000.0
        if delay > 0:
            time.sleep(delay)
        if fault == "drop":
            self.close_connection = True
            done("drop")
            try:
                self.connection.shutdown(2)  # socket.SHUT_RDWR
            except OSError:
                pass
            return
        if fault == "429":
            done("429")
            self.send_error_json(429, "Rate limit reached (injected).", "requests",
                                 "rate_limit_exceeded",
                                 headers=[("Retry-After", str(args.retry_after))])
            return
        if fault == "500":
            done("500")
            self.send_error_json(500, "The server had an error (injected).", "server_error")
            return
        if fault == "malformed":
            if attempt % 2:
                raw = b'{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"mess'
            else:
                raw = b'{"id": "chatcmpl-broken", "object": "chat.completion"}'
            done("malformed")
            self.send_json(200, None, raw=raw)
            return

        # A normal reply.
        err = validate(req, args)
        if err:
            code, msg = err
            done(str(code))
            self.send_error_json(code, msg, "invalid_request_error")
            return
        choices, completion_tokens = [], 0
        n = req.get("n") or 1
        for i in range(n):
            content = reply_content(req, i, args)
            finish = "stop"
            mt = req.get("max_tokens", req.get("max_completion_tokens"))
            if isinstance(mt, int) and mt >= 0 and words(content) > mt:
                content = " ".join(content.split()[:mt])
                finish = "length"
            completion_tokens += words(content)
            choices.append({"index": i, "message": {"role": "assistant", "content": content},
                            "logprobs": None, "finish_reason": finish})
        prompt_tokens = sum(words(message_text(m)) for m in req["messages"])
        obj = {
            "id": "chatcmpl-" + key + "-" + str(attempt),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": req["model"],
            "choices": choices,
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }
        if st.stall_wait():
            done("stalled")  # released: closed without a reply, as if the client died
            self.close_connection = True
            return
        done("ok", choices[0]["message"]["content"])
        self.send_json(200, obj)
        return


def validate(req, args):
    """None when req is a usable chat request, else (status, message)."""
    if not isinstance(req, dict):
        return 400, "The request body is not a JSON object."
    if not isinstance(req.get("model"), str) or not req["model"]:
        return 400, "'model' is required."
    if args.strict_models and req["model"] not in args.models:
        return 404, "The model '%s' does not exist." % req["model"]
    msgs = req.get("messages")
    if not isinstance(msgs, list) or not msgs or not all(isinstance(m, dict) for m in msgs):
        return 400, "'messages' must be a non-empty array of objects."
    if req.get("stream"):
        return 400, "stream is not supported by this test server."
    n = req.get("n", 1)
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 128):
        return 400, "'n' must be an integer from 1 to 128."
    return None


def last_user(req):
    for m in reversed(req["messages"]):
        if m.get("role") == "user":
            return message_text(m)
    return ""


def reply_content(req, index, args):
    """The deterministic content of choice index for request req."""
    user = last_user(req)
    model = req["model"]
    sampling = (req.get("temperature"), req.get("seed"), index)
    if args.echo:
        return user
    if args.judge == "rubric":
        return judge_rubric(user, model, sampling, args)
    if args.judge == "pairwise":
        return judge_pairwise(user, model, sampling, args)
    d = sha(model, user, *sampling)
    strategy = args.strategies[d[0] % len(args.strategies)]
    return "[%s] %s" % (strategy, SENTENCES[d[1] % len(SENTENCES)])


def judge_rubric(user, model, sampling, args):
    top = args.judge_scale
    base = 1 + int.from_bytes(sha(model, user, "base")[:4], "big") % top
    d = sha(model, user, *sampling, "sample")
    j = args.judge_noise
    score = min(top, max(1, base + (d[0] % (2 * j + 1)) - j))
    reason = JUDGE_REASONS[d[1] % len(JUDGE_REASONS)]
    u = unit(sha(model, user, *sampling, "kind"))
    r_echo, r_oor = args.judge_rate_echo, args.judge_rate_out_of_range
    if u < r_echo:
        m = re.search(r"Rating: \[\[(\d+)\]\]", user)
        example = m.group(1) if m else "5"
        return ("Following the format, Rating: [[%s]].\n%s\nRating: [[%d]]"
                % (example, reason, score))
    if u < r_echo + r_oor:
        bad = top + 1 if d[2] % 2 == 0 else 0
        return "%s\nRating: [[%d]]" % (reason, bad)
    if u < r_echo + r_oor + args.judge_rate_missing:
        return "%s I would rather not give a number for this one." % reason
    return "%s\nRating: [[%d]]" % (reason, score)


def judge_pairwise(user, model, sampling, args):
    def answer(letter):
        op = re.escape(args.judge_pair_open.replace("{X}", letter))
        cl = re.escape(args.judge_pair_close.replace("{X}", letter))
        m = re.search(op + r"(.*?)" + cl, user, re.S)
        return m.group(1).strip() if m else None

    a, b = answer("A"), answer("B")
    if a is None or b is None:
        d = sha(model, user, *sampling)
        return "Verdict: [[%s]]" % "ABC"[d[0] % 3]
    pair = sha(model, *sorted([a, b]))
    if unit(sha(pair, "tie")) < args.judge_rate_tie:
        return "Both answers are equally supportive. [[C]]"
    if unit(sha(pair, "position")) < args.judge_rate_position:
        return "The first answer is better. [[A]]"
    ha, hb = sha(model, a), sha(model, b)
    if ha == hb:
        return "The answers are the same. [[C]]"
    return "After comparing both answers: [[%s]]" % ("A" if ha > hb else "B")


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.log_lock = threading.Lock()
        self.attempts = {}
        self.requests = 0
        self.stop = threading.Event()   # set: stop accepting, then exit
        self.abort = threading.Event()  # set: end hangs now
        self.inflight = 0
        self.rates = [args.rate_429, args.rate_500, args.rate_malformed, args.rate_drop,
                      args.rate_hang]
        self.key = None
        self.log_file = None  # opened by main, appended to under log_lock
        self.ok = 0            # normal replies given
        self.stall = 0         # index into args.stall_after
        self.phase = threading.Condition(self.lock)

    def stall_wait(self):
        """Before a normal reply: True when the server is stalled (the
        --stall-after count of replies is reached), after waiting for SIGUSR1
        (or the end); False when the reply may go (it is counted)."""
        with self.lock:
            points = self.args.stall_after
            if self.stall < len(points) and self.ok >= points[self.stall]:
                mine = self.stall
                while self.stall == mine and not self.abort.is_set():
                    self.phase.wait(0.2)
                return True
            self.ok += 1
            return False

    def next_phase(self):
        with self.lock:
            self.stall += 1
            self.phase.notify_all()


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--max-seconds", type=float, default=600.0)
    ap.add_argument("--max-requests", type=int, default=0)
    ap.add_argument("--models", default="test-model", help="comma-separated model names")
    ap.add_argument("--strict-models", action="store_true")
    ap.add_argument("--strategies", default=",".join(ESCONV_STRATEGIES),
                    help="comma-separated strategy names")
    ap.add_argument("--echo", action="store_true")
    ap.add_argument("--seed", default="0")
    ap.add_argument("--latency-ms", type=float, default=0.0)
    ap.add_argument("--latency-jitter-ms", type=float, default=0.0)
    for f in ("429", "500", "malformed", "drop", "hang"):
        ap.add_argument("--rate-" + f, type=float, default=0.0)
    ap.add_argument("--retry-after", type=int, default=1)
    ap.add_argument("--hang-seconds", type=float, default=30.0)
    ap.add_argument("--fault-attempts", type=int, default=1)
    ap.add_argument("--stall-after", default="")
    ap.add_argument("--require-key", metavar="ENVVAR")
    ap.add_argument("--log")
    ap.add_argument("--judge", choices=("rubric", "pairwise"))
    ap.add_argument("--judge-scale", type=int, default=10)
    ap.add_argument("--judge-noise", type=int, default=1)
    ap.add_argument("--judge-rate-echo", type=float, default=0.0)
    ap.add_argument("--judge-rate-out-of-range", type=float, default=0.0)
    ap.add_argument("--judge-rate-missing", type=float, default=0.0)
    ap.add_argument("--judge-rate-tie", type=float, default=0.0)
    ap.add_argument("--judge-rate-position", type=float, default=0.0)
    ap.add_argument("--judge-pair-open", default="[The Start of Assistant {X}'s Answer]")
    ap.add_argument("--judge-pair-close", default="[The End of Assistant {X}'s Answer]")
    args = ap.parse_args(argv)

    if args.host not in ("127.0.0.1", "localhost"):
        ap.error("--host must be 127.0.0.1 (loopback only)")
    args.host = "127.0.0.1"
    args.models = [m for m in args.models.split(",") if m]
    args.strategies = [s for s in args.strategies.split(",") if s]
    if not args.models or not args.strategies:
        ap.error("--models and --strategies need at least one name")
    rates = [args.rate_429, args.rate_500, args.rate_malformed, args.rate_drop, args.rate_hang]
    if any(r < 0 for r in rates) or sum(rates) > 1.0 + 1e-9:
        ap.error("fault rates must be >= 0 and sum to at most 1")
    jr = [args.judge_rate_echo, args.judge_rate_out_of_range, args.judge_rate_missing]
    if any(r < 0 for r in jr) or sum(jr) > 1.0 + 1e-9:
        ap.error("judge rates (echo, out-of-range, missing) must sum to at most 1")
    if args.fault_attempts < 0 or args.judge_scale < 1 or args.judge_noise < 0:
        ap.error("--fault-attempts, --judge-noise must be >= 0; --judge-scale >= 1")
    try:
        args.stall_after = [int(x) for x in args.stall_after.split(",") if x]
    except ValueError:
        ap.error("--stall-after takes counts: N1,N2,...")
    if args.retry_after < 0 or args.max_seconds <= 0:
        ap.error("--retry-after must be >= 0 and --max-seconds > 0")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    state = State(args)
    if args.require_key:
        state.key = os.environ.get(args.require_key)
        if not state.key:
            sys.stderr.write("openai_server: --require-key: %s is not set\n" % args.require_key)
            return 2

    if args.log:
        state.log_file = open(args.log, "a", encoding="utf-8")
    httpd = Server((args.host, args.port), Handler)
    httpd.state = state
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: state.stop.set())
    signal.signal(signal.SIGUSR1, lambda *_: threading.Thread(target=state.next_phase).start())
    serving = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                               daemon=True)
    serving.start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % httpd.server_address[1])
        os.replace(tmp, args.port_file)

    deadline = time.monotonic() + args.max_seconds
    while not state.stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        state.stop.wait(min(left, 0.2))  # short waits: signals are handled promptly
    state.stop.set()
    state.abort.set()  # ends hangs
    httpd.shutdown()
    httpd.server_close()
    grace = time.monotonic() + 5.0  # let requests in progress finish
    while time.monotonic() < grace:
        with state.lock:
            if state.inflight == 0:
                break
        time.sleep(0.01)
    if state.log_file:
        with state.log_lock:
            state.log_file.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
