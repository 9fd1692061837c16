"""Jobs from the admin: curators enrich, map FIGIs and load a date as Celery jobs (eager here) whose progress, result
and IngestionRuns show in the admin; analysts see the pages, never start a job."""

import datetime as dt

import pytest
from django.urls import reverse

from entities.models import LegalEntity
from ingestion.models import IngestionRun
from instruments.models import FigiMapping, Instrument, Listing
from marketdata.jobs import JobRefused, admin_job_run, admin_job_start
from marketdata.models import AdminJob
from tests.fakes.esma import FakeEsmaServer
from tests.fakes.gleif import FakeGleif
from tests.fakes.openfigi import FakeOpenFigi

pytestmark = pytest.mark.django_db
SHELL_ISIN, SHELL_LEI = "GB00BP6MXD84", "21380068P1DRHMJ8KU70"
HEINEKEN = "NL0000009165"


@pytest.fixture
def fakes(settings):
    """GLEIF and OpenFIGI fakes with Shell's issuer LEI on an instrument listed at XAMS."""
    with FakeGleif(limit=1000, window=1.0) as gleif, FakeOpenFigi(window_without_key=1.0) as figi:
        settings.GLEIF_API_URL = gleif.api_url
        settings.GLEIF_RATE_LIMIT = 1000
        settings.GLEIF_RATE_WINDOW_SECONDS = 1.0
        settings.OPENFIGI_API_URL = figi.api_url
        settings.OPENFIGI_API_KEY = ""
        settings.RATE_LIMIT_REDIS_URL = ""
        settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
        settings.HTTP_MAX_RETRIES = 1
        shell = Instrument.objects.create(isin=SHELL_ISIN, issuer_id=SHELL_LEI, full_name="SHELL PLC")
        heineken = Instrument.objects.create(isin=HEINEKEN, full_name="HEINEKEN")
        Listing.objects.create(instrument=heineken, venue_id="XAMS", valid_from=dt.date(2025, 1, 1))
        yield {"shell": shell, "heineken": heineken}


def _action(client, action: str, instruments, url_name="admin:instruments_instrument_changelist"):
    return client.post(
        reverse(url_name),
        {"action": action, "_selected_action": [i.pk for i in instruments]},
        follow=True,
    )


def test_curator_enriches_selected_instruments_as_a_job(curator_client, fakes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(curator_client, "enrich_selected", [fakes["shell"]])
    job = AdminJob.objects.get()
    assert (job.kind, job.status, job.parameters) == ("enrich_instruments", "succeeded", {"isins": [SHELL_ISIN]})
    assert job.requested_by.username == "curator"
    assert LegalEntity.objects.filter(lei=SHELL_LEI).exists()
    run = IngestionRun.objects.get(file_name="api:enrich_entities")
    assert job.runs == [run.pk] and job.result["runs"][0]["inserted"] == run.records_inserted > 0
    assert (job.done, job.total, job.percent) == (1, 1, 100)
    page = response.content.decode()
    assert "Started" in page and reverse("admin:marketdata_adminjob_change", args=[job.pk]) in page

    page = curator_client.get(reverse("admin:marketdata_adminjob_change", args=[job.pk])).content.decode()
    assert 'value="100"' in page and reverse("admin:ingestion_ingestionrun_change", args=[run.pk]) in page
    assert 'http-equiv="refresh"' not in page  # a finished job's page stays put


def test_curator_maps_figis_of_selected_instruments(curator_client, fakes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _action(curator_client, "map_figi_selected", [fakes["heineken"]])
    job = AdminJob.objects.get()
    assert job.status == "succeeded" and job.kind == "map_figi"
    assert FigiMapping.objects.filter(isin=HEINEKEN, mic="XAMS").count() == 1
    assert IngestionRun.objects.get(pk=job.runs[0]).source == "openfigi"


def test_analysts_are_not_offered_actions_and_cannot_force_one(
    analyst_client, fakes, django_capture_on_commit_callbacks
):
    response = analyst_client.get(reverse("admin:instruments_instrument_changelist"))
    assert "enrich_selected" not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(analyst_client, "enrich_selected", [fakes["shell"]])
    assert response.status_code in (200, 403)
    assert not AdminJob.objects.exists() and not LegalEntity.objects.exists()
    assert analyst_client.get(reverse("admin:marketdata_adminjob_start_load")).status_code == 403
    assert analyst_client.get(reverse("admin:marketdata_adminjob_changelist")).status_code == 403
    assert analyst_client.post(reverse("admin:marketdata_dashboard_refresh")).status_code == 403


def test_curators_are_offered_the_actions(curator_client, fakes):
    page = curator_client.get(reverse("admin:instruments_instrument_changelist")).content.decode()
    assert 'value="enrich_selected"' in page and 'value="map_figi_selected"' in page
    page = curator_client.get(reverse("admin:entities_legalentity_changelist")).content.decode()
    assert 'value="enrich_selected"' in page


def test_a_running_job_page_reloads_itself(curator_client):
    job = AdminJob.objects.create(
        kind="load_firds", parameters={"date": "2026-11-21"}, status="running", done=5, total=20
    )
    page = curator_client.get(reverse("admin:marketdata_adminjob_change", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'max="100" value="25"' in page and "5 of 20" in page


def test_start_load_form_loads_a_firds_date(curator_client, settings, tmp_path, django_capture_on_commit_callbacks):
    from ingestion.parsers.firds.writer import firds_file_write

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    record = {
        "FinInstrmGnlAttrbts": {
            "Id": "DE0007164600",
            "FullNm": "SAP SE",
            "ShrtNm": "SAP",
            "ClssfctnTp": "ESVUFR",
            "NtnlCcy": "EUR",
            "CmmdtyDerivInd": "false",
        },
        "Issr": "529900D6BF99LW9R2E68",
        "TradgVnRltdAttrbts": {"Id": "XETR", "IssrReq": "false", "FrstTradDt": "2020-01-02T08:00:00Z"},
        "TechAttrbts": {"RlvntCmptntAuthrty": "DE", "PblctnPrd": {"FrDt": "2026-11-14"}, "RlvntTradgVn": "XETR"},
    }
    name = "FULINS_E_20261121_01of01.zip"
    firds_file_write(tmp_path / name, "FULINS", [record], reporting_date="2026-11-21")
    with FakeEsmaServer() as esma:
        esma.add_file(name, (tmp_path / name).read_bytes(), "2026-11-21")
        settings.ESMA_FIRDS_REGISTRY_URL = esma.firds_url
        settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
        url = reverse("admin:marketdata_adminjob_start_load")
        assert "Start a load" in curator_client.get(url).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = curator_client.post(url, {"kind": "load_firds", "date": "2026-11-21", "file_type": "FULINS"})
    job = AdminJob.objects.get()
    assert response.url == reverse("admin:marketdata_adminjob_change", args=[job.pk])
    assert job.status == "succeeded", job.error
    assert job.parameters == {"date": "2026-11-21", "file_type": "FULINS", "force": False}
    assert [r["file"] for r in job.result["runs"]] == [name] and job.step == name
    assert Listing.objects.filter(instrument_id="DE0007164600", venue_id="XETR").exists()


def test_start_load_form_refuses_a_file_type_of_another_source(curator_client):
    response = curator_client.post(
        reverse("admin:marketdata_adminjob_start_load"),
        {"kind": "load_fitrs", "date": "2026-11-21", "file_type": "DLTINS"},
    )
    assert response.status_code == 200
    assert "DLTINS is not a file type of FITRS load for a date." in response.content.decode()
    assert not AdminJob.objects.exists()


def test_bad_parameters_are_refused_naming_the_field():
    with pytest.raises(JobRefused, match="date: '21/11/2026' is not a date"):
        admin_job_start("load_firds", {"date": "21/11/2026"})
    with pytest.raises(JobRefused, match="nothing selected"):
        admin_job_start("map_figi", {"isins": []})


def test_a_job_whose_pipeline_fails_records_the_error(db, settings):
    settings.ESMA_FIRDS_REGISTRY_URL = "http://127.0.0.1:9/solr/select"  # nothing listens
    settings.HTTP_MAX_RETRIES = 0
    settings.HTTP_TIMEOUT_SECONDS = 0.5
    job = AdminJob.objects.create(kind="load_firds", parameters={"date": "2026-11-21"})
    outcome = admin_job_run(job.pk)
    job.refresh_from_db()
    assert outcome["status"] == job.status == "failed"
    assert job.error and job.finished_at is not None
    assert admin_job_run(job.pk)["skipped"] == "not queued"  # a job runs once


def test_a_job_not_queued_because_the_broker_is_down_says_so(db, django_capture_on_commit_callbacks, monkeypatch):
    from kombu.exceptions import OperationalError

    from marketdata.tasks import admin_job_run_task

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(admin_job_run_task, "apply_async", refuse)  # what publishing to a dead broker raises
    with django_capture_on_commit_callbacks(execute=True):
        job = admin_job_start("map_figi", {"isins": [HEINEKEN]})
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "Not queued: OperationalError: Error 111 connecting to 127.0.0.1:6379. Connection refused."


def test_curator_enriches_selected_entities_by_lei(curator_client, fakes, django_capture_on_commit_callbacks):
    """A stored entity is fetched again by its LEI: its record refreshed, its children stored as relationships."""
    from entities.choices import RelationshipType
    from entities.models import EntityRelationship

    shell = LegalEntity.objects.create(lei=SHELL_LEI, legal_name="Shell (old name)")
    with django_capture_on_commit_callbacks(execute=True):
        _action(curator_client, "enrich_selected", [shell], "admin:entities_legalentity_changelist")
    job = AdminJob.objects.get()
    assert (job.kind, job.parameters, job.status) == ("enrich_entities", {"leis": [SHELL_LEI]}, "succeeded")
    shell.refresh_from_db()
    assert shell.legal_name == "SHELL PLC"
    children = EntityRelationship.objects.filter(parent_id=SHELL_LEI, relationship_type=RelationshipType.DIRECT)
    assert children.count() == 106
    assert job.runs == [IngestionRun.objects.get(file_name="api:enrich_entities").pk]


def test_a_gleif_load_for_a_date_needs_the_golden_copy_pipeline(curator_client):
    from ingestion.pipelines import gleif

    response = curator_client.post(
        reverse("admin:marketdata_adminjob_start_load"), {"kind": "load_gleif", "date": "2026-11-21"}
    )
    if hasattr(gleif, "gleif_load_date"):
        assert AdminJob.objects.get().kind == "load_gleif"
    else:  # refused on the form, naming what is missing, rather than failing later in a worker
        assert response.status_code == 200 and not AdminJob.objects.exists()
        assert "gleif_load_date" in response.content.decode()


def test_issuer_type_ahead_finds_entities_by_name_and_lei(curator_client):
    shell = LegalEntity.objects.create(lei=SHELL_LEI, legal_name="Shell plc")
    LegalEntity.objects.create(lei="529900W18LQJJN6SJ336", legal_name="Siemens AG")
    instrument = Instrument.objects.create(isin=SHELL_ISIN, issuer=shell)
    page = curator_client.get(reverse("admin:instruments_instrument_change", args=[instrument.pk])).content.decode()
    assert 'class="admin-autocomplete' in page
    url = reverse("admin:autocomplete")
    params = {"app_label": "instruments", "model_name": "instrument", "field_name": "issuer"}
    found = curator_client.get(url, {**params, "term": "shel"}).json()["results"]
    assert [item["text"] for item in found] == [f"{SHELL_LEI} Shell plc"]
    found = curator_client.get(url, {**params, "term": SHELL_LEI.lower()}).json()["results"]
    assert [item["id"] for item in found] == [SHELL_LEI]
