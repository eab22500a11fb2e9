"""A bounded schemathesis run against the real API (``api_url``): every operation, a fixed seed, and no answer that
is a server error or that does not match the documented schema.

Shopper and public operations run with a sandbox shopper's token, ``/api/v1/admin`` ones with a staff owner's, and
the two logouts last, each with a token of its own (each ends the token it is given). The run has data of its own
— a product, an address, a cart line, a paid and shipped order with a refund request, an unpaid order, a distributor
and an application — and schemathesis draws most path and body ids from it, so that cases reach the rules behind
the 404s. ``committed`` empties every table afterwards.

``MALL_FUZZ_EXAMPLES`` (default 15) sets the cases per operation and phase; logs and JUnit reports go to
``tests/_artifacts/fuzz/``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx
from sqlalchemy import select

from domain.db import unit_of_work
from domain.distribution.distributors import apply
from domain.models import User
from domain.orders.cart import add_to_cart
from domain.orders.refunds import RefundItem, request_refund
from tests.builders import approve_distributor, make_address, make_product, make_staff, make_user, pay, place, ship
from tests.support import ROOT

SEED = 20260801
EXAMPLES = int(os.environ.get("MALL_FUZZ_EXAMPLES", "15"))
CHECKS = "not_a_server_error,response_schema_conformance"
PHASES = "examples,coverage,fuzzing"
TIME_LIMIT_SECONDS = 240  # the whole run, all four parts; it takes about a third of that
PASSWORD = "pass-word-123"  # make_staff's
ARTIFACTS = ROOT / "tests" / "_artifacts" / "fuzz"
# How often a drawn id is one of the run's own records rather than any value the schema allows.
KNOWN_ID_PROBABILITY = 0.7


@dataclass
class Run:
    name: str
    token: str
    selection: tuple[str, ...]


def test_every_operation_answers_without_a_server_error_and_as_documented(api_url, sandbox_url, committed):
    owner = _owner(committed)
    shopper_token = _shopper_token(api_url, "fuzz")
    ids = _own_data(committed, sandbox_url)
    config = _config(ids)
    runs = [
        Run("shopper", shopper_token, ("--exclude-path-regex", "^/api/v1/admin/", "--exclude-path",
                                       "/api/v1/auth/logout")),
        Run("staff", _staff_token(api_url, owner), ("--include-path-regex", "^/api/v1/admin/", "--exclude-path",
                                                    "/api/v1/admin/auth/logout")),
        Run("shopper-logout", _shopper_token(api_url, "fuzz-leaver"), ("--include-path", "/api/v1/auth/logout")),
        Run("staff-logout", _staff_token(api_url, owner), ("--include-path", "/api/v1/admin/auth/logout")),
    ]
    started = time.monotonic()
    results = [_schemathesis(api_url, config, run) for run in runs]
    elapsed = time.monotonic() - started
    summary = {r["name"]: {k: r[k] for k in ("operations", "cases", "server_errors", "exit", "seconds")}
               for r in results}
    (ARTIFACTS / "summary.json").write_text(json.dumps({"seconds": round(elapsed, 1), "runs": summary}, indent=2))
    print(f"\nschemathesis, seed {SEED}, {EXAMPLES} examples: {json.dumps(summary)}, {elapsed:.0f}s in all")
    everything = httpx.get(f"{api_url}/openapi.json").json()["paths"]
    operations = sum(1 for item in everything.values() for method in item if method in _METHODS)
    assert sum(r["operations"] for r in results) == operations, "every operation is fuzzed exactly once"
    failed = [f"{r['name']} (exit {r['exit']}):\n{r['output'][-8000:]}" for r in results if r["exit"] != 0]
    assert not failed, "\n\n".join(failed)
    assert all(r["server_errors"] == 0 for r in results)
    assert elapsed < TIME_LIMIT_SECONDS, f"the fuzz run took {elapsed:.0f}s"


_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _schemathesis(api_url: str, config: str, run: Run) -> dict:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    config_file = ARTIFACTS / "schemathesis.toml"
    config_file.write_text(config)
    junit = ARTIFACTS / f"{run.name}.xml"
    # One worker: with two, Python 3.11.7's ast module (hypothesis describes lambdas with it) is not thread-safe
    # and a run has crashed with "SystemError: AST constructor recursion depth mismatch". One is as fast here.
    args = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config_file), "run",
            f"{api_url}/openapi.json", "--url", api_url, "--checks", CHECKS, "--phases", PHASES,
            "--seed", str(SEED), "--max-examples", str(EXAMPLES), "--no-shrink", "--workers", "1",
            "--request-timeout", "30", "--header", f"Authorization: Bearer {run.token}", *run.selection,
            "--report", "junit", "--report-junit-path", str(junit)]
    started = time.monotonic()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS,
                          env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"})
    output = done.stdout + done.stderr
    (ARTIFACTS / f"{run.name}.log").write_text(output)
    operations = re.search(r"Operations:\s+(\d+) selected", output)
    cases = re.search(r"Test cases:\s*\n\s*(\d+) generated", output)
    server_errors = re.search(r"Server error: (\d+)", output)
    return {"name": run.name, "exit": done.returncode, "output": output, "seconds": round(time.monotonic() - started, 1),
            "operations": int(operations.group(1)) if operations else 0,
            "cases": int(cases.group(1)) if cases else 0,
            "server_errors": int(server_errors.group(1)) if server_errors else 0}


def _owner(committed) -> str:
    with unit_of_work(committed) as session:
        return make_staff(session, "owner").username


def _shopper_token(api_url: str, name: str) -> str:
    answer = httpx.post(f"{api_url}/api/v1/auth/login", json={"code": f"sandbox-{name}"})
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def _staff_token(api_url: str, username: str) -> str:
    answer = httpx.post(f"{api_url}/api/v1/admin/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def _own_data(committed, sandbox_url: str) -> dict[str, list]:
    """The fuzz run's records, committed, and their ids by the parameter names that carry them."""
    with unit_of_work(committed) as session:
        shopper = session.scalar(select(User).where(User.openid == "o_sandbox_fuzz"))
        approve_distributor(session, shopper)
        product = make_product(session, prices=(1990, 2990), stock=500)
        skus = [sku.id for sku in product.skus]
        address = make_address(session, shopper)
        shipped = place(session, shopper, [(skus[0], 2), (skus[1], 1)], address=address)
        pay(session, shipped, sandbox_url)
        ship(session, shipped)
        unpaid = place(session, shopper, [(skus[0], 1)], address=address)
        refund = request_refund(session, user=shopper, order_id=shipped.id, reason="尺码不合适",
                                items=[RefundItem(order_line_id=shipped.lines[0].id, quantity=1)])
        inviter = make_user(session, "fuzz-inviter")
        approve_distributor(session, inviter)
        applicant = make_user(session, "fuzz-applicant")
        application = apply(session, user=applicant, real_name="测试申请", phone="13700137000", reason="")
        item = add_to_cart(session, user=shopper, sku_id=skus[1], quantity=1)
        return {"product_id": [product.id], "sku_id": skus, "address_id": [address.id], "item_id": [item.id],
                "order_id": [shipped.id, unpaid.id], "order_line_id": [line.id for line in shipped.lines],
                "refund_id": [refund.id], "application_id": [application.id], "user_id": [shopper.id, inviter.id],
                "invite_code": [inviter.invite_code]}


def _config(ids: dict[str, list]) -> str:
    """schemathesis.toml: a dictionary of known ids per name, bound to the path and body fields that carry it."""
    bindings = {
        "product_id": ["path.product_id", "body.product_ids[*]"],
        "sku_id": ["body.sku_id", "body.items[*].sku_id"],
        "address_id": ["path.address_id", "body.address_id"],
        "item_id": ["path.item_id"],
        "order_id": ["path.order_id"],
        "order_line_id": ["body.lines[*].order_line_id"],
        "refund_id": ["path.refund_id"],
        "application_id": ["path.application_id"],
        "user_id": ["path.user_id", "body.user_ids[*]"],
        "invite_code": ["body.invite_code"],
    }
    lines = []
    for name, values in ids.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    for name, keys in bindings.items():
        for key in keys:
            lines.append(f'"{key}" = {{ dictionary = "{name}", probability = {KNOWN_ID_PROBABILITY} }}')
    return "\n".join(lines) + "\n"
