"""The one upload path (hub_app/api/uploads.py) spends nothing on a request before it knows who asks:
no cookie (or an actor the route refuses) is answered before a byte of the body is read, a chunked
body (no Content-Length) is cut off at the size cap while it streams, and an image that declares too
many pixels is refused from its header, before it is decoded, with a translated message.

Bodies are streamed through httpx's ASGI transport from an async generator that counts what the
server pulled from it, with the headers a browser sends (Origin, Cookie, multipart/form-data)."""

import asyncio
import io

import httpx
import pytest
from PIL import Image, ImageFile
from sqlmodel import Session

from hub_app.api import build_api, wrap_with_headers
from hub_app.i18n import translate
from hub_app.settings import get_settings
from tests.api.conftest import ORIGIN
from tests.bookings.helpers import make_space
from tests.handlers.handler_harness import make_person, user_row

BOUNDARY = "hubUploadBoundary7MA4YWxkTrZu0gW"
CHUNK = 64 * 1024


def png(size, mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


class CountingBody:
    """A multipart body streamed chunk by chunk; `sent` is how many bytes the server pulled."""

    def __init__(self, field: str, file_size: int | None = None, data: bytes = b""):
        self.head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"a.png\"\r\n"
                     "Content-Type: image/png\r\n\r\n").encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.data = data
        self.file_size = len(data) if file_size is None else file_size
        self.sent = 0

    async def __aiter__(self):
        for piece in self._pieces():
            self.sent += len(piece)
            yield piece

    def _pieces(self):
        yield self.head
        if self.data:
            for start in range(0, len(self.data), CHUNK):
                yield self.data[start:start + CHUNK]
        else:
            for start in range(0, self.file_size, CHUNK):
                yield b"\0" * min(CHUNK, self.file_size - start)
        yield self.tail


def post_streamed(path: str, body: CountingBody, cookie: str | None) -> httpx.Response:
    """POSTs like a browser's form submit, but with a chunked body (no Content-Length)."""
    headers = {"origin": ORIGIN, "referer": f"{ORIGIN}/profile",
               "content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    if cookie:
        headers["cookie"] = cookie

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=wrap_with_headers(build_api()), client=("203.0.113.20", 51000))
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
            return await http.post(path, content=body.__aiter__(), headers=headers)

    return asyncio.run(send())


@pytest.fixture
def decoded(monkeypatch):
    """Records every image Pillow decodes (ImageFile.load is where pixels are decompressed)."""
    sizes = []
    original = ImageFile.ImageFile.load

    def load(self):
        sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path)
    return tmp_path


def stored(uploads) -> list[str]:
    return sorted(str(path.relative_to(uploads)) for path in uploads.rglob("*") if path.is_file())


@pytest.fixture
def world(api_db):
    member = make_person(api_db, email="rina@umkm.example", name="Rina Kusuma")
    staff = make_person(api_db, email="staf@jfch.example", name="Budi Santoso", role="staff")
    with Session(api_db) as session:
        space_id = make_space(session).id
    return {"member": member, "staff": staff, "space_id": space_id}


BOMB = (6300, 6300)  # ~40 megapixels in a PNG of a few dozen kB


def routes(world) -> dict[str, str]:
    return {"avatar": "/api/me/avatar", "photo": f"/api/spaces/{world['space_id']}/photos",
            "trainer": "/api/admin/trainers/1/photo"}


@pytest.mark.parametrize("route", ["avatar", "photo", "trainer"])
@pytest.mark.parametrize("cookie", [None, "hub_session=forged-forged-forged-forged-forged-forged"])
def test_no_session_is_refused_before_a_byte_of_the_body_is_read(route, cookie, world, uploads, decoded):
    body = CountingBody("photo" if route != "avatar" else "avatar", data=png(BOMB))
    response = post_streamed(routes(world)[route], body, cookie)
    assert response.status_code == 303
    assert response.headers["location"].endswith("=error.sign_in_required")
    assert body.sent == 0  # the image never left the client
    assert decoded == [] and stored(uploads) == []


@pytest.mark.parametrize("route,refusal", [("photo", "error.not_allowed"), ("trainer", "trainings.error.staff_only")])
def test_a_member_is_refused_staff_uploads_before_the_body_is_read(route, refusal, world, uploads, decoded):
    body = CountingBody("photo", data=png(BOMB))
    response = post_streamed(routes(world)[route], body, f"hub_session={world['member'].token}")
    assert response.headers["location"].endswith(f"photo={refusal}")
    assert body.sent == 0 and decoded == [] and stored(uploads) == []


def test_a_chunked_50_mb_body_is_cut_off_at_the_cap_while_it_streams(world, uploads, decoded):
    body = CountingBody("avatar", file_size=50 * 1024 * 1024)
    response = post_streamed("/api/me/avatar", body, f"hub_session={world['member'].token}")
    assert response.status_code == 303 and response.headers["location"] == "/profile?avatar=error.avatar_too_large"
    # At most the cap (the 2 MB file plus 64 kB of form) and the chunk that crossed it.
    assert body.sent <= get_settings().max_avatar_bytes + 64 * 1024 + CHUNK
    assert decoded == [] and stored(uploads) == []


@pytest.mark.parametrize("size,mode", [(BOMB, "RGB"), ((8000, 8000), "1"), ((5000, 4000), "L")])
def test_an_image_with_too_many_pixels_is_refused_from_its_header_with_a_translated_message(
        size, mode, world, uploads, decoded, api_db):
    data = png(size, mode)
    assert len(data) < get_settings().max_avatar_bytes  # small as a file, huge as pixels
    member = world["member"]
    response = post_streamed("/api/me/avatar", CountingBody("avatar", data=data), f"hub_session={member.token}")
    assert response.headers["location"] == "/profile?avatar=error.image_too_many_pixels"
    assert decoded == [] and stored(uploads) == []
    assert user_row(api_db, member.email).avatar_file == ""
    assert translate("error.image_too_many_pixels", "id").startswith("Gambar terlalu besar dalam piksel")
    assert translate("error.image_too_many_pixels", "en").startswith("The image has too many pixels")


def test_staff_photos_with_too_many_pixels_are_refused_too(world, uploads, decoded):
    cookie = f"hub_session={world['staff'].token}"
    for route in ("photo", "trainer"):
        response = post_streamed(routes(world)[route], CountingBody("photo", data=png(BOMB)), cookie)
        assert response.headers["location"].endswith("photo=error.image_too_many_pixels"), route
    assert decoded == [] and stored(uploads) == []


def test_a_normal_phone_photo_still_becomes_an_avatar(world, uploads, decoded):
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (11, 95, 115)).save(buffer, "JPEG", quality=70)
    member = world["member"]
    response = post_streamed("/api/me/avatar", CountingBody("avatar", data=buffer.getvalue()),
                             f"hub_session={member.token}")
    assert response.headers["location"] == "/profile?avatar=ok"
    [name] = stored(uploads)
    with Image.open(uploads / name) as avatar:
        assert avatar.format == "WEBP" and max(avatar.size) == 256
    # The JPEG was decoded at a reduced scale (draft), not at 12 megapixels.
    assert decoded and all(width * height <= 1000 * 750 for width, height in decoded[:1])
