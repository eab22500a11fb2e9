"""Notifications from the fake WeChat to the merchant's notify URL (payments, refunds)."""

from __future__ import annotations

import httpx

TIMEOUT_SECONDS = 15


class Notifier:
    """POSTs notifications as WeChat does, through one pooled client per app (making one per call is slow).

    Deliveries run side by side: each awaits only its own merchant, with no lock held.
    """

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    async def post(self, url: str, content: bytes, content_type: str,
                   headers: dict[str, str] | None = None) -> tuple[int, str]:
        """Returns the merchant's status code and answer, or 0 and why it could not be reached."""
        if self._client is None:  # made on first use, inside the event loop that will use it
            self._client = httpx.AsyncClient(timeout=TIMEOUT_SECONDS)
        try:
            res = await self._client.post(url, content=content, headers={"Content-Type": content_type, **(headers or {})})
        except httpx.HTTPError as exc:
            return 0, f"unreachable: {exc!r}"
        return res.status_code, res.text

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
