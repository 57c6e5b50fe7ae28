"""Who may use the deployed inbox: a Cognito access token of the staff pool's own app client, checked here as
well as by the HTTP API's JWT authorizer, so a route added without the authorizer still opens to nobody.

The token's signature is checked against the pool's published keys (JWKS, fetched once per cold start and on an
unknown key id, with a short deadline), then its issuer, expiry, use ("access") and client id. Tests configure the
function to trust a locally generated key by serving its JWKS under a local issuer URL: the same code path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import jwt

from staff.inbox import StaffUser

logger = logging.getLogger(__name__)

# Fetching the pool's keys is the one network call a staff request may add; it must not eat the function's 10 s.
JWKS_TIMEOUT_S = 3
ALGORITHMS = ["RS256"]  # what Cognito signs with; "none" and HMAC are never accepted
# Tolerated clock difference between Cognito and the function.
LEEWAY_S = 30


class NotSignedIn(Exception):
    """The request carries no usable staff token; the message says why, for the log (never the token)."""


@dataclass
class StaffTokenVerifier:
    """Checks `Authorization: Bearer <access token>` against one user pool and app client."""

    issuer: str
    client_id: str
    jwks_url: str | None = None

    def __post_init__(self) -> None:
        url = self.jwks_url or self.issuer.rstrip("/") + "/.well-known/jwks.json"
        self._keys = jwt.PyJWKClient(url, cache_keys=True, timeout=JWKS_TIMEOUT_S)

    def user(self, authorization: str | None) -> StaffUser:
        """The signed-in member of staff, or NotSignedIn."""
        if not authorization or not authorization.startswith("Bearer "):
            raise NotSignedIn("no bearer token")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                issuer=self.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iat", "iss", "sub", "token_use", "client_id"]},
            )
        except jwt.PyJWKClientConnectionError as error:
            raise NotSignedIn("the user pool's keys could not be fetched") from error
        except jwt.PyJWTError as error:
            raise NotSignedIn(f"token refused: {type(error).__name__}") from error
        if claims.get("token_use") != "access":
            raise NotSignedIn("not an access token")
        if claims.get("client_id") != self.client_id:
            raise NotSignedIn("a token for another app client")
        return StaffUser(id=str(claims["sub"]), name=str(claims.get("username") or claims["sub"]))
