"""The commands of docs/architecture.md ("Commands"), run as a newcomer or an operator would."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, select

from domain.db import unit_of_work
from domain.errors import CommonError
from domain.jobs import JobError, run_job
from domain.models import AuditEntry, Product, Staff
from domain.security.actor import Actor
from domain.security.roles import Role
from domain.staff.errors import StaffError
from tests.builders import make_product
from tests.refusals import refused
from tests.support import ROOT


def backend(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "backend", *args], input=stdin, text=True, capture_output=True,
                          cwd=ROOT, timeout=120)


def test_create_staff_reads_the_password_on_stdin_and_refuses_bad_input(committed):
    done = backend("create-staff", "cli_finance", "--role", "finance", stdin="finance-secret-1\n")
    assert done.returncode == 0, done.stderr
    assert "cli_finance" in done.stdout
    weak = backend("create-staff", "cli_weak", "--role", "finance", stdin="short\n")
    assert weak.returncode == 2 and StaffError.WEAK_PASSWORD in weak.stderr
    taken = backend("create-staff", "cli_finance", "--role", "owner", stdin="another-secret-1\n")
    assert taken.returncode == 2 and StaffError.USERNAME_TAKEN in taken.stderr
    with unit_of_work(committed) as s:
        staff = s.scalar(select(Staff).where(Staff.username == "cli_finance"))
        assert staff.role == "finance" and staff.password_hash.startswith("$argon2id$")


def test_seed_demo_builds_a_shop_and_is_safe_to_run_twice(committed, sandbox_url):
    first = backend("seed", "--demo")
    assert first.returncode == 0, first.stderr
    again = backend("seed", "--demo")
    assert again.returncode == 0 and "skipped" in again.stdout
    with unit_of_work(committed) as s:
        assert s.scalar(select(func.count()).select_from(Product)) >= 20


def test_jobs_run_lists_every_job(committed):
    done = backend("jobs", "run")
    assert done.returncode == 0, done.stderr
    for name in ("close-unpaid", "reconcile-payments", "auto-receive", "settle-commissions", "recompute-levels"):
        assert f"{name}: processed" in done.stdout
    unknown = backend("jobs", "run", "--job", "nope")
    assert unknown.returncode == 2 and JobError.UNKNOWN_JOB in unknown.stderr


def test_backup_and_restore_bring_the_data_back(committed):
    with unit_of_work(committed) as s:
        make_product(s, title="备份前的商品")
    made = backend("backup")
    assert made.returncode == 0, made.stderr
    path = made.stdout.strip().split()[-1]
    with unit_of_work(committed) as s:
        s.query(Product).filter(Product.title == "备份前的商品").update({"title": "改过的标题"})
    restored = backend("restore", path)
    assert restored.returncode == 0, restored.stderr
    with unit_of_work(committed) as s:
        assert s.scalar(select(Product.title).where(Product.title == "备份前的商品")) == "备份前的商品"


def test_staff_running_a_job_needs_the_permission_and_is_audited(committed):
    with refused(CommonError.FORBIDDEN, status=403):
        run_job("settle-commissions", actor=Actor(staff_id=None, username="ana", role=Role.ANALYST))
    assert run_job("settle-commissions", actor=Actor(staff_id=None, username="fin", role=Role.FINANCE)) == 0
    with unit_of_work(committed) as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "job.run")).all()
        assert [(e.actor, e.entity_id, e.after) for e in entries] == [("fin", "settle-commissions", {"processed": 0})]
