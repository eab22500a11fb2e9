"""Benchmarks with stated targets: ``make bench`` (or ``python -m bench [checkout|settle]``). PostgreSQL."""
