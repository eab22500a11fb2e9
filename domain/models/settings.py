from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base


class SettingValue(Base):
    """One business setting; the typed view and the defaults are in ``domain.settings``."""

    __tablename__ = "business_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
