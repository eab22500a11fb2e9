"""Refusal codes of distribution: binding, applications, distributors and promotion material."""

from __future__ import annotations

from enum import StrEnum


class DistributionError(StrEnum):
    # Binding an inviter
    INVITE_CODE_NOT_FOUND = "invite_code_not_found"
    CANNOT_BIND_SELF = "cannot_bind_self"
    ALREADY_BOUND = "already_bound"
    BINDING_CLOSED = "binding_closed"
    BINDING_CYCLE = "binding_cycle"
    # Applying to become a distributor, and the review
    INVALID_REAL_NAME = "invalid_real_name"
    INVALID_REASON = "invalid_reason"
    ALREADY_DISTRIBUTOR = "already_distributor"
    APPLICATION_PENDING = "application_pending"
    APPLICATION_NOT_FOUND = "application_not_found"
    APPLICATION_ALREADY_REVIEWED = "application_already_reviewed"
    # Distributors: disable and enable
    DISTRIBUTOR_NOT_FOUND = "distributor_not_found"
    DISTRIBUTOR_ALREADY_ENABLED = "distributor_already_enabled"
    DISTRIBUTOR_ALREADY_DISABLED = "distributor_already_disabled"
    REASON_REQUIRED = "reason_required"
    # Promotion material (codes, posters) and commissions are for distributors who qualify now
    NOT_DISTRIBUTOR = "not_distributor"
