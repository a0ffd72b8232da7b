"""The REST surface fuzzed from its own OpenAPI description with schemathesis: for every route,
no 500 and no answer that breaks the schema, in a bounded number of generated requests."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

import factorlab as fl
from factorlab.serve import Access, create_app

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
)

TOKEN = "fuzz-token"
EXAMPLES = 30  # per route: enough to reach the edges
REQUEST_S = 10.0  # the longest one generated request may take
TRIED: list[str] = []


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, closed_port_url):
    ds = fl.load_dataset("sample", n_tickers=25, years=3, seed=7)
    analyst = fl.Analyst(host=closed_port_url(), cache_dir=tmp_path_factory.mktemp("fuzz"))
    # Every call is let through the model-call limit: the fuzzer tests the routes, not the limit.
    # Each case takes at most REQUEST_S (a 503 after), so the run is bounded in time too.
    access = Access(token=TOKEN, model_calls_per_minute=10**6)
    app = create_app(ds, analyst, timeout_s=REQUEST_S, access=access)
    return schemathesis.openapi.from_asgi(
        "/openapi.json", app, headers={"Authorization": f"Bearer {TOKEN}"}
    )


ROUTES = [
    ("GET", "/health"),
    ("GET", "/screen"),
    ("POST", "/analyze"),
    ("POST", "/portfolio-report"),
    ("POST", "/backtest"),
]


@pytest.mark.filterwarnings("ignore:cost_bps=")  # generated costs of a billionth of a bp
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_no_route_answers_a_500_or_breaks_its_schema(api_schema, method, path):
    # Hypothesis strategies from schemathesis (its pytest plugin's lazy loader fails on pytest 9)
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case):
        TRIED.append(f"{method} {path}")
        case.call_and_validate(
            headers={"Authorization": f"Bearer {TOKEN}"},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )

    run()


def test_every_route_of_the_schema_is_fuzzed(api_schema, capsys):
    described = {
        (result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()
    }
    assert described == set(ROUTES)  # a new route would go unfuzzed: add it to ROUTES
    if not TRIED:
        pytest.skip("the count is printed after the fuzzing tests of this module run")
    with capsys.disabled():
        print(f"\nschemathesis tried {len(TRIED)} cases on {len(set(TRIED))} routes")
    assert len(TRIED) >= len(ROUTES) * 5
