"""``Server-Timing`` on every response of the benchmark server: wall and CPU time.

The harness times requests from the client (what a person waits for); this header adds
what the worker itself spent, in CPU time, which other work on a busy machine does not
inflate. First in the middleware list, so it covers all of the application's own.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wall, cpu = time.perf_counter(), time.process_time()
        response = self.get_response(request)
        response["Server-Timing"] = (
            f"app;dur={(time.perf_counter() - wall) * 1000:.2f}, "
            f"cpu;dur={(time.process_time() - cpu) * 1000:.2f}"
        )
        return response
