"""A store manager (of S2) against every back office page and endpoint: another store's
member, conflict or figures is 403, lists hold only their stores' rows, and chain-wide work
(rules, operators, the audit trail) is 403. The route table below must name every /office
route, so a new one cannot be added without saying how it is scoped."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hq_server import RunningServer
from office import PASSWORD, Chain, add_operator, make_chain, signed_in

from posloyalty.hq.backoffice import web
from posloyalty.hq.services import HqService

#: (method, route) -> how a store manager of S2 is kept out of S1: "403" (refused), "scoped"
#: (answers with their stores' rows only), "own" (their own session, account or static files).
ROUTES = {
    ("GET", "/office/"): "own",
    ("GET", "/office/static/{name}"): "own",
    ("GET", "/office/lang/{lang}"): "own",
    ("GET", "/office/login"): "own",
    ("POST", "/office/login"): "own",
    ("POST", "/office/logout"): "own",
    ("GET", "/office/account"): "own",
    ("POST", "/office/account/totp"): "own",
    ("POST", "/office/account/password"): "own",
    ("GET", "/office/members"): "scoped",
    ("GET", "/office/members/{member_id}"): "403",
    ("POST", "/office/members/{member_id}/reveal"): "403",
    ("POST", "/office/members/{member_id}/adjust"): "403",
    ("POST", "/office/members/{member_id}/act/{action}"): "403",
    ("POST", "/office/members/{member_id}/merge"): "403",
    ("POST", "/office/members/{member_id}/send-link"): "403",
    ("GET", "/office/conflicts"): "scoped",
    ("POST", "/office/conflicts/{conflict_id}/resolve"): "403",
    ("GET", "/office/stores"): "scoped",
    ("POST", "/office/stores/{store_id}/code"): "403",
    ("POST", "/office/stores/{store_id}/region"): "403",
    ("POST", "/office/tills/{terminal_id}/{action}"): "403",
    ("GET", "/office/rules"): "scoped",  # the chain's rules: no store's data
    ("GET", "/office/rules/edit"): "403",
    ("POST", "/office/rules/check"): "403",
    ("POST", "/office/rules/publish"): "403",
    ("POST", "/office/rules/{doc_id}/{revision}/activate"): "403",
    ("POST", "/office/rules/scheduled/{publication}/cancel"): "403",
    ("GET", "/office/reports"): "403",
    ("GET", "/office/reports/{name}.{fmt}"): "403",
    ("GET", "/office/audit"): "403",
    ("GET", "/office/operators"): "403",
    ("POST", "/office/operators"): "403",
}


def test_the_table_names_every_back_office_route(svc: HqService) -> None:
    router = web.mount(FastAPI(), svc)
    found = {
        (method, route.path)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
        if method != "HEAD"
    }
    assert found == set(ROUTES)


@pytest.fixture
def chain(svc: HqService) -> Chain:
    chain = make_chain(svc)
    add_operator(svc, "sam", "store_manager", ["S2"])
    return chain


def test_a_store_manager_is_kept_to_their_stores_everywhere(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    sam = signed_in(server.url, "sam")
    sam.get("/members")
    li, conflict = chain.li, chain.conflict
    period = {"from": "2026-11-01", "to": "2026-11-30", "store": "S1"}
    refused: dict[tuple[str, str], Callable[[], requests.Response]] = {
        ("GET", "/office/members/{member_id}"): lambda: sam.get(f"/members/{li}"),
        ("POST", "/office/members/{member_id}/reveal"): lambda: sam.post(
            f"/members/{li}/reveal", {"reason": "just looking"}
        ),
        ("POST", "/office/members/{member_id}/adjust"): lambda: sam.post(
            f"/members/{li}/adjust", {"points": "5", "reason": "goodwill"}
        ),
        ("POST", "/office/members/{member_id}/act/{action}"): lambda: sam.post(
            f"/members/{li}/act/erase", {"reason": "member asked"}
        ),
        ("POST", "/office/members/{member_id}/merge"): lambda: sam.post(
            f"/members/{li}/merge", {"duplicate": chain.han, "reason": "same person"}
        ),
        ("POST", "/office/members/{member_id}/send-link"): lambda: sam.post(
            f"/members/{li}/send-link", {"reason": "lost the receipt"}
        ),
        ("POST", "/office/conflicts/{conflict_id}/resolve"): lambda: sam.post(
            f"/conflicts/{conflict}/resolve", {"action": "accept", "reason": "let me"}
        ),
        ("POST", "/office/stores/{store_id}/code"): lambda: sam.post("/stores/S1/code"),
        ("POST", "/office/stores/{store_id}/region"): lambda: sam.post(
            "/stores/S1/region", {"region": "east", "reason": "new map"}
        ),
        ("POST", "/office/tills/{terminal_id}/{action}"): lambda: sam.post(
            f"/tills/{chain.s1.terminal_id}/revoke", {"reason": "stolen on Monday"}
        ),
        ("GET", "/office/rules/edit"): lambda: sam.get("/rules/edit"),
        ("POST", "/office/rules/check"): lambda: sam.post("/rules/check", {"text": "x"}),
        # Not even for their own store, nor for later.
        ("POST", "/office/rules/publish"): lambda: sam.post(
            "/rules/publish",
            {"text": "x", "store": "S2", "effective_at": "2030-01-01T00:00+08:00"},
        ),
        ("POST", "/office/rules/scheduled/{publication}/cancel"): lambda: sam.post(
            "/rules/scheduled/1/cancel"
        ),
        ("POST", "/office/rules/{doc_id}/{revision}/activate"): lambda: sam.post(
            "/rules/miniso/1/activate"
        ),
        ("GET", "/office/reports"): lambda: sam.get("/reports", name="members", **period),
        ("GET", "/office/reports/{name}.{fmt}"): lambda: sam.get("/reports/members.csv", **period),
        ("GET", "/office/audit"): lambda: sam.get("/audit"),
        ("GET", "/office/operators"): lambda: sam.get("/operators"),
        ("POST", "/office/operators"): lambda: sam.post(
            "/operators", {"username": "sam2", "password": PASSWORD, "role": "hq_admin"}
        ),
    }
    assert set(refused) == {k for k, v in ROUTES.items() if v == "403"}
    for route, call in refused.items():
        answer = call()
        assert answer.status_code == 403, route
        assert li not in answer.text or route[1].startswith("/office/members"), route
        assert "138****0001" not in answer.text and "13800000001" not in answer.text, route
    # Lists: only S2's rows.
    assert li not in sam.get("/members", q="13800000001").text
    assert chain.han in sam.get("/members", q="13900000002").text
    assert f'id="conflict-{conflict}"' not in sam.get("/conflicts").text
    stores = sam.get("/stores").text
    assert chain.s2.terminal_id in stores and chain.s1.terminal_id not in stores
    # Their own store's figures are theirs.
    own = sam.get("/reports", name="joins", **{**period, "store": "S2"})
    assert own.status_code == 200 and ">S2<" in own.text and ">S1<" not in own.text
