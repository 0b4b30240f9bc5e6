"""Read a JSON request body within a size limit: 415 for other media types, 413 past the limit.

The limit is checked against Content-Length before anything is read and again while the body
streams in (chunked or lying clients), so an oversized body is never held in memory whole.
"""

from __future__ import annotations

from fastapi import HTTPException, Request, status


async def read_json_body(request: Request, *, max_bytes: int) -> bytes:
    """The raw body of a JSON request of at most `max_bytes`, else an HTTPException to send."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"send the records as JSON with `Content-Type: application/json` "
            f"(got {media_type or 'no Content-Type'!r})",
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(max_bytes: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        detail=f"the body is larger than {max_bytes} bytes (MAX_REQUEST_BYTES); "
        "split the records into smaller requests",
        # The rest of the body is not read: the client must not reuse this connection.
        headers={"Connection": "close"},
    )
