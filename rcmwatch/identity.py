"""The identity seam: who is acting, and may they?

Every page calls :func:`current_user` through the page set-up, and every function that changes
state (or unmasks or exports data) calls :func:`require` with the permission it needs — enforced
where the action happens, not by hiding buttons. Until sign-in is built, the acting user is the
built-in demo administrator; sign-in (local accounts, OIDC) will plug in through
:func:`acting_as` / the Streamlit session, without callers changing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from rcmwatch.errors import PermissionDenied

# permission → what it lets a user do (used in the error a refused user sees).
PERMISSIONS: dict[str, str] = {
    "view_dashboard": "view the dashboard",
    "view_phi": "see unmasked patient data",
    "export_data": "export data",
    "request_job": "request remediation jobs",
    "approve_job": "approve remediation jobs",
    "approve_financial_job": "approve jobs that change financial postings",
    "run_checks": "run data-quality checks",
    "collect_sources": "start a collection",
    "change_reference_data": "change reference data (payers, facilities, CARC table)",
    "approve_reference_change": "approve reference-data changes",
    "manage_users": "manage users and roles",
    "view_audit": "read the audit log",
}


@dataclass(frozen=True)
class RoleDef:
    description: str
    permissions: frozenset[str]


_ALL = frozenset(PERMISSIONS)
ROLES: dict[str, RoleDef] = {
    "executive": RoleDef(
        "CFO / revenue-cycle executive: reads every KPI, exports",
        frozenset({"view_dashboard", "export_data"}),
    ),
    "revenue_cycle_manager": RoleDef(
        "Runs work queues and denials; requests remediation; sees patient data",
        frozenset({"view_dashboard", "export_data", "view_phi", "request_job", "run_checks"}),
    ),
    "control_board": RoleDef(
        "Automation control board: overrides, rule/model versions, approvals, audit",
        frozenset(
            {
                "view_dashboard",
                "export_data",
                "approve_job",
                "approve_financial_job",
                "approve_reference_change",
                "view_audit",
            }
        ),
    ),
    "integration_ops": RoleDef(
        "Integration operations: interfaces, dead letters, collectors, retries",
        frozenset(
            {
                "view_dashboard",
                "export_data",
                "request_job",
                "approve_job",
                "collect_sources",
                "run_checks",
            }
        ),
    ),
    "admin": RoleDef("Administrator: everything", _ALL),
}


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    roles: frozenset[str]
    # None: every facility; else the facility ids this user is scoped to.
    facility_ids: frozenset[int] | None = None
    is_demo: bool = False
    permissions: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        unknown = self.roles - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        perms: set[str] = set()
        for role in self.roles:
            perms |= ROLES[role].permissions
        object.__setattr__(self, "permissions", frozenset(perms))

    def can(self, permission: str) -> bool:
        if permission not in PERMISSIONS:
            raise KeyError(f"unknown permission {permission!r}")
        return permission in self.permissions


DEMO_ADMIN = User("demo-admin", "Demo administrator", frozenset({"admin"}), is_demo=True)

_acting: ContextVar[User | None] = ContextVar("rcmwatch_acting_user", default=None)


def current_user() -> User:
    """The user acting now: the one set by sign-in (or a test), else the demo administrator."""
    return _acting.get() or DEMO_ADMIN


@contextlib.contextmanager
def acting_as(user: User) -> Iterator[User]:
    token = _acting.set(user)
    try:
        yield user
    finally:
        _acting.reset(token)


def require(permission: str, user: User | None = None) -> User:
    """Return the acting user if they hold ``permission``; else raise :class:`PermissionDenied`."""
    user = user or current_user()
    if not user.can(permission):
        raise PermissionDenied(
            f"{user.display_name} ({user.username}) may not {PERMISSIONS[permission]}"
        )
    return user
