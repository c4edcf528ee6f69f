"""Sign-in through an OpenID Connect provider (authorization code flow with PKCE and nonce).

GET /api/auth/oidc/start?next=/path  -> the provider's authorization page
GET /api/auth/oidc/callback           -> verifies state, exchanges the code, verifies the ID token
                                         (signature from the provider's JWKS, issuer, audience,
                                         expiry, nonce), then sets the same session cookie as a
                                         password sign-in.
The state, nonce and PKCE verifier travel in a short-lived HttpOnly cookie signed with the secret key.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import time

import httpx
from authlib.common.errors import AuthlibBaseError as OAuthError
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub_app.api.session_cookie import safe_next, set_session_cookie, token_from_cookie_header
from hub_app.db import new_session
from hub_app.domain.errors import HubError
from hub_app.services import accounts
from hub_app.settings import Settings, get_settings

log = logging.getLogger("hub.oidc")
FLOW_COOKIE = "hub_oidc_flow"
FLOW_SECONDS = 600
_DISCOVERY_SECONDS = 3600
_discovery_cache: dict[str, tuple[float, dict]] = {}


def _sign(payload: dict, secret: str) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def _unsign(value: str, secret: str) -> dict | None:
    body, _, mac = value.partition(".")
    expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    if not body or not hmac.compare_digest(mac, expected):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body.encode()))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) and payload.get("expires", 0) > time.time() else None


async def _discovery(settings: Settings) -> dict:
    cached = _discovery_cache.get(settings.oidc_issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    url = settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url)
        response.raise_for_status()
        document = response.json()
    if document.get("issuer") != settings.oidc_issuer:
        raise ValueError("OIDC discovery document names another issuer")
    _discovery_cache[settings.oidc_issuer] = (time.monotonic() + _DISCOVERY_SECONDS, document)
    return document


def _callback_url(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/") + "/api/auth/oidc/callback"


def _failed(reason: str) -> Response:
    response = RedirectResponse(f"/login?oidc_error={reason}", status_code=303)
    response.delete_cookie(FLOW_COOKIE, path="/api/auth/oidc")
    return response


async def start(request: Request) -> Response:
    settings = get_settings()
    if not settings.oidc_enabled:
        return Response(status_code=404)
    try:
        provider = await _discovery(settings)
    except (httpx.HTTPError, ValueError):
        return _failed("error.oidc_unavailable")
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    client = AsyncOAuth2Client(settings.oidc_client_id, settings.oidc_client_secret, scope=settings.oidc_scopes,
                               redirect_uri=_callback_url(settings))
    url, _ = client.create_authorization_url(
        provider["authorization_endpoint"], state=state, nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256")
    flow = {"state": state, "nonce": nonce, "verifier": verifier, "next": safe_next(request.query_params.get("next")),
            "expires": time.time() + FLOW_SECONDS}
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(FLOW_COOKIE, _sign(flow, settings.secret_key), max_age=FLOW_SECONDS, httponly=True,
                        samesite="lax", secure=settings.secure_cookies, path="/api/auth/oidc")
    return response


async def _verified_identity(settings: Settings, provider: dict, code: str, flow: dict) -> accounts.ExternalIdentity:
    client = AsyncOAuth2Client(settings.oidc_client_id, settings.oidc_client_secret,
                               redirect_uri=_callback_url(settings), timeout=10)
    token = await client.fetch_token(provider["token_endpoint"], code=code, code_verifier=flow["verifier"])
    async with httpx.AsyncClient(timeout=10) as http:
        keys = KeySet.import_key_set((await http.get(provider["jwks_uri"])).json())
    decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256", "ES256", "PS256"])
    claims_rules = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": settings.oidc_issuer},
        aud={"essential": True, "value": settings.oidc_client_id},
        sub={"essential": True}, exp={"essential": True}, nonce={"essential": True, "value": flow["nonce"]},
        leeway=60,
    )
    claims_rules.validate(decoded.claims)
    claims = decoded.claims
    return accounts.ExternalIdentity(
        issuer=settings.oidc_issuer, subject=str(claims["sub"]), email=str(claims.get("email", "")),
        email_verified=claims.get("email_verified") is True, name=str(claims.get("name", "")))


def _open(identity: accounts.ExternalIdentity, locale: str, previous: str, user_agent: str, address: str) -> str:
    with new_session() as session:
        return accounts.sign_in_with_identity(session=session, identity=identity, locale=locale,
                                              previous_token=previous, user_agent=user_agent, client_address=address)


async def callback(request: Request) -> Response:
    settings = get_settings()
    if not settings.oidc_enabled:
        return Response(status_code=404)
    flow = _unsign(request.cookies.get(FLOW_COOKIE, ""), settings.secret_key)
    state, code = request.query_params.get("state", ""), request.query_params.get("code", "")
    if flow is None or not code or not hmac.compare_digest(state, flow["state"]):
        return _failed("error.oidc_failed")
    try:
        provider = await _discovery(settings)
        identity = await _verified_identity(settings, provider, code, flow)
    except (httpx.HTTPError, ValueError, KeyError, TypeError, JoseError, OAuthError):
        # Whatever the provider or its token got wrong, the member sees one clear message.
        log.warning("OpenID Connect sign-in failed", exc_info=True)
        return _failed("error.oidc_failed")
    try:
        token = await asyncio.to_thread(
            _open, identity, request.cookies.get("hub_lang", ""),
            token_from_cookie_header(request.headers.get("cookie", "")), request.headers.get("user-agent", ""),
            request.client.host if request.client else "")
    except HubError as error:
        return _failed("error.oidc_suspended" if error.key == "error.suspended" else "error.oidc_failed")
    response = RedirectResponse(flow["next"], status_code=303)
    response.delete_cookie(FLOW_COOKIE, path="/api/auth/oidc")
    set_session_cookie(response, token)
    return response


routes = [
    Route("/api/auth/oidc/start", start, methods=["GET"]),
    Route("/api/auth/oidc/callback", callback, methods=["GET"]),
]
