"""``python -m backend serve | sandbox | migrate | seed [--demo [--history]] | create-staff NAME --role ROLE | jobs … |
backup | restore FILE``."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import time

from domain.config import get_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend", description="二级分销商城：服务与运维命令")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)

    sandbox = sub.add_parser("sandbox", help="run the fake WeChat server")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8100)

    sub.add_parser("migrate", help="alembic upgrade head")

    seed = sub.add_parser("seed", help="base settings, member levels and the owner account")
    seed.add_argument("--demo", action="store_true", help="also a demo catalog, shoppers, a distribution tree and orders")
    seed.add_argument("--history", action="store_true",
                      help="with --demo: six months of order history, 40 distributors and 400 shoppers (for analytics)")

    staff = sub.add_parser("create-staff", help="create a staff account; the password is read on stdin")
    staff.add_argument("name")
    staff.add_argument("--role", required=True, choices=["owner", "operator", "support", "finance", "analyst"])
    staff.add_argument("--display-name", default="")

    jobs = sub.add_parser("jobs", help="periodic jobs")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    run = jobs_sub.add_parser("run", help="run jobs once")
    run.add_argument("--job", help="only this job")
    loop = jobs_sub.add_parser("loop", help="run all jobs forever")
    loop.add_argument("--interval", type=int, default=20, help="seconds between looks at which jobs are due")

    dev = sub.add_parser("dev", help="first-run set-up, then sandbox + API + dashboard + jobs (make run)")
    dev.add_argument("--api-port", type=int, default=8000)
    dev.add_argument("--sandbox-port", type=int, default=8100)
    dev.add_argument("--dashboard-port", type=int, default=8501)

    sub.add_parser("backup", help="consistent snapshot into var/backups")
    restore = sub.add_parser("restore", help="bring a snapshot back")
    restore.add_argument("file")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from domain.errors import DomainError

    try:
        return _COMMANDS[args.command](args)
    except DomainError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 2


def _serve(args) -> int:
    from backend.serve import serve

    # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise: only the configured proxies may set it.
    proxies = get_config().trusted_proxies.strip()
    # Idle keep-alive connections are kept 75 s, longer than a gateway's or client pool's idle time-out (uvicorn's
    # 5 s closed connections a client was about to reuse: a reset answer in a rush).
    return serve(host=args.host, port=args.port, workers=args.workers, log_level="info", access_log=False,
                 proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None, timeout_keep_alive=75)


def _sandbox(args) -> int:
    import uvicorn

    from backend.sandbox.app import create_sandbox_app

    uvicorn.run(create_sandbox_app(), host=args.host, port=args.port, log_level="warning")
    return 0


def _migrate(_args) -> int:
    from domain.migrations.runner import upgrade

    upgrade()
    print(f"migrated {get_config().resolved_database_url.split('@')[-1]}")
    return 0


def _seed(args) -> int:
    from backend.seed import seed_base, seed_demo
    from domain.db import unit_of_work

    with unit_of_work() as session:
        created = seed_base(session)
    for line in created:
        print(line)
    if args.demo:
        with unit_of_work() as session:
            for line in seed_demo(session, history=args.history):
                print(line)
    return 0


def _create_staff(args) -> int:
    from domain.db import unit_of_work
    from domain.staff.service import create_staff

    password = getpass.getpass("密码: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    with unit_of_work() as session:
        staff = create_staff(session, username=args.name, password=password, role=args.role,
                             display_name=args.display_name)
        print(f"created staff {staff.username} ({staff.role})")
    return 0


def _jobs(args) -> int:
    from domain.jobs import due_jobs, job_names, run_job

    if args.jobs_command == "run":
        names = [args.job] if args.job else job_names()
        for name in names:
            print(f"{name}: processed {run_job(name)}")
        return 0
    while True:  # jobs loop: every job whose interval has passed (see domain/jobs.py's table)
        for job in due_jobs():
            try:
                run_job(job.name)
            except Exception:  # one failing job must not stop the others
                logging.getLogger("jobs").exception("job %s failed", job.name)
        time.sleep(args.interval)


def _dev(args) -> int:
    from backend.devserver import run_dev

    return run_dev(api_port=args.api_port, sandbox_port=args.sandbox_port, dashboard_port=args.dashboard_port)


def _backup(_args) -> int:
    from domain.backup import make_backup

    path = make_backup()
    print(f"backup written to {path}")
    return 0


def _restore(args) -> int:
    from domain.backup import restore_backup

    restore_backup(args.file)
    print(f"restored {args.file}")
    return 0


_COMMANDS = {
    "serve": _serve, "sandbox": _sandbox, "migrate": _migrate, "seed": _seed, "create-staff": _create_staff,
    "jobs": _jobs, "dev": _dev, "backup": _backup, "restore": _restore,
}
