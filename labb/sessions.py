"""Database sessions that write a new session once: `SESSION_ENGINE = "labb.sessions"`.

Django's database store spends three round trips of writes on a new session key before the
response is even ready: `cycle_key()` (on a join and on every sign-in) asks whether a random
key is taken (a SELECT), INSERTs the session at once, and the session middleware then UPDATEs
it with what the view stored after the cycle (the participant, the expiry). On a join that
was 7 of the POST's 15 queries (issue 13). Here:

- a new key is not looked up first: it is 32 characters of 36 (165 bits), and the INSERT
  that creates the session is made with `must_create`, so the primary key refuses a
  taken key and Django's `create()` simply draws another;
- `cycle_key()` forgets the key instead of creating the new session at once: the old row is
  deleted now (the id a browser came with grants nothing from here on, as before), and the
  middleware's save at the end of the request INSERTs the session under a fresh key, with
  everything the view stored. Until then `session_key` is None; code that needs the new key
  inside the request calls `save()` first (as accounts/views.py does for SAML sessions).
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.utils.crypto import get_random_string


class SessionStore(DatabaseStore):
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self) -> None:
        data = self._get_session()
        key = self.session_key
        self._session_key = None
        self._session_cache = data
        self.modified = True
        if key:
            self.delete(key)

    async def acycle_key(self) -> None:
        data = await self._aget_session()
        key = self.session_key
        self._session_key = None
        self._session_cache = data
        self.modified = True
        if key:
            await self.adelete(key)
