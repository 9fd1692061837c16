"""Beat schedules live in the database (django-celery-beat): installed from the defaults, then the admin's to edit."""

import pytest
from django.conf import settings
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from config.celery import app
from marketdata.services import beat_schedules_install

pytestmark = pytest.mark.django_db


@pytest.fixture
def installed():
    PeriodicTask.objects.all().delete()
    created = beat_schedules_install()
    assert sorted(created) == sorted(settings.BEAT_SCHEDULE_DEFAULTS)
    return created


def test_every_default_is_installed_once_with_its_schedule(installed):
    daily = PeriodicTask.objects.get(name="firds-daily-delta")
    assert daily.task == "ingestion.tasks.firds_load_daily_delta_task"
    assert (daily.crontab.hour, daily.crontab.minute, daily.enabled) == ("7", "0", True)
    fitrs = PeriodicTask.objects.get(name="fitrs-weekly-equity")
    assert fitrs.kwargs == '{"file_type": "FULECR"}' and fitrs.crontab.day_of_week == "sun"
    assert beat_schedules_install() == []  # nothing twice
    assert PeriodicTask.objects.count() == len(settings.BEAT_SCHEDULE_DEFAULTS)


def test_edits_and_pauses_made_in_the_admin_stay_and_beat_follows_them(installed):
    daily = PeriodicTask.objects.get(name="firds-daily-delta")
    daily.crontab.hour = "9"
    daily.crontab.save()
    PeriodicTask.objects.filter(name="gleif-daily-delta").update(enabled=False)
    beat_schedules_install()  # as the next migrate would
    enabled = DatabaseScheduler.Model.objects.enabled()  # what beat schedules from
    assert not enabled.filter(name="gleif-daily-delta").exists()  # paused
    entry = DatabaseScheduler.Entry(enabled.get(name="firds-daily-delta"), app=app)
    assert entry.schedule.hour == {9}  # the edit, not the default 7
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


def test_the_admin_lists_the_schedules(installed, client, django_user_model):
    admin = django_user_model.objects.create_superuser("beat-admin", password="x")
    client.force_login(admin)
    page = client.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert page.status_code == 200
    assert b"gleif-daily-delta" in page.content and b"firds-weekly-full-set" in page.content
