import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/products/", "/orders/", "/admin/"])
def test_every_page_needs_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_login_page_and_health_are_public(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").content == b"ok"
