from __future__ import annotations

from pydantic import BaseModel, Field

from backend.schemas.common import ReadModel, Strict


class StaffLoginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class StaffLoginOut(ReadModel):
    token: str
    role: str
    username: str
    display_name: str


class JobRunOut(BaseModel):
    job: str
    processed: int
