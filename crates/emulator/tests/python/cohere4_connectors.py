"""Cohere's Python SDK 4.x (the last line with `co.create_connector`, still in use) against the
emulator: every connector call it makes, as its users make them.

Usage: python cohere4_connectors.py BASE_URL API_KEY
Exits non-zero, with the SDK's own error, when any call fails.
"""

import sys

import cohere


def main(base_url: str, api_key: str) -> None:
    co = cohere.Client(api_key, api_url=base_url, check_api_key=False, max_retries=0)

    created = co.create_connector(
        name="Python wiki",
        url="https://wiki.example.com/search",
        excludes=["internal_notes"],
        service_auth={"type": "bearer", "token": "python-service-token"},
    )
    # Parsing the answer is what failed with nanosecond timestamps.
    assert created.id == "python-wiki", created.id
    assert created.created_at.microsecond >= 0

    listed = co.list_connectors(limit=10, offset=0)
    assert [c.id for c in listed] == ["python-wiki"], [c.id for c in listed]

    fetched = co.get_connector(created.id)
    assert fetched.name == "Python wiki"
    assert fetched.excludes == ["internal_notes"]

    updated = co.update_connector(created.id, name="Python wiki 2", active=False)
    assert updated.name == "Python wiki 2"
    assert updated.active is False

    oauth = co.create_connector(
        name="Python CRM",
        url="https://crm.example.com/search",
        oauth={
            "client_id": "client",
            "client_secret": "client-secret",
            "authorize_url": "https://login.example.com/authorize",
            "token_url": "https://login.example.com/token",
        },
    )
    # The 4.x SDK authorizes with GET.
    redirect = co.oauth_authorize_connector(
        oauth.id, after_token_redirect="https://app.example.com/done"
    )
    assert redirect.startswith("https://login.example.com/authorize?"), redirect

    co.delete_connector(created.id)
    co.delete_connector(oauth.id)
    assert co.list_connectors() == []
    print("cohere", cohere.SDK_VERSION, "ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
