"""Uploaded avatars: plain still images only, re-encoded without metadata; every hostile
upload is refused with its reason and leaves nothing behind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from dailypapers.people.avatar_upload import AvatarRejected, accept_avatar
from dailypapers.settings import Settings
from dailypapers.store import PaperStore
from helpers import browser, csrf_from, make_user


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (640, 480), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(out, fmt, **save)
    return out.getvalue()


def photo_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0), 1: "N"}  # GPS latitude
    exif[0x0112] = 6  # orientation: rotated
    return image_bytes("JPEG", (640, 480), exif=exif.tobytes(), comment=b"secret note")


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # 144 megapixels in a few kB
    return out.getvalue()


def animated_gif() -> bytes:
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    frames = [Image.new("RGB", (32, 32), colour) for colour in colours]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    return out.getvalue()


ZIP_TAIL = b"PK\x03\x04" + b"\x00" * 40 + b"evil.sh"  # a PNG that is also a zip
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HOSTILE = {
    "bomb": (bomb(), "bomb.png", "decompression bomb"),
    "polyglot": (
        image_bytes("PNG") + b"PK\x03\x04" + b"\x00" * 40 + b"evil.sh",
        "a.png",
        "polyglot",
    ),
    "markup": (image_bytes("GIF")[:-1] + b"<script>alert(1)</script>\x3b", "a.gif", "markup"),
    "svg": (SVG, "avatar.svg", "SVG is refused"),
    "svg-named-png": (SVG.replace(b"<script>alert(1)</script>", b""), "a.png", "SVG is refused"),
    "lying-extension": (image_bytes("JPEG"), "me.png", "named .png but holds a JPEG"),
    "text-as-image": (b"just some text, not pixels" * 10, "me.jpg", "not an image we accept"),
    "animated": (animated_gif(), "wave.gif", "Animated images"),
    "too-big": (b"\xff\xd8" + b"\x00" * (4 * 1024 * 1024), "big.jpg", "at most 4 MB"),
    "truncated": (image_bytes("PNG")[:200], "cut.png", "polyglot"),
}


def test_a_photo_is_redrawn_square_upright_and_without_metadata() -> None:
    avatar = accept_avatar(photo_with_location(), "IMG_0001.JPG")
    redrawn = Image.open(io.BytesIO(avatar.data))
    assert redrawn.format == "WEBP" and redrawn.size == (256, 256)
    assert (
        not redrawn.getexif() and "exif" not in redrawn.info and "icc_profile" not in redrawn.info
    )
    assert b"SpyCam" not in avatar.data and b"secret note" not in avatar.data
    assert avatar.name.endswith(".webp") and len(avatar.name) == 25
    assert accept_avatar(image_bytes("PNG"), None).name != avatar.name  # named by content


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_with_their_reason(case: str) -> None:
    data, name, reason = HOSTILE[case]
    with pytest.raises(AvatarRejected, match=reason):
        accept_avatar(data, name)


def upload(client: TestClient, data: bytes, name: str) -> tuple[int, str]:
    token = csrf_from(client.get("/settings").text)
    answer = client.post(
        "/settings/avatar",
        data={"csrf_token": token},
        files={"avatar": (name, data, "application/octet-stream")},
        follow_redirects=True,
    )
    return answer.status_code, answer.text


def test_upload_serve_replace_and_remove_an_avatar(
    client: TestClient, store: PaperStore, site_settings: Settings
) -> None:
    _, _, session = make_user(store, "ada")
    ada = browser(client, session)
    folder = site_settings.resolved_avatar_dir()
    status, page = upload(ada, image_bytes("PNG"), "me.png")
    assert status == 200 and "Avatar saved" in page
    (first,) = folder.iterdir()
    url = f"/avatars/ada/{first.name}"
    assert f'src="{url}"' in ada.get("/users/ada").text
    served = TestClient(client.app).get(url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert "immutable" in served.headers["cache-control"] and "set-cookie" not in served.headers
    assert served.headers["x-content-type-options"] == "nosniff"
    assert upload(ada, photo_with_location(), "photo.jpg")[0] == 200
    (second,) = folder.iterdir()  # the replaced file is gone
    assert second.name != first.name and client.get(url).status_code == 404
    token = csrf_from(ada.get("/settings").text)
    ada.post("/settings/avatar", data={"csrf_token": token, "remove": "true"})
    assert list(folder.iterdir()) == [] and 'src="/avatars/ada.svg"' in ada.get("/users/ada").text
    assert client.get("/avatars/ada/../../secret.webp").status_code == 404


@pytest.mark.parametrize("case", ["bomb", "polyglot", "svg", "lying-extension"])
def test_a_hostile_upload_is_refused_on_the_page_and_stores_nothing(
    client: TestClient, store: PaperStore, site_settings: Settings, case: str
) -> None:
    _, _, session = make_user(store, "eve")
    eve = browser(client, session)
    data, name, reason = HOSTILE[case]
    status, page = upload(eve, data, name)
    assert status == 400 and reason in page.replace("&#39;", "'")
    folder: Path = site_settings.resolved_avatar_dir()
    assert not folder.exists() or list(folder.iterdir()) == []
    assert 'src="/avatars/eve.svg"' in eve.get("/users/eve").text


def test_a_50_mb_upload_is_cut_off_with_a_clear_answer(
    client: TestClient, store: PaperStore, site_settings: Settings
) -> None:
    _, _, session = make_user(store, "mallory")
    mallory = browser(client, session)
    status, page = upload(mallory, b"\xff\xd8" + b"\x00" * (50 * 1024 * 1024), "huge.jpg")
    assert status == 413 and "at most 4 MB" in page
    assert mallory.get("/settings").status_code == 200  # the server carries on
    folder = site_settings.resolved_avatar_dir()
    assert not folder.exists() or list(folder.iterdir()) == []
