"""A validated profile, read by the rest of the code through names rather than dict keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Profile:
    data: dict[str, Any]

    @property
    def code(self) -> str:
        return self.data["code"]

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def timezone(self) -> str:
        return self.data["timezone"]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def case_prefix(self) -> str:
        return self.data["case_number_prefix"]

    @property
    def complaints(self) -> dict[str, Any]:
        return self.data["complaints"]

    @cached_property
    def violation_types(self) -> dict[str, dict[str, Any]]:
        return {v["code"]: v for v in self.data["violation_types"]}

    @property
    def document_types(self) -> dict[str, dict[str, Any]]:
        return self.data["document_types"]

    @property
    def public_records(self) -> dict[str, Any]:
        return self.data["public_records"]

    def extra_closures(self) -> set[date]:
        return {date.fromisoformat(d) for d in self.data["calendar"].get("extra_closures", [])}
