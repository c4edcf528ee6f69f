"""GET /api/admin/exports/<kind>.<csv|xlsx>?from=YYYY-MM-DD&to=YYYY-MM-DD&lang=id|en: the staff
exports (services/exports), authenticated by the HttpOnly session cookie.

Who asks is checked first (401 without a session, 403 for anyone but active staff and admins),
then the request (400 with a short plain message for an unknown kind or format, bad or missing
dates, a period longer than 366 days, an unknown language); nothing is read before both pass.

CSV streams as it is read: Starlette runs the generator in a worker thread a chunk at a time, and
the rows come page by page, each page in its own short read transaction. XLSX is written to a
temporary file in a worker thread (its zip needs the whole sheet before the file is complete),
then streamed from the open file, which is unlinked at once so that nothing is left behind."""

import asyncio
import os
import tempfile
from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from hub_app.api.session_cookie import token_from_cookie_header
from hub_app.db import new_session
from hub_app.domain.errors import HubError, NotAllowed
from hub_app.domain.spreadsheets import csv_chunks, write_xlsx
from hub_app.i18n import LOCALES, translate
from hub_app.services import exports, sign_in_sessions

_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CHUNK = 64 * 1024


def _prepare(cookie: str, name: str, params: dict) -> tuple[int, str, exports.Export | None]:
    kind, _, file_format = name.rpartition(".")
    lang = params.get("lang") or None
    with new_session() as session:
        actor = sign_in_sessions.actor_for_token(session=session, token=token_from_cookie_header(cookie))
        locale = lang if lang in LOCALES else (actor.locale if actor else "id")
        try:
            return 200, "", exports.prepare(actor, session=session, kind=kind, file_format=file_format,
                                            start=params.get("from"), end=params.get("to"), lang=lang)
        except NotAllowed as refused:
            return (401 if actor is None else 403), translate(refused.key, locale), None
        except HubError as problem:
            return 400, translate(problem.key, locale, **problem.params), None


def _write_xlsx(export: exports.Export) -> str:
    handle, path = tempfile.mkstemp(prefix="hub-export-", suffix=".xlsx")
    try:
        with os.fdopen(handle, "wb") as target:
            write_xlsx(target, sheet=export.sheet, columns=export.columns, rows=exports.rows(export))
    except BaseException:
        os.unlink(path)
        raise
    return path


def _file_chunks(source) -> Iterator[bytes]:
    with source:
        while chunk := source.read(_CHUNK):
            yield chunk


async def download(request: Request) -> Response:
    status, message, export = await asyncio.to_thread(
        _prepare, request.headers.get("cookie", ""), request.path_params["name"], dict(request.query_params))
    if export is None:
        return Response(message, status_code=status, media_type="text/plain; charset=utf-8", headers=_PRIVATE)
    headers = _PRIVATE | {"Content-Disposition": f'attachment; filename="{export.file_name}"'}
    if export.file_format == "csv":
        return StreamingResponse(csv_chunks(export.columns, exports.rows(export)),
                                 media_type="text/csv; charset=utf-8", headers=headers)
    path = await asyncio.to_thread(_write_xlsx, export)
    source = open(path, "rb")  # closed by _file_chunks once the answer is sent
    os.unlink(path)
    headers["Content-Length"] = str(os.fstat(source.fileno()).st_size)
    return StreamingResponse(_file_chunks(source), media_type=_XLSX, headers=headers)


routes = [Route("/api/admin/exports/{name}", download, methods=["GET"])]
