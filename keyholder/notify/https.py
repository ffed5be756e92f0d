"""One TLS context for every call to the Bot API in this process.

httpx builds a new ``ssl.SSLContext`` for each client and for each ``httpx.post``, and loading
the system's certificate store costs about 35 ms each time: for a worker sending a month's
owner reports over Telegram, that was a second for every thirty messages. The context holds
no per-connection state, so one is shared (Python's ``ssl`` allows it across threads).
"""

from __future__ import annotations

import functools
import ssl


@functools.cache
def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()
