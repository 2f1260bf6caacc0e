"""The API docs at /docs, served with everything they need from this server.

FastAPI's own /docs loads Swagger UI's script and style sheet from a CDN, which leaves the
page blank on a bureau network without internet. Here the files come from the
`swagger-ui-bundle-v2` package (Swagger UI 5, which reads the OpenAPI 3.1 that FastAPI
writes) under /static/swagger-ui/. ReDoc has no such package, so /redoc is off.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = "/static/swagger-ui"


def add_docs(app: FastAPI) -> None:
    """Serve Swagger UI's files and the /docs page (the app is made with docs_url=None)."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(STATIC, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
    redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")  # behind a path prefix
        return get_swagger_ui_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{app.title} - API", oauth2_redirect_url=root + redirect,
            swagger_js_url=f"{root}{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None})  # no badge from a validator site

    @app.get(redirect, include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
