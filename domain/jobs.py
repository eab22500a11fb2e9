"""The periodic jobs, in one table: what each is called, how often the runner starts it, and the permission
staff need to run it by hand. Each job is idempotent and claims its rows with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so any number of runners may run at once. A job commits in batches through its own units of work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select

from domain import clock
from domain.analytics.risk import scan_risks_job
from domain.audit.service import record_action
from domain.db import get_sessionmaker, unit_of_work
from domain.distribution.settlement import settle_commissions_job
from domain.errors import NotFound
from domain.marketing.jobs import expire_coupons_job
from domain.members.jobs import recompute_levels, settle_share_rewards_job
from domain.models import JobRun
from domain.orders.jobs import auto_receive_shipped, close_unpaid
from domain.payments.jobs import reconcile_payments
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.security.sessions import purge_expired
from domain.wallet.transfers import reconcile_transfers_job

log = logging.getLogger(__name__)


class JobError(StrEnum):
    UNKNOWN_JOB = "unknown_job"


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], int]
    every: timedelta  # how often ``jobs loop`` starts it
    permission: Permission  # what staff need to run it by hand
    description: str


JOBS: tuple[Job, ...] = (
    Job("close-unpaid", close_unpaid, timedelta(minutes=1), Permission.ORDERS_MANAGE,
        "关闭超时未付款的订单（先向微信核对，已付款的记为已付款），退回库存"),
    Job("reconcile-payments", reconcile_payments, timedelta(minutes=5), Permission.ORDERS_MANAGE,
        "向微信核对未付款订单的支付结果，重试已取消订单收款的自动退款"),
    Job("auto-receive", auto_receive_shipped, timedelta(minutes=30), Permission.ORDERS_MANAGE,
        "发货满期限后自动确认收货"),
    Job("settle-commissions", settle_commissions_job, timedelta(minutes=10), Permission.SETTLEMENT,
        "结算已过售后期的佣金"),
    Job("recompute-levels", recompute_levels, timedelta(hours=1), Permission.SETTINGS,
        "按成长值更新会员等级"),
    Job("settle-share-rewards", settle_share_rewards_job, timedelta(minutes=10), Permission.SETTLEMENT,
        "发放已过售后期的分享有礼奖励（受邀人首单已完成且未整单退款）"),
    Job("expire-coupons", expire_coupons_job, timedelta(minutes=10), Permission.MARKETING,
        "将过期未使用的优惠券标记为已过期"),
    Job("purge-expired", purge_expired, timedelta(hours=1), Permission.SETTINGS,
        "清理过期的限流计数和登录令牌"),
    Job("scan-risks", scan_risks_job, timedelta(hours=1), Permission.WITHDRAWALS,
        "扫描风险信号（买家与邀请人共用手机、收货地址或付款人，团队退款率异常，短时间内大量绑定），等待人工复核"),
    Job("reconcile-transfers", reconcile_transfers_job, timedelta(minutes=10), Permission.WITHDRAWALS,
        "向微信核对待确认收款和结果不明的提现转账：已到账的记为已打款，失败、撤销或过期的退回余额"),
)
_BY_NAME = {j.name: j for j in JOBS}


def job_names() -> list[str]:
    return [j.name for j in JOBS]


def get_job(name: str) -> Job:
    job = _BY_NAME.get(name)
    if job is None:
        raise NotFound(JobError.UNKNOWN_JOB, f"没有名为 {name} 的任务（可选：{', '.join(_BY_NAME)}）")
    return job


def run_job(name: str, *, actor: Actor | None = None) -> int:
    """Run one job now. Staff who trigger it (``actor``) need the job's permission, and the run is audited;
    the job runner and the CLI run without one."""
    job = get_job(name)
    if actor is not None:
        actor.require(job.permission)
    started = clock.now()
    processed = job.run()
    with unit_of_work(get_sessionmaker()) as session:
        session.add(JobRun(job=name, started_at=started, finished_at=clock.now(), processed=processed))
        if actor is not None:
            record_action(session, actor=actor, action="job.run", entity_type="job", entity_id=name,
                          after={"processed": processed})
    log.info("job %s processed %d", name, processed)
    return processed


def due_jobs(*, now: datetime | None = None) -> list[Job]:
    """The jobs whose last run started at least their interval ago (or never ran), for ``jobs loop``.
    Runners on other hosts count too: the runs are in the database."""
    now = now or clock.now()
    with unit_of_work(get_sessionmaker(read_only=True)) as session:
        last = dict(session.execute(select(JobRun.job, func.max(JobRun.started_at)).group_by(JobRun.job)).all())
    return [j for j in JOBS if j.name not in last or now - last[j.name] >= j.every]
