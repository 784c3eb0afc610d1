"""The message of the unique code rule, for the forms (issue 17); no SQL.

Codes are unique per workspace ignoring case already: ``achievements_code_format``
admits lowercase codes only, so ``achievements_workspace_code_uniq`` refuses
"Quest-Master" beside "quest-master" once the form has lowercased it. The
shared tenant form (``raptorflow.forms.TenantModelForm``) shows this message
next to the code field, so no form repeats the rule.
"""

from django.db import migrations, models

from raptorflow.migration_ops import Batch


class Migration(migrations.Migration):
    dependencies = [("gamification", "0005_event_functions_and_triggers")]

    operations = [
        Batch(migrations.AlterConstraint(
            model_name="achievement",
            name="achievements_workspace_code_uniq",
            constraint=models.UniqueConstraint(
                fields=("workspace", "code"), name="achievements_workspace_code_uniq",
                violation_error_message="An achievement with this code already exists in this workspace.",
            ),
        )),
    ]
