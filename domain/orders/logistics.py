"""Logistics tracking. Staff can add events by hand; a real tracker (快递100, 快递鸟 …) plugs in through
``Tracker`` and ``MALL_LOGISTICS_TRACKER=module:factory``, and its events are merged in when the buyer looks."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Protocol

from domain.config import get_config

CARRIERS = ("顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "京东物流", "EMS", "极兔速递", "德邦快递")


@dataclass(frozen=True)
class TrackedEvent:
    time: datetime
    text: str


class Tracker(Protocol):
    def events(self, carrier: str, tracking_no: str) -> list[TrackedEvent]:
        """All events known for a parcel, any order; an empty list when nothing is known."""


class StaffEntered:
    """No external source: the timeline is what staff recorded."""

    def events(self, carrier: str, tracking_no: str) -> list[TrackedEvent]:
        return []


@lru_cache
def _tracker_for(spec: str) -> Tracker:
    if not spec:
        return StaffEntered()
    module, _, factory = spec.partition(":")
    return getattr(importlib.import_module(module), factory)()


def get_tracker() -> Tracker:
    return _tracker_for(get_config().logistics_tracker)
