import asyncio

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub_app.db import new_session


def _database_ok() -> bool:
    with new_session() as session:
        return session.exec(text("SELECT 1")).scalar() == 1


async def health(request: Request) -> JSONResponse:
    try:
        ok = await asyncio.to_thread(_database_ok)
    except Exception:  # any database failure means "not healthy", which is the answer
        ok = False
    return JSONResponse({"status": "ok" if ok else "error"}, status_code=200 if ok else 503)


routes = [Route("/api/health", health, methods=["GET"])]
