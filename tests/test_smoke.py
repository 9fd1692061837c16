"""Smoke: the project starts, migrates and answers its liveness check."""

import pytest


@pytest.mark.django_db
def test_health_live_answers_without_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
