"""``tts serve``: the voices over HTTP (OpenAI's and Coqui's calls) and a page to listen on."""

from __future__ import annotations

import argparse
import logging

from base.errors import TTSError
from tts.commands import add_command

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    from tts.serve.config import DEFAULT_PORT, LOOPBACK, ServeConfig

    defaults = ServeConfig()
    parser = add_command(subparsers, "serve", run)
    parser.add_argument(
        "--voice",
        action="append",
        default=[],
        help="a voice to serve: name (`tts voices`) or bundle directory/archive (repeat; default every voice)",
    )
    parser.add_argument(
        "--lang", "-l", action="append", default=[], help="serve the default voice of this language (repeat)"
    )
    parser.add_argument(
        "--host", default=LOOPBACK, help=f"address to listen on (default {LOOPBACK}: this machine only)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free one)"
    )
    parser.add_argument(
        "--jobs", type=int, default=0, help="syntheses at once, one worker thread each (default: one per core)"
    )
    parser.add_argument(
        "--queue",
        type=int,
        default=defaults.queue,
        help=f"requests that may wait for a worker; more get 503 and Retry-After (default {defaults.queue})",
    )
    parser.add_argument(
        "--max-chars",
        type=int,
        default=defaults.max_chars,
        help=f"longest text a request may send; longer gets 413 (default {defaults.max_chars})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=defaults.timeout,
        help=f"seconds one synthesis may run; longer gets 504 (default {defaults.timeout:g})",
    )
    parser.add_argument("--device", default="cpu", help="torch device of torch voices (cpu, cuda)")


def run(args: argparse.Namespace) -> int:
    """Serve the voices over HTTP, with a page to listen on (needs the `serve` extra).

    Start an HTTP server (Starlette on uvicorn) for the voices: POST /v1/audio/speech (OpenAI's speech
    API: wav, flac or pcm, streamed when asked), GET /api/tts (Coqui's), GET /api/voices, GET /healthz,
    and at / a page with a text box, voice, language, speaker, vocoder and sigma choices, play, download
    and a mel picture. Voices are loaded once; a bounded pool of workers (--jobs, --queue) does the
    work, and requests beyond it get 503 with Retry-After. It listens on 127.0.0.1 unless --host says
    otherwise.
    """
    from tts.serve import SERVE_EXTRA_HINT
    from tts.serve.config import ServeConfig

    try:
        from tts.serve.app import create_app
        from tts.serve.server import run_server
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in ("starlette", "uvicorn"):
            raise
        raise TTSError(f"`tts serve` needs {missing}, which is not installed: {SERVE_EXTRA_HINT}") from None
    config = ServeConfig(
        host=args.host,
        port=args.port,
        jobs=args.jobs,
        queue=args.queue,
        max_chars=args.max_chars,
        timeout=args.timeout,
        max_body=max(ServeConfig().max_body, 8 * args.max_chars),
    )
    registry = _load_voices(args, config.workers)
    run_server(create_app(registry, config), config)
    return 0


def _load_voices(args: argparse.Namespace, workers: int):
    """The voices of --voice and --lang (default every voice), each torch voice running on its
    share of the cores: torch's threads are the cores divided among the workers."""
    from functools import partial

    from tts.serve.config import available_cores
    from tts.serve.voices import VoiceRegistry
    from tts.voice import load_voice

    threads = max(1, available_cores() // workers)
    try:
        import torch
    except ModuleNotFoundError:  # ONNX voices only
        pass
    else:
        torch.set_num_threads(threads)
    log.info("%d workers, %d thread%s each", workers, threads, "s" if threads > 1 else "")
    return VoiceRegistry.load(args.voice, args.lang, loader=partial(load_voice, device=args.device, threads=threads))
