"""POST /api/me/avatar: a plain multipart upload (works without page scripts), authenticated by
the HttpOnly session cookie and refused from other origins."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub_app.api.uploads import receive_upload
from hub_app.services import profiles
from hub_app.settings import get_settings


async def upload_avatar(request: Request) -> Response:
    outcome = await receive_upload(
        request, field="avatar", limit=get_settings().max_avatar_bytes, too_large="error.avatar_too_large",
        save=lambda actor, session, data, form: profiles.save_avatar(actor, session=session, data=data))
    if outcome is None:
        return Response(status_code=403)
    return RedirectResponse(f"/profile?avatar={outcome.problem or 'ok'}", status_code=303)


routes = [Route("/api/me/avatar", upload_avatar, methods=["POST"])]
