"""Create the Analysts (view only) and Curators (view, add, change) groups."""

from django.db import migrations

ROLES = ("Analysts", "Curators")


def create_roles(apps, schema_editor):
    """Create the groups; their permissions are granted after migrate (marketdata.services)."""
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


def remove_roles(apps, schema_editor):
    """Remove the groups."""
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    """Data migration for the two roles."""

    dependencies = [("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
