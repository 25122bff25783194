"""The identity seam refuses actions to users without the permission, and the one export function
masks PHI for roles that may not see it and audits every export."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import text

from rcmwatch import audit
from rcmwatch.errors import PermissionDenied
from rcmwatch.export import export_csv
from rcmwatch.identity import DEMO_ADMIN, User, acting_as, current_user, require

EXECUTIVE = User("cfo", "Chief Financial Officer", frozenset({"executive"}))
MANAGER = User("rcm", "Revenue-cycle manager", frozenset({"revenue_cycle_manager"}))
NOBODY = User("guest", "Guest", frozenset())

FRAME = pl.DataFrame(
    {
        "pcn": ["A1", "A2"],
        "last_name": ["ZZTEST-DOE", None],
        "birth_date": ["1980-02-29", "1975-01-01"],
        "denied_cents": [30000, -5],
    }
)


def test_demo_admin_until_sign_in_and_acting_as():
    assert current_user() == DEMO_ADMIN
    with acting_as(EXECUTIVE):
        assert current_user() is EXECUTIVE
    assert current_user() == DEMO_ADMIN


def test_permission_refused_with_a_readable_reason():
    with pytest.raises(PermissionDenied) as err:
        require("approve_job", EXECUTIVE)
    assert str(err.value) == ("Chief Financial Officer (cfo) may not approve remediation jobs")
    assert require("approve_job", DEMO_ADMIN) is DEMO_ADMIN


def test_unknown_permission_is_a_programming_error():
    with pytest.raises(KeyError):
        EXECUTIVE.can("launch_rockets")


def test_export_refused_without_permission_writes_nothing(sqlite_store, clock):
    with pytest.raises(PermissionDenied):
        export_csv(FRAME, name="denials", store=sqlite_store, clock=clock, user=NOBODY)
    with sqlite_store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar() == 0


def test_export_masks_phi_for_executives_and_audits(sqlite_store, clock):
    data = export_csv(FRAME, name="denials", store=sqlite_store, clock=clock, user=EXECUTIVE)
    assert data.decode().splitlines() == [
        "pcn,last_name,birth_date,denied",
        "A1,***,***,300.00",
        "A2,,***,-0.05",
    ]
    with sqlite_store.read() as conn:
        row = conn.execute(text("SELECT actor, action, subject_key FROM audit_event")).one()
        assert tuple(row) == ("cfo", "export_csv", "denials")
        assert audit.verify_chain(conn) is None


def test_export_unmasked_for_a_role_that_needs_phi(sqlite_store, clock):
    with acting_as(MANAGER):
        data = export_csv(FRAME, name="denials", store=sqlite_store, clock=clock)
    assert "ZZTEST-DOE" in data.decode()
