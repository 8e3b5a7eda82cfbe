"""espeak-ng in process: IPA phonemes and speech from the library itself, no program needed.

The library and its data come from the ``espeakng-loader`` wheel (libespeak-ng 1.52 with the
``en``, ``hi`` and ``bn`` voices), so a user without root gets the same espeak-ng as everyone
else; ``SWARATTS_ESPEAK_LIBRARY`` and ``SWARATTS_ESPEAK_DATA`` point at another build.

The library keeps one voice and one synthesis callback for the whole process and is not
thread-safe, so every call goes through one :class:`Espeak` object under a lock (:func:`engine`).
Importing this module loads nothing; the library is opened on first use.

Speech is not a pure function of its arguments inside one process: espeak-ng draws random
numbers (seeded from the clock unless ``espeak_ng_SetRandSeed`` is called) and carries
synthesizer state from one utterance to the next (two renderings of one sentence in a row differ
by 1-2 dB MCD). So :meth:`Espeak.speak` synthesizes each utterance in a forked child of a
process that never synthesizes, with a fixed seed: the same arguments give the same samples,
whatever was spoken before and in whichever process (24 ms per utterance, fork included).
"""

from __future__ import annotations

import array
import ctypes
import os
import threading
from dataclasses import dataclass
from functools import cache

from text.errors import TextError

# espeak_AUDIO_OUTPUT: samples handed to the callback, synthesis returns when done.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
# espeak_Synth flags and espeak_TextToPhonemes modes.
_CHARS_UTF8 = 1
_PHONEMES_IPA = 0x02
# espeak_PARAMETER
_RATE, _VOLUME, _PITCH = 1, 2, 3

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

INSTALL_HINT = "install it with `pip install espeakng-loader` (the project's `make install` does)"


@dataclass(frozen=True)
class Speech:
    """16-bit mono samples spoken by espeak-ng and their sample rate (22050 Hz)."""

    samples: array.array
    sample_rate: int


class Espeak:
    """One opened libespeak-ng. Use :func:`engine`, which opens it once per process."""

    def __init__(self, library: str, data: str) -> None:
        try:
            lib = ctypes.CDLL(library)
        except OSError as exc:
            raise TextError(f"cannot load espeak-ng from {library}: {exc}; {INSTALL_HINT}") from None
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
        lib.espeak_ng_SetRandSeed.restype = None
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        sample_rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(), 0)
        if sample_rate <= 0:
            raise TextError(f"espeak-ng could not start with its data at {data}; {INSTALL_HINT}")
        self._lib = lib
        self.sample_rate = sample_rate
        self._lock = threading.Lock()
        self._voice: str | None = None
        self._buffer = array.array("h")
        # Kept on the object: the library holds only a pointer to it.
        self._callback = _CALLBACK(self._collect)
        lib.espeak_SetSynthCallback(self._callback)

    @property
    def version(self) -> str:
        """``eSpeak NG 1.52.0`` (the library's own version string)."""
        return f"eSpeak NG {self._lib.espeak_Info(None).decode()}"

    def _collect(self, samples: ctypes._Pointer[ctypes.c_short], count: int, _events: int) -> int:
        if count > 0 and samples:
            self._buffer.frombytes(ctypes.string_at(samples, count * 2))
        return 0

    def _set_voice(self, voice: str) -> None:
        if voice != self._voice:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                self._voice = None
                raise TextError(f"espeak-ng has no voice {voice!r}; {INSTALL_HINT}")
            self._voice = voice

    def phonemes(self, text: str, voice: str) -> str:
        """IPA of ``text`` read by ``voice``: words separated by spaces, clauses by spaces.

        espeak-ng drops punctuation here; callers that keep it phonemize between the marks.
        Words in another script may come back wrapped in language marks such as ``(en)...(hi)``
        when the voice switches language for them.
        """
        with self._lock:
            self._set_voice(voice)
            pointer = ctypes.c_char_p(text.encode("utf-8"))
            clauses = []
            # Each call phonemizes one clause and advances the pointer; it is NULL at the end.
            while pointer.value:
                result = self._lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, _PHONEMES_IPA)
                if result:
                    clauses.append(result.decode("utf-8").strip())
            return " ".join(c for c in clauses if c)

    def speak(self, text: str, voice: str, pitch: int, rate: int, amplitude: int) -> Speech:
        """``text`` spoken by ``voice`` (e.g. ``hi+f3``) at ``pitch`` (0-99), ``rate``
        (words/min) and ``amplitude`` (0-200): the same samples for the same arguments.

        Raises:
            TextError: an unknown voice, or espeak-ng failing.
        """
        with self._lock:
            if not hasattr(os, "fork"):  # no fork (Windows): in process, not reproducible
                return Speech(self._synthesize(text, voice, pitch, rate, amplitude), self.sample_rate)
            reader, writer = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: synthesize from espeak-ng's initial state, send, exit
                os.close(reader)
                status = 0
                try:
                    payload = b"\0" + self._synthesize(text, voice, pitch, rate, amplitude).tobytes()
                except TextError as exc:
                    payload = b"\1" + str(exc).encode("utf-8")
                except BaseException:  # noqa: BLE001 - a child must never return into the parent's code
                    payload, status = b"\1espeak-ng failed in its worker process", 1
                try:
                    view = memoryview(payload)
                    while view:
                        view = view[os.write(writer, view) :]
                finally:
                    os._exit(status)
            os.close(writer)
            chunks = []
            with os.fdopen(reader, "rb") as pipe:
                for chunk in iter(lambda: pipe.read(1 << 20), b""):
                    chunks.append(chunk)
            os.waitpid(pid, 0)
        payload = b"".join(chunks)
        if not payload or payload[:1] != b"\0":
            raise TextError(payload[1:].decode("utf-8", "replace") or f"espeak-ng failed on {text[:40]!r}")
        samples = array.array("h")
        samples.frombytes(payload[1:])
        return Speech(samples, self.sample_rate)

    def _synthesize(self, text: str, voice: str, pitch: int, rate: int, amplitude: int) -> array.array:
        self._voice = None  # a forked child inherits the parent's record, not its library state
        self._set_voice(voice)
        self._lib.espeak_ng_SetRandSeed(1)
        for parameter, value in ((_RATE, rate), (_PITCH, pitch), (_VOLUME, amplitude)):
            self._lib.espeak_SetParameter(parameter, value, 0)
        self._buffer = array.array("h")
        encoded = text.encode("utf-8")
        status = self._lib.espeak_Synth(encoded, len(encoded) + 1, 0, 0, 0, _CHARS_UTF8, None, None)
        if status != 0:
            raise TextError(f"espeak-ng could not speak {text[:40]!r} with voice {voice!r} (error {status})")
        samples, self._buffer = self._buffer, array.array("h")
        return samples


@cache
def engine() -> Espeak:
    """The process's espeak-ng, opened on first use.

    Raises:
        TextError: the library or its data cannot be found or opened.
    """
    library = os.environ.get("SWARATTS_ESPEAK_LIBRARY")
    data = os.environ.get("SWARATTS_ESPEAK_DATA")
    if library is None or data is None:
        try:
            import espeakng_loader
        except ImportError:
            raise TextError(f"espeak-ng is not installed; {INSTALL_HINT}") from None
        library = library or espeakng_loader.get_library_path()
        data = data or espeakng_loader.get_data_path()
    return Espeak(library, data)
