"""The model ``AgentRegistry`` is one agent: ``Agent`` (issue 18). No SQL: the table stays ``agent_registry``.

``db_table`` is set, so ``RenameModel`` renames nothing in the database (every
table, column, index, constraint and function keeps its name): it changes the
model state only. The content type is renamed (``agents.agentregistry``
becomes ``agents.agent``) and the admin's URLs become ``/admin/agents/agent/``
(the old ones redirect there, ``raptorflow/urls.py``). The model permissions
are renamed with it (``view_agentregistry`` becomes ``view_agent``...), so the
users and groups holding them keep their access. On a fresh database there are
no content types or permissions yet: Django creates them after ``migrate``,
already for ``agent``.

Both renames are SQL. Django would add its own content type rename, a
``RunPython`` (``RenameContentType``), after a top-level ``RenameModel``, and
hand it every model rendered again from scratch; the ``RenameModel`` is
therefore wrapped in ``SeparateDatabaseAndState`` (it has no SQL anyway), and
the content type rename does what ``RenameContentType`` does: nothing when the
new name is taken already (a stale row; ``remove_stale_contenttypes`` deals
with it).
"""

from django.db import migrations

from raptorflow.migration_ops import Batch

ACTIONS = ("add", "change", "delete", "view")


def rename_permissions(old: str, new: str) -> str:
    """The agents app's model permissions ``<action>_<old>`` renamed ``<action>_<new>``: SQL, not ``RunPython``.

    (A ``RunPython`` would make Django render every model again just to hand
    them to the function.) On a fresh database there is nothing to rename yet:
    Django creates the permissions after ``migrate``, already as ``*_agent``.
    """
    codenames = ", ".join(f"'{action}_{old}'" for action in ACTIONS)
    return (
        f"UPDATE auth_permission SET codename = left(codename, -length('{old}')) || '{new}'"
        " WHERE content_type_id IN (SELECT id FROM django_content_type WHERE app_label = 'agents')"
        f" AND codename IN ({codenames});"
    )


def rename_content_type(old: str, new: str) -> str:
    """The agents app's content type ``old`` renamed ``new``, unless ``new`` exists already: Django's ``RenameContentType``."""
    return (
        f"UPDATE django_content_type SET model = '{new}' WHERE app_label = 'agents' AND model = '{old}'"
        f" AND NOT EXISTS (SELECT 1 FROM django_content_type WHERE app_label = 'agents' AND model = '{new}');"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0004_functions_and_triggers"),
        # Insight.generated_by_agent points at the renamed model.
        ("intelligence", "0003_functions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RenameModel(old_name="AgentRegistry", new_name="Agent")],
        ),
        migrations.RunSQL(rename_content_type("agentregistry", "agent"), rename_content_type("agent", "agentregistry")),
        Batch(migrations.AlterModelOptions(
            name="agent",
            options={"ordering": ["tier", "domain", "name"], "verbose_name": "agent", "verbose_name_plural": "agents"},
        )),
        migrations.RunSQL(rename_permissions("agentregistry", "agent"), rename_permissions("agent", "agentregistry")),
    ]
