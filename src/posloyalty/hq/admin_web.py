"""The operator's HTTP API for cards and secrets (what ``posloyalty hq revoke-card`` and
``rotate-secret`` do), behind an operator token.

- ``POST /v1/admin/cards/revoke`` ``{"digest"} | {"member_id"}`` (+ ``reason``): revoke one
  card or every card HQ knows of a member -> ``{"revoked": [digests]}``;
- ``POST /v1/admin/members/{member_id}/rotate-secret``: a new secret for the member's codes.

Both take ``Authorization: Bearer <operator token>``; the token is configured by
``POSLOYALTY_HQ_OPERATOR_TOKEN`` (HQ keeps its SHA-256). Without one the API is off (403).
Tills receive the effect on their next pull.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations.
import hashlib
import hmac
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from posloyalty.hq.services import HqService
from posloyalty.sync.protocol import ErrorBody

__all__ = ["OPERATOR_TOKEN_ENV", "mount"]

OPERATOR_TOKEN_ENV = "POSLOYALTY_HQ_OPERATOR_TOKEN"


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    digest: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    member_id: str | None = Field(default=None, pattern=r"^[0-9A-Z]{1,16}$")
    reason: str = Field(default="revoked by HQ", max_length=200)


class Revoked(BaseModel):
    revoked: list[str]


def mount(app: FastAPI, service: HqService, operator_token: str | None) -> None:
    """Add the operator endpoints; ``operator_token`` None leaves them refusing (403)."""
    expected = hashlib.sha256(operator_token.encode()).digest() if operator_token else None
    bearer = HTTPBearer(auto_error=False, description="the operator token")
    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody} for code in (400, 401, 403, 404)
    }

    def operator(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> None:
        if expected is None:
            raise HTTPException(403, f"the operator API is off: set {OPERATOR_TOKEN_ENV}")
        given = hashlib.sha256((credentials.credentials if credentials else "").encode()).digest()
        if credentials is None or not hmac.compare_digest(given, expected):
            raise HTTPException(401, "operator token required", {"WWW-Authenticate": "Bearer"})

    @app.post("/v1/admin/cards/revoke", response_model=Revoked, responses=errors)
    def revoke(body: RevokeRequest, _: Annotated[None, Depends(operator)]) -> Revoked:
        done = service.revoke_cards(
            digest=body.digest, member_id=body.member_id, reason=body.reason
        )
        return Revoked(revoked=done)

    @app.post("/v1/admin/members/{member_id}/rotate-secret", responses=errors)
    def rotate(
        member_id: Annotated[str, Path(pattern=r"^[0-9A-Z]{1,16}$")],
        _: Annotated[None, Depends(operator)],
    ) -> dict[str, bool]:
        service.rotate_secret(member_id)
        return {"rotated": True}
