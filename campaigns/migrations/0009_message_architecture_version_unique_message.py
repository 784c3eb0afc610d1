"""The message of the unique name-and-version rule of message architectures, for the forms (issue 18); no SQL.

Every form validates the model's unique rules through Django's
``validate_constraints`` (``raptorflow.forms.TenantModelForm``), next to the
version field; this is the rule's own message, so no form or view repeats it.
"""

from django.db import migrations, models

from raptorflow.migration_ops import Batch


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0008_campaigns_kpi_order")]

    operations = [
        Batch(migrations.AlterConstraint(
            model_name="messagearchitecture",
            name="message_architecture_name_version_uniq",
            constraint=models.UniqueConstraint(
                fields=("workspace", "positioning", "name", "version"),
                name="message_architecture_name_version_uniq",
                violation_error_message="A message architecture with this name and version already exists for this positioning; "
                "use a new version number.",
            ),
        )),
    ]
