"""Who may write what in a workspace: the role matrix.

Every member reads everything of their workspace. Writes depend on the
membership role and the domain of the data (README, "Roles"):

=========  =======  =========  ============  ======  ============  ======
role       members  campaigns  gamification  agents  intelligence  alerts
=========  =======  =========  ============  ======  ============  ======
owner      write    write      write         write   write         write
admin      write*   write      write         write   write         write
marketer   read     write      read          read    read          read
viewer     read     read       read          read    read          read
=========  =======  =========  ============  ======  ============  ======

(*) An admin manages members and invitations but cannot grant, change or
remove the owner role; only an owner can.

Staff status opens the admin and grants no workspace. A platform superuser
writes everything in the workspace they entered. The admin base classes
(:mod:`raptorflow.admin`) and the marketer pages (``campaigns.views``) ask
:func:`can_write`; the database enforces the members column itself
(``workspace_members`` and ``workspace_invitations`` policies).
"""

from __future__ import annotations

MEMBERS = "members"
CAMPAIGNS = "campaigns"
GAMIFICATION = "gamification"
AGENTS = "agents"
INTELLIGENCE = "intelligence"
ALERTS = "alerts"
# Rows that belong to the signed-in person (their notifications): theirs to mark, whatever the role.
PERSONAL = "personal"

DOMAINS = (MEMBERS, CAMPAIGNS, GAMIFICATION, AGENTS, INTELLIGENCE, ALERTS)

OWNER, ADMIN, MARKETER, VIEWER = "owner", "admin", "marketer", "viewer"
ROLES = (OWNER, ADMIN, MARKETER, VIEWER)
MANAGER_ROLES = frozenset({OWNER, ADMIN})

WRITES: dict[str, frozenset[str]] = {
    OWNER: frozenset(DOMAINS),
    ADMIN: frozenset(DOMAINS),
    MARKETER: frozenset({CAMPAIGNS}),
    VIEWER: frozenset(),
}

# The domain of each model whose app label is not its domain.
_MODEL_DOMAINS = {
    "raptorflow.workspace": MEMBERS,
    "raptorflow.workspacemember": MEMBERS,
    "raptorflow.workspaceinvitation": MEMBERS,
    "raptorflow.user": MEMBERS,
    # Cohorts are the audiences campaigns target.
    "raptorflow.cohort": CAMPAIGNS,
    "alerts.usernotification": PERSONAL,
}


def domain_of(model) -> str:
    """The domain a model's rows belong to in the matrix."""
    opts = model._meta
    return _MODEL_DOMAINS.get(opts.label_lower, opts.app_label)


def role_can_write(role: str | None, domain: str) -> bool:
    if domain == PERSONAL:
        return role is not None
    return role is not None and domain in WRITES.get(role, frozenset())


def can_write(request, domain: str) -> bool:
    """May the request's user write ``domain`` in the request's workspace?"""
    if request.workspace is None:
        return False
    if request.user.is_superuser:
        return True
    membership = request.membership
    return membership is not None and role_can_write(membership.role, domain)


def grantable_roles(role: str | None, *, superuser: bool = False) -> tuple[str, ...]:
    """The roles a member with ``role`` may give to someone (invite, change)."""
    if superuser or role == OWNER:
        return ROLES
    if role == ADMIN:
        return (ADMIN, MARKETER, VIEWER)
    return ()
