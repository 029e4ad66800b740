"""The open data API keeps the promises of its OpenAPI document (/api/schema), checked by schemathesis.

For every operation the document describes, schemathesis generates requests from the document (valid
and invalid parameters, the documented examples) and sends them to the WSGI application over a database
with a published call. No answer may be a server error, and every answer must be documented: its status
code, its content type and its body's schema. Hypothesis runs a bounded, derandomised number of examples
per operation, so the run is the same in CI every time.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from tests import factories
from tests.integration.publication_support import published_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 40
OPERATIONS = {
    "GET /api/v1/",
    "GET /api/v1/calls",
    "GET /api/v1/calls/{id}",
    "GET /api/v1/grants",
    "GET /api/v1/grants/{id}",
    "GET /api/v1/organisations",
    "GET /api/v1/organisations/{id}",
    "GET /api/v1/regions",
    "GET /api/v1/regions/{id}",
}

# The generated tests and the last one share `sent`, so they run in one process, in this order, when the
# suite runs in parallel (pytest-xdist with --dist loadgroup, as `make test` runs it).
pytestmark = pytest.mark.xdist_group("api_schemathesis")

# Requests sent and their statuses, per operation (read by the last test).
sent: Counter[tuple[str, int]] = Counter()


# The document as a client reads it (the schema view reads no database).
schema = schemathesis.openapi.from_wsgi("/api/schema", get_wsgi_application())


@pytest.fixture
def world(db):
    """Published results (and a joint authority, and the municipality of the documented examples).

    The requests go through the real WSGI handler, whose request signals would close the database
    connection, and with it the test's transaction (PostgreSQL); Django's test client keeps it open the
    same way, by leaving `close_old_connections` out while the test runs."""
    published_world(5, n_rejected=2)
    published_world(2, n_rejected=0, generated=True, slug="digi-2019")
    factories.joint_authority("Kuntayhtymä Testi", business_id="0201256-6")
    factories.municipality("Porvoo", code="638", name_sv="Borgå")
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_documented_promises(case, world):
    response = case.call_and_validate(checks=CHECKS)
    sent[(f"{case.method} {case.path}", response.status_code)] += 1


def test_every_operation_was_exercised():
    """Runs after the generated tests (pytest keeps the file's order): each operation got requests,
    the lists and the documented examples answered 200, and invalid parameters 422."""
    if not sent:
        pytest.skip("run together with test_the_api_keeps_its_documented_promises")
    operations = {operation for operation, _status in sent if operation.startswith("GET ")}
    assert operations == OPERATIONS
    # Other methods are tried too (schemathesis' coverage phase): they are refused with 405.
    assert all(status == 405 for (operation, status) in sent if not operation.startswith("GET "))
    statuses = {(operation, status) for operation, status in sent}
    for operation in OPERATIONS:
        assert (operation, 200) in statuses, operation
    assert ("GET /api/v1/grants", 422) in statuses
    assert ("GET /api/v1/grants/{id}", 404) in statuses
    gets = {key: n for key, n in sent.items() if key[0].startswith("GET ")}
    others = sum(sent.values()) - sum(gets.values())
    summary = ", ".join(f"{op[4:]} {status}×{n}" for (op, status), n in sorted(gets.items()))
    print(f"schemathesis: {len(operations)} operations, {sum(gets.values())} GET requests ({summary}); {others} other requests, all 405")
