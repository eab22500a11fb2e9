"""Every operation in /openapi.json documents the refusals it can give, with the error body's schema.

What each operation must document is read from the route itself, not from a list kept by hand: an operation that
takes input (path, query, header or body) can answer 422; one behind a sign-in guard, 401; one behind a staff
guard, 403; one with an id in its path, 404.
"""

from __future__ import annotations

import inspect

import pytest
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from backend import deps
from backend.app import create_app

# request_token: the token alone, for an endpoint that looks its user up in its own unit of work (placing an order).
SHOPPER_GUARDS = {deps.current_user, deps.request_token}
STAFF_GUARDS = {deps.current_staff, deps.standalone_actor}
# Reads the token but lets a visitor without one through (product detail shows the anonymous view).
OPTIONAL_SIGN_IN = {deps.optional_user}

APP = create_app()
# Each operation as the app serves it: the full path, and the router's dependencies along with the route's own.
ROUTES = [(method, route) for route in iter_route_contexts(APP.routes)
          if isinstance(route.original_route, APIRoute) and route.include_in_schema
          for method in sorted(route.methods)]


def _dependants(dependant):
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def required_statuses(route: RouteContext) -> set[int]:
    dependants = list(_dependants(route.dependant))
    calls = {d.call for d in dependants}
    takes_input = any(d.path_params or d.query_params or d.header_params or d.cookie_params or d.body_params
                      for d in dependants)
    statuses = set()
    if takes_input:
        statuses.add(422)
    if calls & (SHOPPER_GUARDS | STAFF_GUARDS):
        statuses.add(401)
    if calls & STAFF_GUARDS:
        statuses.add(403)
    if "{" in route.path_format:
        statuses.add(404)
    return statuses


@pytest.fixture(scope="module")
def openapi():
    return APP.openapi()


@pytest.mark.parametrize(("method", "route"), ROUTES, ids=[f"{m} {r.path_format}" for m, r in ROUTES])
def test_every_operation_documents_its_refusals_with_the_error_body(openapi, method, route):
    documented = openapi["paths"][route.path_format][method.lower()]["responses"]
    missing = sorted(required_statuses(route) - {int(s) for s in documented if s.isdigit()})
    assert missing == [], f"{method} {route.path_format} does not document {missing}"
    for status in required_statuses(route):
        schema = documented[str(status)].get("content", {}).get("application/json", {}).get("schema", {})
        assert schema.get("$ref", "").endswith("/ErrorOut"), (
            f"{method} {route.path_format} documents {status} without the error body {{error: {{code, message}}}}")


def test_the_rules_are_read_from_the_routes():
    by_path = {(m, r.path_format): required_statuses(r) for m, r in ROUTES}
    assert by_path[("GET", "/api/v1/categories")] == set()
    assert by_path[("POST", "/api/v1/auth/login")] == {422}
    assert by_path[("GET", "/api/v1/me")] == {401}
    assert by_path[("GET", "/api/v1/products/{product_id}")] == {404, 422}
    assert by_path[("POST", "/api/v1/admin/auth/login")] == {422}
    assert by_path[("GET", "/api/v1/admin/settings")] == {401, 403}
    assert by_path[("PATCH", "/api/v1/admin/products/{product_id}")] == {401, 403, 404, 422}
    assert by_path[("POST", "/api/v1/admin/jobs/{name}/run")] == {401, 403, 404, 422}


def test_every_guard_that_reads_the_token_is_known():
    """A new sign-in dependency in backend/deps.py must join one of the sets above, or this test cannot see it."""
    readers = {fn for _, fn in inspect.getmembers(deps, inspect.isfunction)
               if fn.__module__ == deps.__name__ and fn is not deps.bearer_token
               and "bearer_token(" in inspect.getsource(fn)}
    assert readers == SHOPPER_GUARDS | STAFF_GUARDS | OPTIONAL_SIGN_IN
