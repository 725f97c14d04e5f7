"""One HTTP request through the test route, timed."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

from cutover.shifter.logic.smoke import SmokeResponse

_MAX_BODY = 1_048_576  # bytes read from a smoke-test response


class UrllibProbe:
    """One timed HTTP request with urllib (no client to inject: the test route is plain HTTP)."""

    def request(
        self, url: str, method: str, headers: dict[str, str], body: bytes | None, timeout_seconds: float
    ) -> SmokeResponse:
        prepared = urllib.request.Request(url, data=body, method=method, headers=headers)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(prepared, timeout=timeout_seconds) as response:
                payload = response.read(_MAX_BODY)
                status = response.status
                content_type = response.headers.get("Content-Type")
        except urllib.error.HTTPError as error:
            payload = error.read(_MAX_BODY)
            status = error.code
            content_type = error.headers.get("Content-Type")
        latency_ms = (time.perf_counter() - started) * 1000
        return SmokeResponse(status=status, latency_ms=latency_ms, body=payload, content_type=content_type)
