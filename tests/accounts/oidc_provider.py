"""A small but real OpenID Connect provider for the sign-in tests: discovery, authorization code
with PKCE, client authentication, RS256-signed ID tokens and a JWKS endpoint.

It signs in whoever the test named in the file at $OIDC_TEST_IDENTITY (a JSON object of claims),
the way a real provider signs in whoever typed their password. `"nonce": "..."` in that file
overrides the nonce, to test that the portal refuses a replayed token.
"""

import base64
import hashlib
import json
import os
import secrets
import time
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

ISSUER = os.environ.get("OIDC_TEST_ISSUER", "http://127.0.0.1:9")
CLIENT_ID = "hub-portal"
CLIENT_SECRET = "provider-test-secret"
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
CODES: dict[str, dict] = {}


def _identity() -> dict:
    with open(os.environ["OIDC_TEST_IDENTITY"]) as file:
        return json.load(file)


async def discovery(request: Request):
    return JSONResponse({
        "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize", "token_endpoint": f"{ISSUER}/token",
        "jwks_uri": f"{ISSUER}/jwks", "response_types_supported": ["code"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
    })


async def authorize(request: Request):
    query = request.query_params
    if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code" or \
            query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
        return JSONResponse({"error": "invalid_request"}, status_code=400)
    code = secrets.token_urlsafe(24)
    CODES[code] = {"redirect_uri": query["redirect_uri"], "challenge": query["code_challenge"],
                   "nonce": query.get("nonce", ""), "identity": _identity()}
    return RedirectResponse(f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}",
                            status_code=302)


def _client_authenticated(request: Request, form) -> bool:
    header = request.headers.get("authorization", "")
    if header.startswith("Basic "):
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    return client_id == CLIENT_ID and secret == CLIENT_SECRET


async def token(request: Request):
    form = await request.form()
    grant = CODES.pop(form.get("code", ""), None)
    if not _client_authenticated(request, form):
        return JSONResponse({"error": "invalid_client"}, status_code=401)
    verifier = form.get("code_verifier", "")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    if grant is None or grant["redirect_uri"] != form.get("redirect_uri") or challenge != grant["challenge"]:
        return JSONResponse({"error": "invalid_grant"}, status_code=400)
    now = int(time.time())
    identity = dict(grant["identity"])
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": grant["nonce"], **identity}
    id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, KEY)
    return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                         "id_token": id_token})


async def jwks(request: Request):
    return JSONResponse(KeySet([KEY]).as_dict(private=False))


app = Starlette(routes=[
    Route("/.well-known/openid-configuration", discovery),
    Route("/authorize", authorize),
    Route("/token", token, methods=["POST"]),
    Route("/jwks", jwks),
])
