"""``serve --workers N``: N uvicorn worker processes, each accepting on its own listening socket (SO_REUSEPORT), so
that the kernel spreads new connections evenly over them.

With one shared socket (uvicorn's own multi-process mode), whichever worker's event loop wakes first accepts every
connection waiting — up to its backlog at once — and keeps them: in a rush that opens 200 connections together one
worker got nine answers in ten while the other sat idle, and latency doubled (bench/flash_sale.py,
docs/architecture.md "Performance"). Where SO_REUSEPORT is missing, uvicorn's own mode is used.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import threading
import time

APP = "backend.app:create_app"


def serve(*, host: str, port: int, workers: int, **options) -> int:
    import uvicorn

    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(APP, factory=True, host=host, port=port, workers=workers, **options)
        return 0
    _listening_socket(host, port).close()  # the port is free (or ours to share): refused here, not by every worker
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> tuple[multiprocessing.Process, float]:
        worker = context.Process(target=_worker, args=(host, port, options), daemon=False)
        worker.start()
        return worker, time.monotonic()

    def stop(*_) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    running, failed = [start() for _ in range(workers)], False
    while not stopping.wait(0.5):
        # A worker that died is replaced, as uvicorn's supervisor does; one that could not start stops the rest.
        for i, (worker, started) in enumerate(running):
            if not worker.is_alive():
                if worker.exitcode and time.monotonic() - started < 10:
                    failed = True
                    stopping.set()
                    break
                running[i] = start()
    for worker, _ in running:
        worker.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
    for worker, _ in running:
        worker.join(timeout=15)
        if worker.is_alive():
            worker.kill()
    return 1 if failed else 0


def _listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(host: str, port: int, options: dict) -> None:
    import uvicorn

    config = uvicorn.Config(APP, factory=True, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[_listening_socket(host, port)])
