"""What staff may do now with a distributor application or a distributor: the one answer that the operations,
the admin API and the screens read (see docs/state-machines.md, "Distributors")."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from domain.models import ApplicationStatus, DistributorApplication
from domain.security.actor import Viewer
from domain.security.roles import Permission


class ApplicationAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class DistributorAction(StrEnum):
    DISABLE = "disable"  # stops earning from the next order; needs a reason
    ENABLE = "enable"


class Switchable(Protocol):
    """A distributor row or its read model: all that the decision needs."""

    is_enabled: bool


def application_actions(application: DistributorApplication, viewer: Viewer) -> tuple[ApplicationAction, ...]:
    """A pending application is approved or rejected, once, by staff with the DISTRIBUTORS permission."""
    if not viewer.can(Permission.DISTRIBUTORS) or application.status != ApplicationStatus.PENDING:
        return ()
    return ApplicationAction.APPROVE, ApplicationAction.REJECT


def distributor_actions(distributor: Switchable, viewer: Viewer) -> tuple[DistributorAction, ...]:
    """An enabled distributor can be disabled, a disabled one enabled."""
    if not viewer.can(Permission.DISTRIBUTORS):
        return ()
    return (DistributorAction.DISABLE,) if distributor.is_enabled else (DistributorAction.ENABLE,)
