"""The API with its media store in an object store (``MALL_MEDIA_STORE=s3``, moto's server standing in for COS or
OSS): uploads become objects in the bucket, ``/media`` serves a private bucket's files, a public base sends
shoppers to the bucket itself, mini-program codes and posters are kept there, and a store that cannot be reached
is a 502 that says so."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from domain.config import get_config, reset_config
from domain.media import media_key, read_media, save_image
from domain.media.errors import MediaError
from domain.models import User
from tests.builders import approve_distributor, make_product
from tests.objectstore import bucket_client, object_keys
from tests.refusals import refused
from tests.support import free_port


def png_bytes(colour=(20, 140, 90), size=(500, 500)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def wxacodes(sandbox_url: str, scene: str) -> list[dict]:
    items = httpx.get(sandbox_url + "records", params={"kind": "wxacode"}).json()["items"]
    return [r for r in items if r["scene"] == scene]


def test_an_uploaded_image_is_an_object_in_the_bucket_and_the_api_serves_it(client, s3_media, staff_headers):
    endpoint, bucket = s3_media
    res = client.post("/api/v1/admin/media/images", headers=staff_headers("operator"),
                      files={"file": ("scarf.png", png_bytes(), "image/png")})

    assert res.status_code == 201, res.text
    path, url = res.json()["path"], res.json()["url"]
    key = media_key(path)
    assert path.startswith("/media/products/") and url == get_config().public_url.rstrip("/") + path
    head = bucket_client(endpoint).head_object(Bucket=bucket, Key=f"mall/{key}")
    assert (head["ContentType"], head["CacheControl"]) == ("image/jpeg", "public, max-age=2592000")

    served = client.get(path)  # a private bucket: the API reads the object and answers it
    assert (served.status_code, served.headers["content-type"]) == (200, "image/jpeg")
    assert served.content == read_media(path) and Image.open(io.BytesIO(served.content)).size == (500, 500)
    again = client.get(path, headers={"If-None-Match": served.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")


def test_only_staff_with_the_folders_permission_upload(client, s3_media, staff_headers):
    picture = {"file": ("a.png", png_bytes(), "image/png")}
    refused("forbidden", client.post("/api/v1/admin/media/images", headers=staff_headers("support"), files=picture),
            status=403)
    banner = client.post("/api/v1/admin/media/images?folder=banners", headers=staff_headers("operator"),
                         files=picture)
    assert banner.status_code == 201 and banner.json()["path"].startswith("/media/banners/")
    refused(MediaError.INVALID_IMAGE, client.post("/api/v1/admin/media/images", headers=staff_headers("operator"),
                                                  files={"file": ("a.png", b"not a picture", "image/png")}),
            status=422)
    assert client.post("/api/v1/admin/media/images", files=picture).status_code == 401
    assert object_keys(*s3_media) == [f"mall/{media_key(banner.json()['path'])}"]


def test_with_a_public_base_shoppers_load_pictures_from_the_bucket_itself(client, db, s3_media, monkeypatch):
    endpoint, bucket = s3_media
    monkeypatch.setenv("MALL_MEDIA_PUBLIC_URL", f"{endpoint}/{bucket}/mall")
    reset_config()
    product = make_product(db, title="桂花乌龙 100g", images=[save_image(png_bytes((200, 160, 40)))])

    [url] = client.get(f"/api/v1/products/{product.id}").json()["images"]

    assert url == f"{endpoint}/{bucket}/mall/{media_key(product.images[0])}"
    direct = httpx.get(url)  # straight from the bucket, as a CDN or the bucket's domain answers shoppers
    assert direct.status_code == 200 and direct.content == read_media(product.images[0])
    assert client.get(product.images[0]).status_code == 200  # the API still serves the stored path too


def test_missing_files_and_keys_that_name_none_answer_404(client, s3_media):
    for path in ("/media/products/0000000000000000.jpg", "/media/.hidden", "/media/a//b.jpg",
                 "/media/products/%2E%2E/%2E%2E/secret.key"):
        refused(MediaError.MEDIA_NOT_FOUND, client.get(path), status=404)


def test_the_distributors_code_is_asked_of_wechat_once_and_posters_are_kept_in_the_bucket(
        client, db, shopper, s3_media, sandbox_url):
    endpoint, bucket = s3_media
    headers, me = shopper("s3_poster")
    user = db.get(User, me["user"]["id"])
    approve_distributor(db, user)
    scene = f"i={me['user']['invite_code']}"

    first = client.get("/api/v1/distribution/qrcode", headers=headers)
    second = client.get("/api/v1/distribution/qrcode", headers=headers)
    poster = client.get("/api/v1/distribution/poster", headers=headers)
    poster_again = client.get("/api/v1/distribution/poster", headers=headers)

    assert first.status_code == poster.status_code == 200 and first.content == second.content
    assert len(wxacodes(sandbox_url, scene)) == 1
    assert poster.content == poster_again.content and Image.open(io.BytesIO(poster.content)).size == (600, 900)
    kept = object_keys(endpoint, bucket)
    assert [k.split("/")[1] for k in kept] == ["codes", "posters"]
    assert bucket_client(endpoint).get_object(Bucket=bucket, Key=kept[0])["Body"].read() == first.content

    user.nickname = "改了昵称"  # what a poster shows changed: a new poster, the same code
    db.flush()
    renamed = client.get("/api/v1/distribution/poster", headers=headers)
    assert renamed.content != poster.content and len(object_keys(endpoint, bucket)) == 3
    assert len(wxacodes(sandbox_url, scene)) == 1


@pytest.fixture
def unreachable_store(monkeypatch):
    monkeypatch.setenv("MALL_MEDIA_STORE", "s3")
    monkeypatch.setenv("MALL_MEDIA_BUCKET", "mall")
    monkeypatch.setenv("MALL_MEDIA_ENDPOINT", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    monkeypatch.setenv("MALL_MEDIA_ACCESS_KEY", "k")
    monkeypatch.setenv("MALL_MEDIA_SECRET_KEY", "s")
    monkeypatch.setenv("MALL_MEDIA_REGION", "ap-shanghai")
    reset_config()
    yield
    monkeypatch.undo()
    reset_config()


def test_a_store_that_cannot_be_reached_is_a_502_that_says_so(client, shopper, unreachable_store):
    headers, _ = shopper("s3_down")
    upload = client.post("/api/v1/me/avatar", headers=headers, files={"file": ("a.png", png_bytes(), "image/png")})
    assert upload.status_code == 502 and upload.json()["error"]["code"] == MediaError.STORE_UNAVAILABLE
    served = client.get("/media/products/0000000000000000.jpg")
    assert served.status_code == 502 and served.json()["error"]["code"] == MediaError.STORE_UNAVAILABLE
