"""A SAML 2.0 identity provider for the sign-in tests, built on pysaml2's `Server`:
`python -m tests.idp.saml_serve --port P --token T`, with IDP_KEY and IDP_CERT (PEM files)
and IDP_USERS (JSON) in the environment. With IDP_WANT_SIGNED=1 it wants signed requests
(WantAuthnRequestsSigned in its metadata) and refuses AuthnRequests and LogoutRequests
whose signature is missing or does not verify with the SP's certificate.

GET /metadata             the IdP's metadata (signing certificate, SSO address)
GET /sso/redirect         an AuthnRequest by HTTP-Redirect: shows the sign-in form
POST /sso/login           signs the person in and answers with a signed assertion, by
                          HTTP-POST (a form the browser submits to the SP)
POST /sp-metadata         registers an SP's metadata (what an IdP's administrator does)
GET /slo/redirect         the SP's LogoutRequest (answered) or LogoutResponse (shown)
GET /slo/start?user=U&binding=redirect|post[&forge=unsigned]
                          IdP-initiated single logout: a signed LogoutRequest for U's
                          session to the SP it signed U in to (`unsigned`: no signature)

Users named for a fault get a wrong answer on purpose: `late` (expired ten minutes ago),
`wrong-audience` (an assertion for another service), `unsigned` (no signature at all).
"""

import argparse
import html
import json
import os
import re
import shutil
from http.cookies import SimpleCookie
from urllib.parse import parse_qs
from urllib.request import urlopen

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.mdstore import UnknownSystemEntity, locations
from saml2.metadata import entity_descriptor
from saml2.response import StatusError
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

PASSWORD = "idp-test-password"  # noqa: S105
SESSION = "saml_idp_user"  # the IdP's session cookie: who is signed in at the IdP


def cookies(environ) -> dict[str, str]:
    jar = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    return {name: morsel.value for name, morsel in jar.items()}


def config(base: str, *, lifetime_minutes: int = 15, want_signed: bool = False) -> IdPConfig:
    conf = IdPConfig()
    conf.load(
        {
            "entityid": f"{base}/metadata",
            "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
            "key_file": os.environ["IDP_KEY"],
            "cert_file": os.environ["IDP_CERT"],
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(f"{base}/slo/redirect", BINDING_HTTP_REDIRECT)],
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": lifetime_minutes},
                            "attribute_restrictions": None,
                            "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": want_signed,
                }
            },
            "metadata": {},
        }
    )
    return conf


def knows(server: Server, entity_id: str) -> bool:
    try:
        server.metadata.service(entity_id, "spsso_descriptor", "single_logout_service")
    except UnknownSystemEntity:
        return False
    return True


def without_signatures(xml: str) -> str:
    from lxml import etree

    root = etree.fromstring(xml.encode())
    for signature in root.iter("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        signature.getparent().remove(signature)
    return etree.tostring(root).decode()


def application(base: str, users: dict, *, want_signed: bool = False):
    server = Server(config=config(base, want_signed=want_signed))
    late_server = Server(config=config(base, lifetime_minutes=-10))
    metadata = str(entity_descriptor(server.config)).encode()
    sessions: dict[str, dict] = {}  # username -> the SP, NameID and session index

    def text(start_response, status: str, body: str):
        start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
        return [body.encode()]

    def signature_fields(fields: dict) -> dict:
        return {
            "relay_state": fields.get("RelayState"),
            "sigalg": fields.get("SigAlg"),
            "signature": fields.get("Signature"),
        }

    def answer(fields: dict, user: dict, start_response, headers: list):
        """The signed assertion for `user`, as the HTTP-POST form to the SP."""
        saml_request, relay_state = fields["SAMLRequest"], fields.get("RelayState", "")
        try:
            request = server.parse_authn_request(
                saml_request, BINDING_HTTP_REDIRECT, **signature_fields(fields)
            )
        except Exception as exc:  # pysaml2's IncorrectlySigned and friends
            return text(start_response, "403 Forbidden", f"AuthnRequest refused: {exc!r}")
        message = request.message
        acs = message.assertion_consumer_service_url
        sp_entity_id = message.issuer.text
        name = user["username"]
        issuer = late_server if name == "late" else server
        response = issuer.create_authn_response(
            identity={"mail": [user["email"]], "groups": user.get("groups", [])},
            in_response_to=message.id,
            destination=acs,
            sp_entity_id="https://other.invalid/sp" if name == "wrong-audience" else sp_entity_id,
            userid=name,
            # A persistent NameID given here: the IdP knows no SP metadata.
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"id-{name}"),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_assertion=True,
            sign_response=False,
        )
        response = str(response)
        sessions[name] = {
            "sp": sp_entity_id,
            "name_id": f"id-{name}",
            "session_index": re.search(r'SessionIndex="([^"]+)"', response).group(1),
        }
        if name == "unsigned":  # the same assertion with its signature taken off
            response = without_signatures(response)
        http_args = issuer.apply_binding(
            BINDING_HTTP_POST, response, acs, relay_state, response=True
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), *headers])
        return [
            http_args["data"].encode() if isinstance(http_args["data"], str) else http_args["data"]
        ]

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        if path == "/metadata":
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [metadata]
        if path == "/sso/redirect":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            try:  # checked on arrival, as a real IdP does (and again at /sso/login)
                server.parse_authn_request(
                    query["SAMLRequest"], BINDING_HTTP_REDIRECT, **signature_fields(query)
                )
            except Exception as exc:
                return text(start_response, "403 Forbidden", f"AuthnRequest refused: {exc!r}")
            signed_in = users.get(cookies(environ).get(SESSION, ""))
            if signed_in is not None:  # the IdP's own session: no password asked again
                return answer(query, signed_in, start_response, [])
            hidden = "".join(
                f'<input type="hidden" name="{name}" value="{html.escape(query[name])}">'
                for name in ("SAMLRequest", "RelayState", "SigAlg", "Signature")
                if name in query
            )
            page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Test SAML identity provider</title></head><body><main><h1>Test SAML identity provider</h1>
<form method="post" action="/sso/login">{hidden}
<label for="id_username">Username</label> <input id="id_username" name="username">
<label for="id_password">Password</label> <input id="id_password" name="password" type="password">
<button type="submit">Sign in</button></form></main></body></html>"""
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = {
                k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()
            }
            user = users.get(form.get("username", ""))
            if user is None or form.get("password") != PASSWORD:
                start_response("403 Forbidden", [("Content-Type", "text/plain")])
                return [b"wrong username or password"]
            headers = [
                ("Set-Cookie", f"{SESSION}={user['username']}; Path=/; HttpOnly; SameSite=Lax")
            ]
            return answer(form, user, start_response, headers)
        if path == "/sp-metadata" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            server.metadata.load("inline", environ["wsgi.input"].read(length).decode())
            return text(start_response, "200 OK", "registered")
        if path == "/slo/start":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            return start_logout(query, start_response)
        if path == "/slo/redirect" and "SAMLResponse" in environ.get("QUERY_STRING", ""):
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            try:
                response = server.parse_logout_request_response(
                    query["SAMLResponse"], BINDING_HTTP_REDIRECT
                )
            except StatusError as exc:  # a valid answer that is not Success
                codes = re.findall(r'StatusCode Value="([^"]+)"', str(exc))
                return text(start_response, "200 OK", f"LogoutResponse status: {' '.join(codes)}")
            except Exception as exc:
                return text(start_response, "400 Bad Request", f"LogoutResponse refused: {exc!r}")
            status = response.response.status.status_code.value
            return text(start_response, "200 OK", f"LogoutResponse status: {status}")
        if path == "/slo/redirect":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            try:
                request = server.parse_logout_request(
                    query["SAMLRequest"], BINDING_HTTP_REDIRECT, **signature_fields(query)
                )
            except Exception as exc:
                return text(start_response, "403 Forbidden", f"LogoutRequest refused: {exc!r}")
            sp = request.message.issuer.text
            if not knows(server, sp):  # the SP's metadata, read from its entity id
                with urlopen(sp, timeout=10) as answer_file:  # noqa: S310 (the test's own SP)
                    server.metadata.load("inline", answer_file.read().decode())
            response = server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
            destination = next(
                locations(server.metadata.single_logout_service(sp, BINDING_HTTP_REDIRECT, "spsso"))
            )
            http_args = server.apply_binding(
                BINDING_HTTP_REDIRECT,
                str(response),
                destination,
                query.get("RelayState", ""),
                response=True,
            )
            location = dict(http_args["headers"])["Location"]
            start_response(
                "302 Found",
                [("Location", location), ("Set-Cookie", f"{SESSION}=; Path=/; Max-Age=0")],
            )
            return [b""]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def start_logout(query: dict, start_response):
        """A LogoutRequest for the user's session at the SP, sent through the browser by
        HTTP-Redirect (signed in the query) or HTTP-POST (an XML signature)."""
        session = sessions.get(query.get("user", ""))
        if session is None:
            return text(start_response, "404 Not Found", "no such session")
        binding = BINDING_HTTP_POST if query.get("binding") == "post" else BINDING_HTTP_REDIRECT
        sign = query.get("forge") != "unsigned"
        destination = next(
            locations(server.metadata.single_logout_service(session["sp"], binding, "spsso"))
        )
        _id, request = server.create_logout_request(
            destination,
            session["sp"],
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=session["name_id"]),
            session_indexes=[session["session_index"]],
            sign=sign and binding == BINDING_HTTP_POST,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        http_args = server.apply_binding(
            binding,
            str(request),
            destination,
            "idp-logout",
            sign=sign and binding == BINDING_HTTP_REDIRECT,
            sigalg=SIG_RSA_SHA256,
        )
        if binding == BINDING_HTTP_REDIRECT:
            location = dict(http_args["headers"])["Location"]
            start_response("302 Found", [("Location", location)])
            return [b""]
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [http_args["data"].encode()]

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    users = {u["username"]: u for u in json.loads(os.environ["IDP_USERS"])}
    import uvicorn

    uvicorn.run(
        application(
            f"http://127.0.0.1:{args.port}",
            users,
            want_signed=os.environ.get("IDP_WANT_SIGNED") == "1",
        ),
        host="127.0.0.1",
        port=args.port,
        interface="wsgi",
        headers=[("X-Labb-Test-Server", args.token)],
        log_level="warning",
    )


if __name__ == "__main__":
    main()
