"""/api/me/avatar (multipart upload checked by content, size and origin, stored under a generated
name), /media/... (only generated names, no path traversal) and /api/health."""

import io
import re

import pytest
from PIL import Image

from hub_app.settings import get_settings
from tests.api.conftest import ORIGIN
from tests.handlers.handler_harness import make_person, user_row

GENERATED = re.compile(r"^[0-9a-f]{32}\.webp$")


def image_bytes(kind: str, size=(300, 200), color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return buffer.getvalue()


def avatars_dir():
    return get_settings().upload_dir / "avatars"


def stored_files() -> set[str]:
    directory = avatars_dir()
    return {path.name for path in directory.iterdir()} if directory.exists() else set()


def upload(client, token: str | None, data: bytes, *, filename="me.png", content_type="image/png",
           origin: str | None = ORIGIN, referer: str | None = None, field="avatar"):
    headers = {}
    if token:
        headers["cookie"] = f"hub_session={token}"
    if origin:
        headers["origin"] = origin
    if referer:
        headers["referer"] = referer
    return client.post("/api/me/avatar", files={field: (filename, data, content_type)}, headers=headers)


@pytest.fixture
def member(api_db):
    return make_person(api_db, email="foto@test.example", name="Foto Member")


@pytest.fixture(autouse=True)
def clean_uploads():
    import shutil

    shutil.rmtree(avatars_dir(), ignore_errors=True)
    yield
    shutil.rmtree(avatars_dir(), ignore_errors=True)


@pytest.mark.parametrize("kind,filename,content_type", [
    ("PNG", "me.png", "image/png"), ("JPEG", "me.jpg", "image/jpeg"), ("WEBP", "me.webp", "image/webp"),
    # Accepted by content, whatever the name and declared type say.
    ("PNG", "photo.txt", "text/plain"), ("JPEG", "no-extension", "application/octet-stream"),
])
def test_png_jpeg_and_webp_are_accepted_by_content_and_stored_under_a_generated_name(
        kind, filename, content_type, client, api_db, member):
    response = upload(client, member.token, image_bytes(kind), filename=filename, content_type=content_type)
    assert response.status_code == 303 and response.headers["location"] == "/profile?avatar=ok"
    [name] = stored_files()
    assert GENERATED.match(name) and filename not in name
    assert user_row(api_db, member.email).avatar_file == name
    with Image.open(avatars_dir() / name) as stored:
        assert stored.format == "WEBP" and max(stored.size) <= 256

    # Served back from /media with long caching and no sniffing.
    media = client.get(f"/media/avatars/{name}")
    assert media.status_code == 200 and media.headers["content-type"] == "image/webp"
    assert "immutable" in media.headers["cache-control"]
    assert media.headers["x-content-type-options"] == "nosniff"


def test_a_new_avatar_replaces_the_old_file(client, api_db, member):
    upload(client, member.token, image_bytes("PNG"))
    [first] = stored_files()
    upload(client, member.token, image_bytes("JPEG", color=(10, 10, 10)))
    [second] = stored_files()
    assert first != second and user_row(api_db, member.email).avatar_file == second


@pytest.mark.parametrize("data,filename", [
    (b"just some text, not an image\n" * 10, "renamed.png"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "evil.png"),
    (b"GIF89a" + b"\x00" * 50, "anim.png"),
    (image_bytes("PNG")[:60], "truncated.png"),
    (b"", "empty.png"),
])
def test_other_content_is_refused(data, filename, client, api_db, member):
    response = upload(client, member.token, data, filename=filename)
    assert response.status_code == 303
    assert response.headers["location"] in ("/profile?avatar=error.avatar_invalid",)
    assert stored_files() == set() and user_row(api_db, member.email).avatar_file == ""


def test_a_real_gif_is_refused(client, api_db, member):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "GIF")
    response = upload(client, member.token, buffer.getvalue(), filename="a.gif", content_type="image/gif")
    assert response.headers["location"] == "/profile?avatar=error.avatar_invalid"
    assert stored_files() == set()


def test_more_than_two_megabytes_is_refused(client, api_db, member):
    big = image_bytes("PNG") + b"\x00" * (2 * 1024 * 1024)
    response = upload(client, member.token, big)
    assert response.status_code in (303, 400, 413)
    if response.status_code == 303:
        assert response.headers["location"] == "/profile?avatar=error.avatar_too_large"
    assert stored_files() == set() and user_row(api_db, member.email).avatar_file == ""


def test_a_huge_image_in_a_small_file_is_refused(client, api_db, member):
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, "PNG")  # 64 megapixels, a few kB compressed
    response = upload(client, member.token, buffer.getvalue())
    assert response.headers["location"] == "/profile?avatar=error.image_too_many_pixels"
    assert stored_files() == set()


@pytest.mark.parametrize("origin,referer", [
    ("https://evil.example", None), ("null", None), (None, None), (None, "https://evil.example/page"),
    ("http://localhost:3000.evil.example", None),
])
def test_cross_origin_uploads_are_refused(origin, referer, client, api_db, member):
    response = upload(client, member.token, image_bytes("PNG"), origin=origin, referer=referer)
    assert response.status_code == 403
    assert stored_files() == set() and user_row(api_db, member.email).avatar_file == ""


def test_same_origin_referer_is_enough(client, api_db, member):
    response = upload(client, member.token, image_bytes("PNG"), origin=None, referer=f"{ORIGIN}/profile")
    assert response.headers["location"] == "/profile?avatar=ok"


def test_uploads_need_a_session(client, api_db, member):
    for token in [None, "forged-forged-forged-forged-forged"]:
        response = upload(client, token, image_bytes("PNG"))
        assert response.status_code == 303
        assert response.headers["location"] == "/profile?avatar=error.sign_in_required"
    assert stored_files() == set()


def test_odd_forms_do_not_crash(client, api_db, member):
    headers = {"cookie": f"hub_session={member.token}", "origin": ORIGIN}
    # No file field, a text field instead, too many fields, a non-multipart body.
    assert client.post("/api/me/avatar", files={"photo": ("a.png", image_bytes("PNG"), "image/png")},
                       headers=headers).headers["location"] == "/profile?avatar=error.avatar_invalid"
    assert client.post("/api/me/avatar", data={"avatar": "text"}, headers=headers).status_code == 303
    many = {f"field{n}": "x" for n in range(5)}
    assert client.post("/api/me/avatar", data=many, files={"avatar": ("a.png", image_bytes("PNG"))},
                       headers=headers).status_code == 400
    assert client.post("/api/me/avatar", content=b"garbage", headers={**headers, "content-type": "text/plain"}
                       ).status_code in (303, 400)
    assert stored_files() == set()


# -- /media ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/media/avatars/..%2F..%2Fhandlers.db", "/media/avatars/%2e%2e%2f%2e%2e%2fhandlers.db",
    "/media/../hub_app/settings.py", "/media/avatars/../../handlers.db", "/media/etc/passwd",
    "/media/avatars/secret.txt", "/media/avatars/" + "A" * 32 + ".webp", "/media/private/" + "a" * 32 + ".webp",
    "/media/avatars/" + "a" * 32 + ".webp/..", "/media/avatars/" + "a" * 32 + ".webp%00.txt",
])
def test_media_serves_only_generated_names(path, client, api_db):
    directory = avatars_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "secret.txt").write_text("not for the web")
    (directory / ("A" * 32 + ".webp")).write_bytes(b"x")
    (directory.parent / "private").mkdir(exist_ok=True)
    (directory.parent / "private" / ("a" * 32 + ".webp")).write_bytes(b"x")
    response = client.get(path)
    assert response.status_code == 404
    assert "not for the web" not in response.text and "sqlite" not in response.text.lower()


def test_media_404_for_a_missing_generated_name(client, api_db):
    assert client.get("/media/avatars/" + "0" * 32 + ".webp").status_code == 404


# -- /api/health ----------------------------------------------------------------------------------


def test_health_is_ok_with_the_database(client, api_db):
    response = client.get("/api/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-frame-options"] == "DENY"


def test_health_is_an_error_without_the_database(client, monkeypatch, tmp_path):
    import hub_app.db

    unreachable = hub_app.db.make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'hub.db'}")
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: unreachable)
    response = client.get("/api/health")
    assert response.status_code == 503 and response.json() == {"status": "error"}


def test_every_api_response_carries_the_security_headers(client, api_db, member):
    for response in [client.get("/api/health"), client.get("/api/me/export"),
                     client.get("/api/auth/sign-out"), client.get("/media/avatars/x")]:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert response.headers["x-frame-options"] == "DENY"
        assert "immutable" not in response.headers.get("cache-control", "")
