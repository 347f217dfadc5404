"""Every endpoint of the OpenAPI schema, fuzzed by schemathesis: never a server error.

Schemathesis generates requests from the schema (valid and invalid parameters, odd
unicode, NUL bytes, huge numbers); each operation's strategy runs under Hypothesis here
(its pytest plugin does not run under pytest 9), and any 5xx fails the test.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from kg.glossary import Glossary


def operations(glossary: Glossary) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(glossary))
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture(scope="module")
def all_operations(glossary: Glossary) -> list[Any]:
    return operations(glossary)


def test_schema_lists_every_contract_endpoint(all_operations: list[Any]) -> None:
    paths = {op.path for op in all_operations}
    for path in (
        "/health",
        "/search",
        "/ask",
        "/concepts",
        "/concepts/{concept_id}",
        "/lookup",
        "/concepts/{concept_id}/neighbors",
        "/path",
        "/export",
    ):
        assert path in paths


def test_no_server_errors(all_operations: list[Any]) -> None:
    for operation in all_operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: Any) -> None:
            response = case.call()
            assert response.status_code < 500, (
                case.method,
                case.formatted_path,
                case.query,
                response.status_code,
                response.text[:300],
            )
            if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
                assert isinstance(response.json().get("detail"), str), response.text[:300]

        check()
