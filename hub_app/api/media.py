import re

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from hub_app.settings import get_settings

# Only names the upload service generates: no paths, no user-chosen names.
_GENERATED_NAME = re.compile(r"^[0-9a-f]{32}\.(webp|jpg|png)$")
_FOLDERS = {"avatars", "spaces", "trainers", "events"}


async def media_file(request: Request) -> Response:
    folder, name = request.path_params["folder"], request.path_params["name"]
    path = get_settings().upload_dir / folder / name
    if folder not in _FOLDERS or not _GENERATED_NAME.match(name) or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, headers={"Cache-Control": "public, max-age=31536000, immutable",
                                       "X-Content-Type-Options": "nosniff"})


routes = [Route("/media/{folder}/{name}", media_file, methods=["GET"])]
