"""Benchmark mode: off unless asked for, and then honest about queries and body size."""

import pytest
from django.db import connection
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from registry import benchmark

pytestmark = pytest.mark.django_db


def test_the_baseline_does_not_exist_in_a_normal_server(national_client):
    assert national_client.get("/benchmark/baseline/100/").status_code == 404


def test_the_baseline_view_refuses_to_answer_outside_benchmark_mode(settings):
    settings.BENCHMARK_BASELINE = False
    with pytest.raises(Http404):
        benchmark.baseline(RequestFactory().get("/"), 10)


def test_the_baseline_answers_with_a_body_of_the_requested_size_and_type(settings):
    settings.BENCHMARK_BASELINE = True
    response = benchmark.baseline(RequestFactory().get("/", {"type": "json"}), 1234)
    assert len(response.content) == 1234
    assert response["Content-Type"] == "application/json"
    with pytest.raises(Http404):
        benchmark.baseline(RequestFactory().get("/"), benchmark.MAX_BASELINE_BYTES + 1)


def test_the_query_count_header_counts_the_queries_of_the_request():
    def view(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT 2")
        return HttpResponse("ok")

    response = benchmark.QueryCountMiddleware(view)(RequestFactory().get("/"))
    assert response["X-Query-Count"] == "2"
