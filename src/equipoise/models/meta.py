"""Facts about the dataset itself (how and when it was built), as key/value pairs."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import Json


class DatasetFact(Base):
    __tablename__ = "dataset_facts"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[object] = mapped_column(Json)
