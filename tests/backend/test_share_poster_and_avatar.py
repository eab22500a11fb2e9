"""The mini-program's sharing and profile over HTTP: a product share's poster (the product's picture, title and
price, and a code that opens the product with the sharer's invite and the share), which earns nothing; and the
avatar a shopper picks with chooseAvatar, uploaded and kept small."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from domain.catalog.errors import CatalogError
from domain.distribution.share import product_scene
from domain.media import save_image
from domain.members.errors import ShareError
from domain.users.service import AVATAR_SIDE
from tests.builders import make_product
from tests.refusals import refused

PRODUCT_COLOUR = (20, 140, 90)


def png_bytes(colour, size=(400, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def wxacodes(sandbox_url: str, scene: str) -> list[dict]:
    items = httpx.get(sandbox_url + "records", params={"kind": "wxacode"}).json()["items"]
    return [r for r in items if r["scene"] == scene]


def test_a_product_poster_shows_the_product_and_its_code_opens_it_with_my_invite_and_the_share(
        client, shopper, db, sandbox_url):
    headers, me = shopper("poster_maker")  # a shopper, not a distributor: anyone may share a product
    product = make_product(db, title="海报测试 有机绿茶 250g", prices=(3990, 5990),
                           images=[save_image(png_bytes(PRODUCT_COLOUR))])
    share = client.post("/api/v1/shares", json={"target": "product", "product_id": product.id, "channel": "poster"},
                        headers=headers).json()
    scene = f"p={product.id}&i={me['user']['invite_code']}&s={share['share_id']}"

    res = client.get(f"/api/v1/shares/{share['share_id']}/poster", headers=headers)

    assert res.status_code == 200 and res.headers["content-type"] == "image/png"
    poster = Image.open(io.BytesIO(res.content)).convert("RGB")
    assert poster.size == (750, 1180)
    # The product's own picture fills the top (stored as JPEG: within a step or two of its colour).
    assert all(abs(a - b) <= 3 for a, b in zip(poster.getpixel((375, 360)), PRODUCT_COLOUR, strict=True))
    assert len(set(poster.crop((0, 720, 750, 1180)).getdata())) > 20  # title, price and the code below it
    assert [r["page"] for r in wxacodes(sandbox_url, scene)] == ["pages/product/detail"]
    # Making a poster earns nothing: no growth, no reward.
    assert client.get("/api/v1/me", headers=headers).json()["member"]["growth"] == 0
    assert client.get("/api/v1/me/share-rewards", headers=headers).json()["total"] == 0


def test_only_my_own_product_share_has_a_poster(client, shopper, db):
    mine, _ = shopper("poster_owner")
    other, _ = shopper("poster_other")
    product = make_product(db)
    share = client.post("/api/v1/shares", json={"target": "product", "product_id": product.id, "channel": "poster"},
                        headers=mine).json()
    shop = client.post("/api/v1/shares", json={"target": "shop", "channel": "poster"}, headers=mine).json()

    refused(ShareError.SHARE_NOT_FOUND, client.get(f"/api/v1/shares/{share['share_id']}/poster", headers=other),
            status=404)
    refused(ShareError.SHARE_NOT_FOUND, client.get("/api/v1/shares/999999/poster", headers=mine), status=404)
    refused(ShareError.INVALID_SHARE, client.get(f"/api/v1/shares/{shop['share_id']}/poster", headers=mine),
            status=422)
    assert client.get(f"/api/v1/shares/{share['share_id']}/poster").status_code == 401

    product.is_on_shelf = False
    db.flush()
    refused(CatalogError.PRODUCT_NOT_FOUND, client.get(f"/api/v1/shares/{share['share_id']}/poster", headers=mine),
            status=404)


def test_the_poster_scene_leaves_the_share_out_rather_than_pass_wechats_32_characters():
    assert product_scene(product_id=12, invite_code="ABCDEFGH", share_id=345) == "p=12&i=ABCDEFGH&s=345"
    long = product_scene(product_id=123456789, invite_code="ABCDEFGH", share_id=123456789)
    assert long == "p=123456789&i=ABCDEFGH"


def test_the_avatar_chosen_in_wechat_is_uploaded_and_kept_small(client, shopper):
    headers, _ = shopper("avatar_picker")
    res = client.post("/api/v1/me/avatar", headers=headers,
                      files={"file": ("tmp_avatar.png", png_bytes((200, 30, 30), size=(900, 600)), "image/png")})

    assert res.status_code == 200, res.text
    url = res.json()["avatar_url"]
    assert url.startswith("http") and "/media/avatars/" in url
    assert client.get("/api/v1/me", headers=headers).json()["avatar_url"] == url
    stored = Image.open(io.BytesIO(client.get(url[url.index("/media/"):]).content))
    assert (stored.format, max(stored.size)) == ("JPEG", AVATAR_SIDE)


def test_an_avatar_that_is_not_an_image_is_refused(client, shopper):
    headers, me = shopper("avatar_text")
    res = client.post("/api/v1/me/avatar", headers=headers, files={"file": ("a.png", b"not a picture", "image/png")})
    refused("invalid_image", res, status=422)
    assert client.get("/api/v1/me", headers=headers).json()["avatar_url"] == me["user"]["avatar_url"]
    assert client.post("/api/v1/me/avatar", files={"file": ("a.png", png_bytes((1, 2, 3)), "image/png")}
                       ).status_code == 401
