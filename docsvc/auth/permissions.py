"""docs/API.md's roles table, as data: which roles may do each thing.

The public (no credentials) holds no permission; a staff endpoint it calls answers 401.
"""

from __future__ import annotations

STAFF = frozenset({"officer", "records", "attorney", "admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "cases.write": frozenset({"officer", "admin"}),
    "cases.read": STAFF,
    "complainant.view": STAFF,  # every view audited
    "search": STAFF,
    "reports": STAFF,  # counts and money; no complainant identity
    "disclosure": frozenset({"records", "admin"}),
    "bundles": frozenset({"records", "attorney", "admin"}),
    "bundles.certify": frozenset({"records", "admin"}),  # the records custodian signs
    "holds": frozenset({"records", "attorney", "admin"}),
    "retention.list": frozenset({"records", "admin"}),
    "retention.approve": frozenset({"records", "attorney", "admin"}),
    "retention.execute": frozenset({"records", "admin"}),
    "admin": frozenset({"admin"}),
}


def allowed(role: str | None, permission: str) -> bool:
    return role is not None and role in PERMISSIONS[permission]
