"""Join codes and group tokens.

A join code has 7 characters from a 31-letter alphabet without look-alikes (0/O, 1/I/L),
so 34.7 bits of randomness from `secrets`. It is shown as ABC-DEFG and typed in any case,
with or without the dash or spaces.
"""

import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 7


def new_join_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_join_code(raw: str) -> str:
    return re.sub(r"[\s\-_.]", "", raw or "").upper()[:32]


def format_join_code(code: str | None) -> str:
    if not code:
        return ""
    return f"{code[:3]}-{code[3:]}"


def new_group_token() -> str:
    return secrets.token_urlsafe(12)
