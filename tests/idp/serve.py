"""Start the test OpenID provider: `python -m tests.idp.serve --port P --token T`.

IDP_DATABASE (a SQLite file) and IDP_CONFIG (JSON: "clients" and "users") come from the
environment. It creates the tables, a signing key, the clients and the users, then serves
with uvicorn (every answer carries the X-Labb-Test-Server token, so the launcher in
tests/support/servers.py knows it reached this process)."""

import argparse
import json
import os


def setup(config: dict) -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0)
    call_command("creatersakey", verbosity=0)
    code = ResponseType.objects.get(value="code")
    for data in config["clients"]:
        client = Client.objects.create(
            name=data["client_id"],
            client_type="confidential",
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            jwt_alg="RS256",
            require_consent=False,
            reuse_consent=False,
            redirect_uris=data["redirect_uris"],
            post_logout_redirect_uris=data.get("post_logout_redirect_uris", []),
            scope=["openid", "email", "profile"],
        )
        client.response_types.add(code)
    for data in config["users"]:
        user = User.objects.create_user(
            data["username"],
            email=data.get("email", ""),
            password=data["password"],
            first_name=data.get("first_name", ""),
        )
        for name in data.get("groups", []):
            user.groups.add(Group.objects.get_or_create(name=name)[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.idp.settings"
    os.environ["IDP_URL"] = f"http://127.0.0.1:{args.port}"
    import django

    django.setup()
    setup(json.loads(os.environ["IDP_CONFIG"]))
    import uvicorn
    from django.core.wsgi import get_wsgi_application

    uvicorn.run(
        get_wsgi_application(),
        host="127.0.0.1",
        port=args.port,
        interface="wsgi",
        headers=[("X-Labb-Test-Server", args.token)],
        log_level="warning",
    )


if __name__ == "__main__":
    main()
