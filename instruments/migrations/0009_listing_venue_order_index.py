"""The venue index also holds the ISIN and FrDt: a venue's current listings page in order without a sort."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0008_figi_indexes"),
        ("venues", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                fields=["venue", "is_current", "instrument", "valid_from"], name="listing_mic_current_isin_idx"
            ),
        ),
        migrations.RemoveIndex(
            model_name="listing",
            name="listing_mic_current_idx",
        ),
    ]
