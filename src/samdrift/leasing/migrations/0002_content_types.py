"""Give the moved models' content types the app label ``leasing``.

The change log (core.ObjectChange) refers to models by content type; renaming the rows
(as Django's docs advise when models move between apps) keeps existing change-log rows
pointing at the right model. If ``leasing`` rows already exist (a database that ran
``migrate`` between the move and this migration), the change log is moved onto them and
the old rows are deleted.
"""

from django.db import migrations

MOVED = {
    "catalogue": ["leasemodel", "pricelistpublication"],
    "inventory": ["buyout", "buyoutitem", "signedvaluation", "assetprice", "amountowed"],
}


def relabel(apps, forward: bool) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    ObjectChange = apps.get_model("core", "ObjectChange")
    Permission = apps.get_model("auth", "Permission")
    for app_label, models in MOVED.items():
        source, target = (app_label, "leasing") if forward else ("leasing", app_label)
        for model in models:
            old = ContentType.objects.filter(app_label=source, model=model).first()
            if old is None:
                continue
            new = ContentType.objects.filter(app_label=target, model=model).first()
            if new is None:
                old.app_label = target
                old.save(update_fields=["app_label"])
                continue
            ObjectChange.objects.filter(content_type=old).update(content_type=new)
            Permission.objects.filter(content_type=old).delete()
            old.delete()


def forwards(apps, schema_editor) -> None:
    relabel(apps, forward=True)


def backwards(apps, schema_editor) -> None:
    relabel(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("leasing", "0001_initial"),
        ("catalogue", "0003_leasing_models_moved"),
        ("inventory", "0007_buyout_models_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0003_objectchange_content_type_no_db_constraint"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
