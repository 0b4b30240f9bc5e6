"""A stand-in for the prediction API on loopback: records each request, answers like the real one.

The dashboard tests check what the dashboard sends (path, bearer token, records); the API's own
tests cover the real service.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.loopback_http import JsonHandler, serve


@dataclass
class StandInApi:
    url: str
    status: int = 200
    answer: dict[str, Any] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def stand_in_api() -> Iterator[StandInApi]:
    api = StandInApi(url="")

    class Handler(JsonHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            api.requests.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "json": json.loads(body),
                }
            )
            self.send_json(api.status, api.answer)

    server, api.url = serve(Handler)
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
