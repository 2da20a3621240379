"""A bare FastAPI app on uvicorn, the reference for ``scripts/web_load.py``.

It answers ``POST /api/recommend`` with a fixed JSON body and ``GET /`` with a fixed HTML
body, each of the size given, doing no other work, so the load script can compare the
advisor's throughput with what the web stack alone serves on this machine:

    python scripts/bare_app.py --port 8765 --workers 1 --api-bytes 9000 --page-bytes 30000
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

_SIZES = "BARE_APP_SIZES"
"""Where the parent passes the body sizes to each worker process."""


def make_app() -> FastAPI:
    """The bare app, with bodies of the sizes in the environment."""
    api_bytes, page_bytes = (int(n) for n in os.environ[_SIZES].split(","))
    api_body = b'{"padding":"' + b"x" * max(api_bytes - 14, 0) + b'"}'
    page_body = "<!doctype html><p>" + "x" * max(page_bytes - 18, 0)
    app = FastAPI()

    @app.post("/api/recommend")
    async def api(request: Request) -> Response:
        await request.body()
        return Response(api_body, media_type="application/json")

    @app.get("/")
    def page() -> HTMLResponse:
        return HTMLResponse(page_body)

    return app


def main() -> None:
    """Serve the bare app until interrupted, printing one line when ready."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--api-bytes", type=int, required=True)
    parser.add_argument("--page-bytes", type=int, required=True)
    args = parser.parse_args()
    os.environ[_SIZES] = f"{args.api_bytes},{args.page_bytes}"
    sys.stdout.write(f"bare app at http://127.0.0.1:{args.port}/\n")
    sys.stdout.flush()
    uvicorn.run("bare_app:make_app", factory=True, host="127.0.0.1", port=args.port,
                workers=args.workers, app_dir=str(Path(__file__).parent),
                log_level="warning", access_log=False, server_header=False)


if __name__ == "__main__":
    main()
