"""Periodic jobs. Each is idempotent and claims its rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
so any number of runners may run at once. A job commits in batches through its own units of work."""

from __future__ import annotations

import logging
from collections.abc import Callable

from domain import clock
from domain.audit.service import record_action
from domain.db import get_sessionmaker, unit_of_work
from domain.errors import NotFound
from domain.models import JobRun
from domain.security.roles import Permission

log = logging.getLogger(__name__)

JobFn = Callable[[], int]
_JOBS: dict[str, JobFn] = {}


def job(name: str) -> Callable[[JobFn], JobFn]:
    def register(fn: JobFn) -> JobFn:
        _JOBS[name] = fn
        return fn

    return register


def job_names() -> list[str]:
    _load()
    return list(_JOBS)


def run_job(name: str, *, actor=None) -> int:
    """Run one job now. Staff who trigger it (``actor``) need the JOBS permission, and the run is audited;
    the job runner and the CLI run without one."""
    _load()
    fn = _JOBS.get(name)
    if fn is None:
        raise NotFound("unknown_job", f"没有名为 {name} 的任务（可选：{', '.join(_JOBS)}）")
    if actor is not None:
        actor.require(Permission.JOBS)
    started = clock.now()
    processed = fn()
    with unit_of_work(get_sessionmaker()) as session:
        session.add(JobRun(job=name, started_at=started, finished_at=clock.now(), processed=processed))
        if actor is not None:
            record_action(session, actor=actor, action="job.run", entity_type="job", entity_id=name,
                          after={"processed": processed})
    log.info("job %s processed %d", name, processed)
    return processed



def _load() -> None:
    # Job modules register themselves on import.
    import domain.distribution.settlement  # noqa: F401
    import domain.members.jobs  # noqa: F401
    import domain.orders.jobs  # noqa: F401
