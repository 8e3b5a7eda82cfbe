"""``tts bench``: how fast the toolkit runs on this machine, as a table and a JSON record.

Sections (each can be run alone, see :data:`SECTIONS`):

* ``machine``: CPU model, cores, torch threads, and the measured fp32 matrix-multiply rate
  (a 2048 x 2048 product), the yardstick the vocoder's achieved GFLOP/s is compared against.
* ``vocoder``: ``WaveGlow.infer`` on 2, 10 and 60 s of mel at once (random weights: the speed
  depends on the architecture only) for the published 256-channel model, the shipped presets and
  the voice's vocoder: kHz of audio per second, times real time, achieved GFLOP/s from an analytic
  count (:func:`waveglow_flops`) and its fraction of the matmul rate; and the peak RSS of
  vocoding each length, measured in a fresh subprocess through the chunked path the voices use
  (:mod:`tts.vocoding`), so that the figure is that of one synthesis and nothing else.
* ``acoustic``: Tacotron2 milliseconds per decoder step and times real time (encoder, decoder
  and postnet), batch 1 and 8, for the reference config, the ``tiny`` preset (with the
  reference's 148 symbols) and the voice's config, random weights, decoding a fixed number of
  steps (the gate is disabled, so every run does the same work).
* ``end_to_end`` (needs ``--voice``): time to first audio through ``voice.stream`` and the
  real-time factor of a 10-word sentence and a 10-sentence paragraph, and the peak RSS, in a
  fresh subprocess, with the voice's default vocoder (recorded as ``vocoder``).
* ``training``: training throughput of both stages with the ``tiny`` presets on a synthetic
  prepared data directory (harmonic tones with a moving pitch and their mels, written in the
  layout ``tts prepare`` writes, in a temporary directory): a few optimizer steps (forward,
  loss, backward, Adam) after one warm-up step.

Every timing is the median of several runs after a warm-up; long runs stop repeating once a
time budget is spent (the number of runs is recorded). ``quick`` shrinks lengths, steps and
repeats so that the whole bench runs in well under a minute (the CLI test uses it).

Engines: the timings run through an :class:`Engine` (``ENGINES``): ``torch`` runs every section;
``onnx`` (:class:`OnnxEngine`, an exported voice on the torch-free runtime) runs ``machine`` and
``end_to_end``.

The package: :mod:`~tts.bench.settings` (sections, sample texts, :class:`BenchSettings`),
:mod:`~tts.bench.machine` (CPU, RSS, timing), :mod:`~tts.bench.flops`, :mod:`~tts.bench.engines`,
the sections (:mod:`~tts.bench.models`, :mod:`~tts.bench.end_to_end`, :mod:`~tts.bench.training`),
:mod:`~tts.bench.workers` (fresh-process measurements), :mod:`~tts.bench.runner` and
:mod:`~tts.bench.render`.
"""

from tts.bench.engines import ENGINES, Engine, OnnxEngine, get_engine
from tts.bench.flops import count_parameters, waveglow_flops
from tts.bench.render import render, write_json
from tts.bench.runner import run_bench
from tts.bench.settings import SAMPLE_TEXTS, SCHEMA, SECTIONS, BenchSettings

__all__ = [
    "ENGINES",
    "SAMPLE_TEXTS",
    "SCHEMA",
    "SECTIONS",
    "BenchSettings",
    "Engine",
    "OnnxEngine",
    "count_parameters",
    "get_engine",
    "render",
    "run_bench",
    "waveglow_flops",
    "write_json",
]
