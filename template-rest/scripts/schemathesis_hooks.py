"""Schemathesis hooks for this service: how to make the images that an avatar upload accepts.

The OpenAPI document says that the `file` part of `PUT /api/v1/users/{id}/avatar` is a PNG,
JPEG or WebP image (the `encoding` of the multipart body). JSON Schema cannot say what makes
bytes an image, so this file tells schemathesis: the format's magic number, then any bytes,
which is exactly what the service checks. Use it with

    SCHEMATHESIS_HOOKS=scripts/schemathesis_hooks.py schemathesis run <url>/openapi.json ...
"""

import schemathesis
from hypothesis import strategies as st

# The first bytes of each accepted format (see src/domain/avatar.rs).
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"


def _after(magic: bytes) -> st.SearchStrategy[bytes]:
    return st.binary(max_size=2048).map(lambda rest: magic + rest)


def _webp(rest: bytes) -> bytes:
    # RIFF, the chunk length, then WEBP.
    return b"RIFF" + (len(rest) + 4).to_bytes(4, "little") + b"WEBP" + rest


schemathesis.openapi.media_type("image/png", _after(PNG))
schemathesis.openapi.media_type("image/jpeg", _after(JPEG))
schemathesis.openapi.media_type("image/webp", st.binary(max_size=2048).map(_webp))
