"""Development sign-in: pick a member, get a bearer token. Off with
``CAREERPILOT_SERVER__DEV_SIGN_IN=false`` (then tokens come from ``careerpilot token``)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from careerpilot.server.deps import State
from careerpilot.server.errors import ErrorResponse

__all__ = ["router"]

router = APIRouter(prefix="/v1/dev", tags=["development"])


class SignIn(BaseModel):
    member_id: int = Field(ge=1, le=2**31 - 1, description="the member to act as")


class SignedIn(BaseModel):
    token: str
    member_id: int
    name: str


@router.post("/sign-in", responses={404: {"model": ErrorResponse}})
async def sign_in(request: SignIn, state: State) -> SignedIn:
    """Issue a token for any member of the sample network (development only)."""
    repository = state.assistant.network_repository
    name = f"member {request.member_id}"
    if repository is not None:  # the bundled network: check the member exists
        member = await repository.get_member(request.member_id)
        name = f"{member.first_name} {member.last_name}"
    return SignedIn(
        token=state.signer.issue(request.member_id), member_id=request.member_id, name=name
    )
