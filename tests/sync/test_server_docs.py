"""/docs works on a network without internet: the page names no file outside the server,
and the server serves every script and style sheet it names."""

from __future__ import annotations

import re

import httpx
import pytest
from synchelpers import ServerThread

URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.fixture
def docs_server(tmp_path, sqlite_url):
    srv = ServerThread(tmp_path / "server", sqlite_url).start()
    yield srv
    srv.stop()


def test_docs_load_only_from_this_server(docs_server):
    with httpx.Client(base_url=docs_server.url, timeout=10) as client:
        page = client.get("/docs")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        html = page.text
        assert not re.findall(r"(?:https?:)?//[\w.-]+", html.replace(docs_server.url, ""))
        refs = [a or b for a, b in URL.findall(html)]
        scripts = [r for r in refs if r.endswith(".js")]
        sheets = [r for r in refs if r.endswith(".css")]
        assert scripts and sheets and "/openapi.json" in refs
        for ref in refs:
            answer = client.get(ref)
            assert answer.status_code == 200 and len(answer.content) > 100, ref
        bundle = client.get(scripts[0])
        assert "javascript" in bundle.headers["content-type"]
        assert b"SwaggerUIBundle" in bundle.content
        assert "text/css" in client.get(sheets[0]).headers["content-type"]
        # The OpenAPI FastAPI writes is 3.1, which Swagger UI reads from version 5 on.
        assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
        assert re.search(rb'PACKAGE_VERSION:"5\.\d+\.\d+"', bundle.content)
        # The docs routes and files are not API: the schema lists none of them.
        paths = client.get("/openapi.json").json()["paths"]
        assert not [p for p in paths if p.startswith(("/docs", "/static", "/redoc"))]
        assert client.get("/redoc").status_code == 404  # ReDoc would need a CDN
