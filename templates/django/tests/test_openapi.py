"""The OpenAPI document (/openapi.json) and its viewer (/docs)."""

import re

from django.test import Client


def test_openapi_document(client: Client) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert all(path.startswith("/api/") for path in document["paths"])


def test_docs_are_served_by_the_app_itself(client: Client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    # no other host: every script, style and icon is served by this app
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset
    assert '"/openapi.json"' in page


def test_openapi_is_read_only(client: Client) -> None:
    response = client.post("/openapi.json")
    assert response.status_code == 405
    assert response.json()["error"]
