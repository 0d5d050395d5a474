"""Gunicorn's own settings. Gunicorn reads ./gunicorn.conf.py from the directory it starts in
(the image's WORKDIR, /app), so the Dockerfile and docker-compose commands need no flag.

Gunicorn writes `Server: gunicorn` on every response and has no setting to leave it out; the
header tells a client nothing it needs and an attacker which server to look up, so the line is
dropped here, before the workers are forked.
"""

from gunicorn.http import wsgi

if not getattr(wsgi.Response.default_headers, "drops_server_header", False):
    _default_headers = wsgi.Response.default_headers

    def _default_headers_without_server(self) -> list[str]:
        return [line for line in _default_headers(self) if not line.lower().startswith("server:")]

    _default_headers_without_server.drops_server_header = True
    wsgi.Response.default_headers = _default_headers_without_server
