"""The model ``AgentRegistry`` is one agent: ``Agent`` (issue 18). No SQL: the table stays ``agent_registry``.

``db_table`` is set, so ``RenameModel`` renames nothing in the database (every
table, column, index, constraint and function keeps its name); Django renames
the content type (``agents.agentregistry`` becomes ``agents.agent``) and the
admin's URLs become ``/admin/agents/agent/`` (the old ones redirect there,
``raptorflow/urls.py``). The model permissions are renamed with it
(``view_agentregistry`` becomes ``view_agent``...), so the users and groups
holding them keep their access; on a fresh database there are none yet.
"""

from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")


def _rename_permissions(apps, old, new):
    Permission = apps.get_model("auth", "Permission")
    for action in ACTIONS:
        Permission.objects.filter(content_type__app_label="agents", codename=f"{action}_{old}").update(
            codename=f"{action}_{new}"
        )


def rename_permissions(apps, schema_editor):
    _rename_permissions(apps, "agentregistry", "agent")


def restore_permissions(apps, schema_editor):
    _rename_permissions(apps, "agent", "agentregistry")


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0004_functions_and_triggers"),
        # Insight.generated_by_agent points at the renamed model.
        ("intelligence", "0003_functions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RenameModel(old_name="AgentRegistry", new_name="Agent"),
        migrations.AlterModelOptions(
            name="agent",
            options={"ordering": ["tier", "domain", "name"], "verbose_name": "agent", "verbose_name_plural": "agents"},
        ),
        migrations.RunPython(rename_permissions, restore_permissions),
    ]
