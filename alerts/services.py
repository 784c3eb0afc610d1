"""Writes on alerts and notifications: thin wrappers over the SQL functions.

Every function runs in the current workspace context (the request's, or a
``workspace_context`` block). Those that take ``by`` record that user as the
actor (``app.current_user_id``) for the duration of the call. A function's
``RAISE EXCEPTION`` arrives as :class:`raptorflow.sql.SQLFunctionError` with
its own message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psycopg.types.json import Jsonb

from alerts.models import SystemAlert, UserNotification
from raptorflow.models import User
from raptorflow.sql import SQLFunctionError, call_returning, call_scalar
from raptorflow.tenancy import current_workspace_id, workspace_context


def _as(by: User | None):
    """The current workspace, acting as ``by`` (or the current user when None)."""
    from raptorflow.tenancy import current_user_id

    return workspace_context(current_workspace_id(), user_id=by.pk if by is not None else current_user_id())


def raise_alert(
    *,
    severity: str,
    source: str,
    title: str,
    message: str = "",
    details: dict | None = None,
    fingerprint: str | None = None,
) -> SystemAlert:
    """Raise (or repeat) an alert in the current workspace; see ``raise_system_alert``."""
    return call_returning(
        SystemAlert, "raise_system_alert", severity, source, title, message, Jsonb(details or {}), fingerprint
    )


def acknowledge(*, alert: SystemAlert, by: User | None = None) -> SystemAlert:
    """open -> acknowledged, recorded as done by ``by`` now. Idempotent."""
    with _as(by):
        return call_returning(SystemAlert, "acknowledge_system_alert", alert.pk)


def resolve(*, alert: SystemAlert, by: User | None = None, note: str = "") -> SystemAlert:
    """open/acknowledged -> resolved with ``note``, recorded as done by ``by`` now. Idempotent."""
    with _as(by):
        return call_returning(SystemAlert, "resolve_system_alert", alert.pk, note or None)


@dataclass
class BulkResult:
    """What a bulk action did, alert by alert, in the three outcomes its confirmation page announces.

    ``done``: changed now; ``unchanged``: already in the wanted state (the procedure
    is idempotent and changed nothing); ``refused``: the procedure's message per alert.
    """

    done: list[SystemAlert] = field(default_factory=list)
    unchanged: list[SystemAlert] = field(default_factory=list)
    refused: list[tuple[SystemAlert, str]] = field(default_factory=list)


def _each(alerts, call, already: str) -> BulkResult:
    """Call ``call(alert)`` for each alert; one refused does not stop the others.

    The procedure decides what it refuses; an alert it accepts that was already
    in status ``already`` before the call counts as unchanged, not done.
    """
    result = BulkResult()
    for alert in alerts:
        before = alert.status
        try:
            after = call(alert)
        except SQLFunctionError as exc:
            result.refused.append((alert, str(exc)))
            continue
        (result.unchanged if before == already else result.done).append(after)
    return result


def acknowledge_many(*, alerts, by: User) -> BulkResult:
    """Acknowledge each alert; resolved and platform-wide ones are refused, acknowledged ones unchanged."""
    return _each(alerts, lambda alert: acknowledge(alert=alert, by=by), SystemAlert.Status.ACKNOWLEDGED)


def resolve_many(*, alerts, by: User, note: str = "") -> BulkResult:
    """Resolve each alert with the same note; platform-wide ones are refused, resolved ones unchanged."""
    return _each(alerts, lambda alert: resolve(alert=alert, by=by, note=note), SystemAlert.Status.RESOLVED)


def notify(
    *,
    user: User,
    title: str,
    body: str = "",
    kind: str = UserNotification.Kind.INFO,
    link: str | None = None,
    alert: SystemAlert | None = None,
) -> UserNotification:
    """Notify a member of the current workspace. The row comes back even though only ``user`` may read it."""
    return call_returning(
        UserNotification, "notify_user", user.pk, title, body, kind, link, alert.pk if alert is not None else None
    )


def mark_read(*, notification: UserNotification) -> UserNotification:
    """Mark one of the current user's notifications read (idempotent)."""
    return call_returning(UserNotification, "mark_notification_read", notification.pk)


def mark_all_read() -> int:
    """Mark all of the current user's unread notifications in this workspace read; returns how many."""
    return call_scalar("mark_all_notifications_read")


def unread_count() -> int:
    return call_scalar("unread_notification_count")
