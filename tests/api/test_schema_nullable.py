"""The nullable rewrite hook: untyped nullable schemas admit null under OpenAPI 3.0.3, everything else unchanged."""

import copy

from openapi_schema_validator import OAS30Validator

from marketdata.api.schema_nullable import NULL_SCHEMA, nullable_without_type_hook

REF = {"$ref": "#/components/schemas/Brief"}
NULL_ENUM = {"$ref": "#/components/schemas/NullEnum"}  # drf-spectacular's null member of a nullable choice
BRIEF = {"type": "object", "properties": {"lei": {"type": "string"}}, "required": ["lei"]}


def document(properties: dict, version: str = "3.0.3") -> dict:
    """A document with one component holding `properties` and a path whose 200 body is that component."""
    return {
        "openapi": version,
        "paths": {"/x/": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {
            "type": "object", "properties": copy.deepcopy(properties)}}}}}}}},
        "components": {"schemas": {"Brief": BRIEF, "Holder": {"type": "object", "properties": properties}}},
    }  # fmt: skip


def rewrite(doc: dict) -> dict:
    return nullable_without_type_hook(doc, generator=None, request=None, public=True)


def test_allof_ref_becomes_oneof_with_null_and_keeps_annotations():
    doc = rewrite(document({"issuer": {"allOf": [REF], "nullable": True, "readOnly": True, "description": "d"}}))
    expected = {"oneOf": [REF, NULL_SCHEMA], "readOnly": True, "description": "d"}
    assert doc["components"]["schemas"]["Holder"]["properties"]["issuer"] == expected
    inline = doc["paths"]["/x/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert inline["properties"]["issuer"] == expected


def test_null_and_the_object_validate_anything_else_does_not():
    doc = rewrite(document({"issuer": {"allOf": [REF], "nullable": True}}))
    validator = OAS30Validator({**doc["components"]["schemas"]["Holder"], "components": doc["components"]})
    assert validator.is_valid({"issuer": None})
    assert validator.is_valid({"issuer": {"lei": "X"}})
    assert not validator.is_valid({"issuer": {}})  # the referenced object's own rules still hold
    assert not validator.is_valid({"issuer": "X"})
    before = document({"issuer": {"allOf": [REF], "nullable": True}})
    untouched = OAS30Validator({**before["components"]["schemas"]["Holder"], "components": before["components"]})
    assert not untouched.is_valid({"issuer": None})  # what drf-spectacular writes: null rejected


def test_fields_named_like_keywords_combiners_and_enums():
    doc = rewrite(
        document(
            {
                "default": {"allOf": [REF], "nullable": True},
                "enum": {"allOf": [REF, {"description": "x"}], "nullable": True},
                "choice": {"oneOf": [{"type": "string", "enum": ["A"]}], "nullable": True},
                "code": {"enum": ["A", "B"], "nullable": True},
                "name": {"type": "string", "nullable": True},
            }
        )
    )
    properties = doc["components"]["schemas"]["Holder"]["properties"]
    assert properties["default"] == {"oneOf": [REF, NULL_SCHEMA]}
    assert properties["enum"] == {"oneOf": [{"allOf": [REF, {"description": "x"}]}, NULL_SCHEMA]}
    assert properties["choice"] == {"oneOf": [{"type": "string", "enum": ["A"]}, NULL_SCHEMA]}
    assert properties["code"] == {"enum": ["A", "B", None]}
    assert properties["name"] == {"type": "string", "nullable": True}  # typed: already right


def test_a_combiner_that_already_admits_null_gets_no_second_null_member():
    doc = document({"style": {"oneOf": [{"$ref": "#/components/schemas/StyleEnum"}, NULL_ENUM], "nullable": True}})
    doc["components"]["schemas"] |= {"StyleEnum": {"type": "string", "enum": ["A"]}, "NullEnum": {"enum": [None]}}
    properties = rewrite(doc)["components"]["schemas"]["Holder"]["properties"]
    assert properties["style"] == {"oneOf": [{"$ref": "#/components/schemas/StyleEnum"}, NULL_ENUM]}
    validator = OAS30Validator({**doc["components"]["schemas"]["Holder"], "components": doc["components"]})
    assert validator.is_valid({"style": None}) and validator.is_valid({"style": "A"})


def test_openapi_31_is_left_alone():
    doc = document({"issuer": {"allOf": [REF], "nullable": True}}, version="3.1.0")
    assert rewrite(copy.deepcopy(doc)) == doc
