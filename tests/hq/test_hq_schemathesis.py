"""schemathesis against HQ's OpenAPI schema on a real server: no 5xx, responses match it."""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hq_server import RunningServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

from posloyalty.hq.services import HqService
from posloyalty.sync.protocol import request_headers

#: Examples per operation; raise it for a deeper run (POSLOYALTY_FUZZ_EXAMPLES=500).
EXAMPLES = int(os.environ.get("POSLOYALTY_FUZZ_EXAMPLES", "30"))


def test_api_conforms_to_its_schema(server: RunningServer, svc: HqService) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    token = svc.enroll(svc.make_enrolment_code("S1")).token
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results)  # every operation's schema loaded
    assert {op.path for op in operations} >= {"/v1/enroll", "/v1/push", "/v1/pull"}
    for operation in operations:

        @given(case=operation.as_strategy(), authorised=st.booleans())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any, authorised: bool) -> None:
            # Half the cases carry a valid credential so generated bodies reach the services.
            case.call_and_validate(headers=request_headers(token) if authorised else None)

        check()
