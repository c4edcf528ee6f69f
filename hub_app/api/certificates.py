"""GET /api/certificates/<code>.pdf?lang=id|en: a training certificate as a PDF, for its owner
and for staff, authenticated by the HttpOnly session cookie. Without a session 401; anyone else's,
an unknown or a malformed code 404 (the same answer, so a code cannot be probed here); the checks
are the service's (services.certificates.certificate_pdf)."""

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub_app.api.session_cookie import token_from_cookie_header
from hub_app.db import new_session
from hub_app.domain.certificates import MAX_INPUT
from hub_app.domain.errors import HubError, NotAllowed
from hub_app.i18n import LOCALES, translate
from hub_app.services import certificates, sign_in_sessions

_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _make(cookie: str, code: str, lang: str | None) -> tuple[int, str, certificates.CertificateFile | None]:
    with new_session() as session:
        actor = sign_in_sessions.actor_for_token(session=session, token=token_from_cookie_header(cookie))
        locale = lang if lang in LOCALES else (actor.locale if actor else "id")
        try:
            return 200, "", certificates.certificate_pdf(actor, session=session, code=code, lang=locale)
        except NotAllowed as refused:
            return 401, translate(refused.key, locale), None
        except HubError as problem:
            return 404, translate(problem.key, locale, **problem.params), None


async def certificate_pdf(request: Request) -> Response:
    code = request.path_params["code"][:MAX_INPUT + 1]
    status, message, made = await asyncio.to_thread(
        _make, request.headers.get("cookie", ""), code, request.query_params.get("lang"))
    if made is None:
        return Response(message, status_code=status, media_type="text/plain; charset=utf-8", headers=_PRIVATE)
    return Response(made.pdf, media_type="application/pdf", headers=_PRIVATE | {
        "Content-Disposition": f'attachment; filename="{made.filename}"'})


routes = [Route("/api/certificates/{code}.pdf", certificate_pdf, methods=["GET"])]
