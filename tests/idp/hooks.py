"""The test provider's claims, and the users whose ID tokens are wrong on purpose."""

import time


def userinfo(claims, user):
    claims["email"] = user.email
    claims["email_verified"] = True
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    return claims


def id_token(id_token, user, token, request, **kwargs):
    id_token["groups"] = sorted(user.groups.values_list("name", flat=True))
    now = int(time.time())
    # Users named for the fault their tokens carry (tests/accounts/test_oidc.py).
    if user.username == "late":  # expired 10 minutes ago: beyond any clock skew
        id_token.update(iat=now - 1200, exp=now - 600)
    elif user.username == "slow-clock":  # expired 60 s ago: within the 120 s skew
        id_token.update(iat=now - 660, exp=now - 60)
    elif user.username == "wrong-audience":
        id_token["aud"] = "some-other-service"
    elif user.username == "wrong-nonce":
        id_token["nonce"] = "not-the-nonce-labb-sent"
    elif user.username == "wrong-issuer":
        id_token["iss"] = "https://idp.invalid"
    return id_token
