"""A bounded load generator that behaves like an ALB in front of one target (run as its own process).

Worker threads send MCP `tools/call` requests, each on a new connection (no keep-alive), at a fixed
total rate. A poller checks /health/ready every --poll-interval seconds; after --unhealthy-threshold
consecutive failed checks (non-200 or no answer) the target counts as deregistered and no new request
is sent; requests already in flight finish. A failure is a request that got no answer (refused,
reset, timed out) or a status other than 200, or a 200 whose body is not the expected tool result.

Bounded: it stops after --duration seconds at the latest. It prints one JSON summary on stdout.

    python loadgen.py --port 8080 --duration 6 --rate 200 --threads 8
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

REQUEST = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "search_appointments", "arguments": {"patient_name": "ada"}},
    }
).encode()
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream", "Connection": "close"}
EXPECTED = "apt-1001"
MAX_LISTED_FAILURES = 50


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    success_times: list[float] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    failure_count: int = 0
    sent: int = 0

    def success(self, started: float) -> None:
        with self.lock:
            self.success_times.append(started)

    def failure(self, started: float, error: str) -> None:
        with self.lock:
            self.failure_count += 1
            if len(self.failures) < MAX_LISTED_FAILURES:
                self.failures.append({"at": started, "error": error})


def one_request(port: int, timeout: float) -> str | None:
    """None on success, else what went wrong."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", "/mcp", body=REQUEST, headers=HEADERS)
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:
        return f"{type(error).__name__}: {error}"
    finally:
        connection.close()
    if response.status != 200:
        return f"HTTP {response.status}: {body[:200]}"
    if EXPECTED not in body or '"isError":false' not in body:
        return f"unexpected body: {body[:200]}"
    return None


def ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0)
    try:
        connection.request("GET", "/health/ready")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def poll(args: argparse.Namespace, deadline: float, deregistered: threading.Event, stopped: dict[str, float]) -> None:
    failed_in_a_row = 0
    while time.monotonic() < deadline and not deregistered.is_set():
        failed_in_a_row = 0 if ready(args.port) else failed_in_a_row + 1
        if failed_in_a_row >= args.unhealthy_threshold:
            stopped["wall"] = time.time()
            deregistered.set()
            return
        time.sleep(args.poll_interval)


def work(args: argparse.Namespace, deadline: float, deregistered: threading.Event, results: Results) -> None:
    interval = args.threads / args.rate
    next_at = time.monotonic()
    while not deregistered.is_set():
        now = time.monotonic()
        if now >= deadline:
            return
        if now < next_at:
            time.sleep(min(next_at - now, deadline - now))
            continue
        next_at += interval
        started = time.time()
        with results.lock:
            results.sent += 1
        error = one_request(args.port, args.request_timeout)
        if error is None:
            results.success(started)
        else:
            results.failure(started, error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--duration", type=float, default=6.0, help="hard stop, seconds")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second, all threads together")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--poll-interval", type=float, default=0.2)
    parser.add_argument("--unhealthy-threshold", type=int, default=2)
    parser.add_argument("--request-timeout", type=float, default=10.0)
    args = parser.parse_args(argv)

    started_wall = time.time()
    deadline = time.monotonic() + args.duration
    deregistered = threading.Event()
    stopped: dict[str, float] = {}
    results = Results()
    threads = [threading.Thread(target=poll, args=(args, deadline, deregistered, stopped), daemon=True)]
    threads += [
        threading.Thread(target=work, args=(args, deadline, deregistered, results), daemon=True)
        for _ in range(args.threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + args.request_timeout + 5)
    summary = {
        "started_at": started_wall,
        "finished_at": time.time(),
        "deregistered_at": stopped.get("wall"),
        "sent": results.sent,
        "succeeded": len(results.success_times),
        "failed": results.failure_count,
        "failures": results.failures,
        "success_times": results.success_times,
    }
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
