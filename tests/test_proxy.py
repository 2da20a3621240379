"""Behind a reverse proxy: `serve --root-path` and forwarded headers from listed proxies only."""

from __future__ import annotations

import http.client
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytest.importorskip("uvicorn", reason="the web extra is not installed: pip install -e '.[test]'")
pytest.importorskip("sqlalchemy", reason="the workspaces extra is not installed")

from collab_advisor.web.cli import proxy_options

from .test_serve_limits import _serve

ROOT_PATH = "/advisor"


def _ask(host: str, port: int, method: str, path: str, body: dict[str, str] | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """One request as a proxy that has stripped the root path would pass it on."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        sent = {"Host": f"{host}:{port}", **(headers or {})}
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=sent)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, \
            answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_under_a_root_path_every_link_and_redirect_starts_with_it(tmp_path: Path) -> None:
    """With --root-path /advisor the pages' links, forms, assets, API docs, the workspace
    links and the redirects all start with /advisor; nothing points at the bare top."""
    with _serve("--root-path", ROOT_PATH, "--database", str(tmp_path / "ws.sqlite3")) \
            as (host, port):
        status, _, page = _ask(host, port, "GET", "/?aim=share_know_how")
        assert status == 200
        assert f'href="{ROOT_PATH}/static/app.css"' in page
        assert f'action="{ROOT_PATH}/"' in page and f'href="{ROOT_PATH}/compare"' in page
        assert re.findall(r'(?:href|src|action)="/(?!advisor)', page) == []
        assert 'aria-current="page"' in page  # the menu still knows which page this is
        status, headers, _ = _ask(host, port, "GET", "/compare?n=1&add=1")
        assert status == 303 and headers["location"].startswith(f"{ROOT_PATH}/compare?")
        _, _, docs = _ask(host, port, "GET", "/docs")
        assert f'data-openapi="{ROOT_PATH}/openapi.json"' in docs
        status, _, made = _ask(host, port, "POST", "/workspaces", {"name": "Ward 7"})
        assert status == 201
        link = re.search(r'id="facilitator-link" href="([^"]+)"', made)
        assert link and link.group(1).startswith(f"http://{host}:{port}{ROOT_PATH}/w/f/")
        token = link.group(1).rsplit("/", 1)[1]
        status, headers, _ = _ask(host, port, "POST", f"/w/f/{token}/round",
                                  {"action": "close"})
        assert status == 303 and headers["location"] == f"{ROOT_PATH}/w/f/{token}"


@pytest.mark.parametrize("trusted", [True, False], ids=["listed-proxy", "no-proxy-listed"])
def test_forwarded_headers_are_believed_only_from_listed_proxies(
        tmp_path: Path, trusted: bool) -> None:
    """X-Forwarded-Proto makes the workspace links https only when the sender is a listed
    proxy; either way a Host that is not allowed is still refused."""
    options = ["--forwarded-allow-ips", "127.0.0.1"] if trusted else []
    with _serve(*options, "--database", str(tmp_path / "ws.sqlite3")) as (host, port):
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        status, _, made = _ask(host, port, "POST", "/workspaces", {"name": "Ward 7"},
                               forwarded)
        assert status == 201
        scheme = "https" if trusted else "http"
        assert f'href="{scheme}://{host}:{port}/w/f/' in made
        status, _, _ = _ask(host, port, "GET", "/", headers={
            **forwarded, "Host": "evil.example", "X-Forwarded-Host": f"{host}:{port}"})
        assert status == 421


@pytest.mark.parametrize(("root", "ips", "wrong"), [
    ("advisor", "", "--root-path"), ("/a b", "", "--root-path"),
    ("", "127.0.0.1,proxy.example", "'proxy.example'")])
def test_bad_proxy_options_are_refused_by_name(root: str, ips: str, wrong: str) -> None:
    """A root path that is not a path, or a proxy that is not an address, is an error
    naming the option and the value."""
    import argparse

    with pytest.raises(ValueError, match=re.escape(wrong)):
        proxy_options(argparse.Namespace(root_path=root, forwarded_allow_ips=ips))
    good = proxy_options(argparse.Namespace(root_path="/advisor/", forwarded_allow_ips=""))
    assert good == {"root_path": "/advisor", "proxy_headers": False,
                    "forwarded_allow_ips": None}
