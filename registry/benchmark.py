"""Benchmark mode (``BENCHMARK_BASELINE=1``, used by ``make bench`` only).

- ``QueryCountMiddleware`` sends the number of database queries a request ran in an
  ``X-Query-Count`` header (queries run while a streamed body is sent are not counted).
- ``baseline`` answers with a precomputed body of a requested size: the same server, the same
  middleware and the same session authentication as the pages, but no work of our own, so its
  throughput is the framework's own limit on the machine.

Neither exists unless the setting is on: the URL is mounted only then, and the view refuses
to answer otherwise.
"""

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpResponse

MAX_BASELINE_BYTES = 20_000_000
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}
_bodies: dict[int, bytes] = {}


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counting(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connection.execute_wrapper(counting) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response["X-Query-Count"] = str(count)
        return response


def baseline(request, size: int):
    """A precomputed body of ``size`` bytes (``?type=html|json|csv``)."""
    if not settings.BENCHMARK_BASELINE or size > MAX_BASELINE_BYTES:
        raise Http404
    body = _bodies.get(size)
    if body is None:
        body = _bodies[size] = b"x" * size
    content_type = CONTENT_TYPES.get(request.GET.get("type", "html"), CONTENT_TYPES["html"])
    return HttpResponse(body, content_type=content_type)
