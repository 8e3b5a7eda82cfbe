"""``tts serve``: an HTTP server for the voices, with a page to listen on.

Starlette on uvicorn (the ``serve`` extra: ``pip install 'swaratts[serve]'``). The parts:
:mod:`tts.serve.config` (the settings), :mod:`tts.serve.voices` (the voices, loaded once),
:mod:`tts.serve.requests` (what clients may ask), :mod:`tts.serve.pool` (the bounded workers),
:mod:`tts.serve.app` (the endpoints and the page in ``static/``) and :mod:`tts.serve.server`
(uvicorn). Only the last two import the web stack.
"""

SERVE_EXTRA_HINT = "install the server's extras: pip install 'swaratts[serve]'"
