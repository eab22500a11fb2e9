"""The members' periodic jobs: ``recompute-levels`` (a repair: growth from the ledger, levels from growth) and
``settle-share-rewards`` (rewards.py)."""

from __future__ import annotations

from domain.db import unit_of_work
from domain.members.growth import recompute_growth
from domain.members.rewards import settle_share_rewards_job

__all__ = ["recompute_levels", "settle_share_rewards_job"]


def recompute_levels() -> int:
    """Every user's growth set to their ledger's sum and their level to what it reaches, in a few statements
    whatever the number of users. Each entry already does both at once; this repairs anything else."""
    with unit_of_work() as session:
        return recompute_growth(session)
