"""HTTP routes of the training programme, authenticated by the HttpOnly session cookie:
- GET /api/admin/trainings/<id>/enrolments.csv and /attendance.csv: staff exports (the service
  checks that the actor is staff);
- GET /api/trainings/<id>/calendar.ics: "add to calendar" for a member enrolled in the training;
- POST /api/admin/trainers/<id>/photo: staff upload a trainer's photo (plain multipart form,
  refused from other origins)."""

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub_app.api.session_cookie import safe_next, token_from_cookie_header
from hub_app.api.uploads import receive_upload
from hub_app.db import new_session
from hub_app.domain.errors import HubError, NotAllowed, NotFound
from hub_app.services import enrolments, sign_in_sessions, training_admin, training_attendance, trainings
from hub_app.settings import get_settings

_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
_EXPORTS = {"enrolments": enrolments.export_enrolments_csv, "attendance": training_attendance.export_attendance_csv}


def _export(cookie: str, kind: str, training_id: int) -> tuple[int, str]:
    with new_session() as session:
        actor = sign_in_sessions.actor_for_token(session=session, token=token_from_cookie_header(cookie))
        try:
            return 200, _EXPORTS[kind](actor, session=session, training_id=training_id)
        except NotAllowed:
            return (401 if actor is None else 403), ""
        except NotFound:
            return 404, ""
        except HubError:
            return 400, ""


async def export_csv(request: Request) -> Response:
    training_id, kind = request.path_params["training_id"], request.path_params["kind"]
    if kind not in _EXPORTS:
        return Response("Not found", status_code=404, media_type="text/plain")
    status, body = await asyncio.to_thread(_export, request.headers.get("cookie", ""), kind, training_id)
    if status != 200:
        return Response({401: "Sign in required", 403: "Staff only", 404: "Not found"}.get(status, "Bad request"),
                        status_code=status, media_type="text/plain", headers=_PRIVATE)
    # A byte order mark so that spreadsheet programs read the names' accents as UTF-8.
    return Response("\ufeff" + body, media_type="text/csv; charset=utf-8", headers=_PRIVATE | {
        "Content-Disposition": f'attachment; filename="training-{training_id}-{kind}.csv"'})


def _calendar(cookie: str, training_id: int) -> bytes | None:
    with new_session() as session:
        actor = sign_in_sessions.actor_for_token(session=session, token=token_from_cookie_header(cookie))
        try:
            return trainings.training_ics(actor, session=session, training_id=training_id)
        except HubError:
            return None


async def calendar_file(request: Request) -> Response:
    training_id = request.path_params["training_id"]
    body = await asyncio.to_thread(_calendar, request.headers.get("cookie", ""), training_id)
    if body is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(body, media_type="text/calendar; charset=utf-8", headers=_PRIVATE | {
        "Content-Disposition": f'attachment; filename="training-{training_id}.ics"'})


async def upload_trainer_photo(request: Request) -> Response:
    trainer_id = request.path_params["trainer_id"]
    outcome = await receive_upload(
        request, field="photo", limit=get_settings().max_avatar_bytes, too_large="error.avatar_too_large",
        permitted=trainings.may_manage_trainings, refusal="trainings.error.staff_only",
        save=lambda actor, session, data, form: training_admin.save_trainer_photo(
            actor, session=session, trainer_id=trainer_id, data=data))
    if outcome is None:
        return Response(status_code=403)
    # The page to go back to is a field of the form: unknown when the upload was refused unread.
    back = safe_next(str(outcome.form.get("back") or "/admin/trainings")) if outcome.form is not None else ""
    if not back.startswith("/admin/trainings"):
        back = "/admin/trainings"
    return RedirectResponse(f"{back}?photo={outcome.problem or 'ok'}", status_code=303)


routes = [
    Route("/api/admin/trainings/{training_id:int}/{kind}.csv", export_csv, methods=["GET"]),
    Route("/api/trainings/{training_id:int}/calendar.ics", calendar_file, methods=["GET"]),
    Route("/api/admin/trainers/{trainer_id:int}/photo", upload_trainer_photo, methods=["POST"]),
]
