"""The media store: one contract, kept by both backends — a folder on this machine, and a bucket of an S3-protocol
store through the real boto3 code (against moto's server, tests/objectstore.py) — and the images saved into it."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from domain.config import get_config, reset_config
from domain.errors import CommonError
from domain.media import media_key, media_url, open_media, read_media, save_image, upload_image
from domain.media.errors import MediaError
from domain.media.s3 import S3Store
from domain.media.store import LocalStore
from domain.security.actor import Actor
from domain.security.roles import Role
from tests.objectstore import ACCESS_KEY, REGION, SECRET_KEY, new_bucket, object_keys
from tests.refusals import refused


def png_bytes(colour=(200, 30, 30), size=(400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "media")
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3Store(bucket=new_bucket(endpoint), prefix="/shop/", endpoint=endpoint, region=REGION,
                   access_key=ACCESS_KEY, secret_key=SECRET_KEY, addressing_style="path")


def test_a_file_put_is_read_back_with_its_type_and_a_tag_that_changes_with_it(store):
    store.put("products/a1.jpg", b"first", content_type="image/jpeg")
    first = store.get("products/a1.jpg")
    assert (first.data, first.content_type) == (b"first", "image/jpeg") and first.etag.startswith('"')

    store.put("products/a1.jpg", b"second version", content_type="image/jpeg")
    second = store.get("products/a1.jpg")
    assert second.data == b"second version" and second.etag != first.etag

    store.delete("products/a1.jpg")
    assert store.get("products/a1.jpg") is None
    store.delete("products/a1.jpg")  # deleting what is gone is no error


@pytest.mark.parametrize("key", ["../secret.key", "products/../../data.key", ".hidden", "a//b.jpg", "/etc/passwd",
                                 "products/", "", "a b.jpg", "x" * 401])
def test_a_key_that_could_leave_the_store_names_nothing(store, key):
    assert store.get(key) is None
    with pytest.raises(ValueError):
        store.put(key, b"x", content_type="image/jpeg")


def test_the_local_store_replaces_a_file_whole_and_leaves_nothing_half_written(tmp_path):
    store = LocalStore(tmp_path / "media")
    store.put("codes/c.png", b"\x89PNG old", content_type="image/png")
    store.put("codes/c.png", b"\x89PNG new", content_type="image/png")
    assert [p.name for p in (tmp_path / "media" / "codes").iterdir()] == ["c.png"]
    assert (tmp_path / "media" / "codes" / "c.png").read_bytes() == b"\x89PNG new"


def test_the_bucket_holds_the_files_under_the_prefix(s3_endpoint):
    bucket = new_bucket(s3_endpoint)
    store = S3Store(bucket=bucket, prefix="shop", endpoint=s3_endpoint, region=REGION, access_key=ACCESS_KEY,
                    secret_key=SECRET_KEY, addressing_style="path")
    store.put("banners/b.jpg", b"jpeg", content_type="image/jpeg")
    assert object_keys(s3_endpoint, bucket) == ["shop/banners/b.jpg"]


def test_an_uploaded_picture_is_kept_as_a_jpeg_no_larger_than_asked():
    path = save_image(png_bytes(size=(2400, 1200)), folder="products")

    assert path.startswith("/media/products/") and path.endswith(".jpg") and len(media_key(path)) == 9 + 16 + 4
    stored = Image.open(io.BytesIO(read_media(path)))
    assert (stored.format, stored.size) == ("JPEG", (1200, 600))
    assert (get_config().media_dir / media_key(path)).is_file()  # the local default: var/media
    assert save_image(png_bytes()) != save_image(png_bytes())  # a new name each time, never overwritten


def test_what_is_not_a_picture_or_is_too_large_is_refused():
    with refused(MediaError.INVALID_IMAGE):
        save_image(b"GIF89a but not really")
    with refused(MediaError.IMAGE_TOO_LARGE):
        save_image(b"\0" * (5 * 1024 * 1024 + 1))


def test_a_missing_file_is_not_found():
    assert read_media("/media/products/0000000000000000.jpg") is None
    assert read_media("https://cdn.example.com/a.jpg") is None  # outside addresses are never fetched
    with refused(MediaError.MEDIA_NOT_FOUND):
        open_media("products/0000000000000000.jpg")
    with refused(MediaError.MEDIA_NOT_FOUND):
        open_media("../secret.key")


def test_addresses_come_from_the_api_or_from_the_public_base(monkeypatch):
    api = get_config().public_url.rstrip("/")
    assert media_url("/media/products/a.jpg") == f"{api}/media/products/a.jpg"
    assert media_url("https://img.example.com/a.jpg") == "https://img.example.com/a.jpg"
    assert media_url("") == ""

    monkeypatch.setenv("MALL_MEDIA_PUBLIC_URL", "https://img.example.com/mall/")
    reset_config()
    try:
        assert media_url("/media/products/a.jpg") == "https://img.example.com/mall/products/a.jpg"
        assert media_url("https://other.example.com/b.jpg") == "https://other.example.com/b.jpg"
    finally:
        monkeypatch.undo()
        reset_config()


def test_staff_upload_pictures_only_where_their_role_may():
    operator = Actor(staff_id=1, username="op", role=Role.OPERATOR)
    support = Actor(staff_id=2, username="cs", role=Role.SUPPORT)

    assert upload_image(actor=operator, data=png_bytes(), folder="products").startswith("/media/products/")
    assert upload_image(actor=operator, data=png_bytes(), folder="banners").startswith("/media/banners/")
    with refused(CommonError.FORBIDDEN):
        upload_image(actor=support, data=png_bytes(), folder="products")
    with refused(MediaError.INVALID_FOLDER):
        upload_image(actor=operator, data=png_bytes(), folder="avatars")


def test_images_saved_with_the_object_store_configured_go_to_the_bucket(s3_media):
    endpoint, bucket = s3_media
    path = save_image(png_bytes(size=(300, 300)), folder="aftersale")

    assert object_keys(endpoint, bucket) == [f"mall/{media_key(path)}"]
    assert Image.open(io.BytesIO(read_media(path))).size == (300, 300)
    assert not (get_config().media_dir / media_key(path)).exists()  # nothing on this host's disk
