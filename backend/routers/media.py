"""Files of the media store over HTTP: ``/media/<key>`` serves them whichever backend holds them (a private
bucket's files reach shoppers this way), and staff upload product and banner pictures through the admin API."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from pydantic import BaseModel

from backend.deps import CurrentActor
from backend.schemas.common import PUBLIC_ERRORS, STAFF_ERRORS, errors
from domain.media import MAX_UPLOAD_BYTES, media_url, open_media, upload_image

router = APIRouter(tags=["media"], responses=PUBLIC_ERRORS)
admin_router = APIRouter(prefix="/api/v1/admin/media", tags=["admin: media"], responses=STAFF_ERRORS)

# A key never changes content (docs/architecture.md, "Media"), so browsers and CDNs may keep a file a long time.
CACHE_CONTROL = "public, max-age=2592000"


@router.get("/media/{key:path}", response_class=Response, responses={
    200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "the file"},
    304: {"description": "not modified (If-None-Match)"}, **errors(404, 502)})
def media_file(key: str, request: Request) -> Response:
    """A file of the media store, e.g. ``/media/products/3f9c0a1b2c3d4e5f.jpg``. 404 ``media_not_found``;
    502 ``media_store_unavailable`` when the object store cannot be reached."""
    stored = open_media(key)
    headers = {"Cache-Control": CACHE_CONTROL, **({"ETag": stored.etag} if stored.etag else {})}
    if stored.etag and request.headers.get("if-none-match") == stored.etag:
        return Response(status_code=304, headers=headers)
    return Response(stored.data, media_type=stored.content_type, headers=headers)


class UploadedImageOut(BaseModel):
    path: str  # what product and banner fields take: /media/<key>
    url: str  # where shoppers load it


@admin_router.post("/images", response_model=UploadedImageOut, status_code=201, responses=errors(422, 502))
def upload(actor: CurrentActor,
           file: Annotated[UploadFile, File(description="a JPEG, PNG or WebP picture, at most 5 MB")],
           folder: Annotated[Literal["products", "banners"], Query()] = "products") -> UploadedImageOut:
    """Upload a picture for products (permission ``products``) or home-page banners (``marketing``); it is kept as
    JPEG, at most 1200 px on its longer side. Put the answer's ``path`` in a product's ``images``, a SKU's
    ``image`` or a banner's ``image_url``. 422 ``invalid_image``, ``image_too_large``."""
    path = upload_image(actor=actor, data=file.file.read(MAX_UPLOAD_BYTES + 1), folder=folder)
    return UploadedImageOut(path=path, url=media_url(path))
