"""The published OpenAPI schema: public, documents both credential kinds and the shared error responses."""

import pytest

pytestmark = pytest.mark.django_db


def test_schema_and_docs_are_public_and_document_auth_and_errors(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert {"jwtAuth", "ApiKeyAuth"} <= set(schema["components"]["securitySchemes"])
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "Authorization"
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    assert {"/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/token/verify/"} <= set(schema["paths"])
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                responses = operation["responses"]
                assert {"401", "429"} <= set(responses), f"{method} {path}"
                assert "Retry-After" in responses["429"]["headers"]
    assert client.get("/api/docs/").status_code == 200
