"""What this CPU offers below fp32, and the int8 / bf16 kernels chosen from it.

``acoustic.quantize`` and ``vocoder.quantize`` run their large matrix products in int8 through
PyTorch's quantized CPU kernels and may run the layers they leave in float in bfloat16. Which
kernels, with which settings, is decided here from the CPU's features, once, by a pure function
(:func:`choose_low_precision`) so that every branch can be tested on any machine:

* x86 with AVX-512 VNNI: fbgemm with full 8-bit activations (``vpdpbusd`` multiplies u8 by s8
  and accumulates in int32: nothing saturates).
* x86 without VNNI (AVX2): fbgemm with 7-bit activations (``reduce_range``). Its AVX2 kernel
  multiplies u8 by s8 with ``vpmaddubsw``, which adds pairs of products into int16 and
  saturates when both are large; halving the activation range keeps every pair sum in range
  (measured on the AVX2 machine: 8-bit activations gave 3.6x the error of 7-bit ones).
* ARM: qnnpack, 8-bit activations.
* bfloat16 for the float layers only where the CPU computes it natively (AVX-512 BF16, AMX-BF16
  or ARM BF16) and a probe product measured faster than fp32 on this machine; elsewhere bf16 is
  emulated and slower, so fp32 stays.

Imports no torch until a function that needs it is called; never imports the models.
"""

from __future__ import annotations

import functools
import logging
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass

from base.errors import TTSError

log = logging.getLogger(__name__)

PRECISIONS = ("fp32", "int8")
X86 = ("x86_64", "amd64", "i386", "i686")
ARM = ("aarch64", "arm64")


@dataclass(frozen=True)
class CpuFeatures:
    """The CPU's model name, architecture and instruction-set flags (``/proc/cpuinfo``'s, lower
    case, plus what torch's own probes report)."""

    model: str
    arch: str
    flags: frozenset[str]

    @property
    def x86(self) -> bool:
        return self.arch.lower() in X86

    @property
    def arm(self) -> bool:
        return self.arch.lower() in ARM

    @property
    def avx2(self) -> bool:
        return "avx2" in self.flags

    @property
    def vnni(self) -> bool:
        """AVX-512 VNNI: int8 dot products into int32 (fbgemm's VNNI kernels)."""
        return "avx512_vnni" in self.flags

    @property
    def native_bf16(self) -> bool:
        """bfloat16 arithmetic in hardware (AVX-512 BF16, AMX-BF16, ARM BF16)."""
        return bool({"avx512_bf16", "amx_bf16", "bf16"} & self.flags)

    def describe(self) -> str:
        """The features that matter here, e.g. ``'AMD EPYC, x86_64: AVX2 (no AVX-512 VNNI, no native BF16)'``."""
        shown = [name for name, flag in (("AVX2", "avx2"), ("AVX-512", "avx512f")) if flag in self.flags]
        shown += [
            name
            for name, flag in (
                ("AVX-512 VNNI", "avx512_vnni"),
                ("AVX-VNNI", "avx_vnni"),
                ("AVX-512 BF16", "avx512_bf16"),
                ("AMX-BF16", "amx_bf16"),
                ("AMX-INT8", "amx_int8"),
                ("ASIMD dot product", "asimddp"),
                ("BF16", "bf16"),
            )
            if flag in self.flags
        ]
        missing = [name for name, have in (("AVX-512 VNNI", self.vnni), ("native BF16", self.native_bf16)) if not have]
        if self.x86 and missing:
            shown.append("(no " + ", no ".join(missing) + ")")
        return f"{self.model}, {self.arch}: {' '.join(shown) if shown else 'no SIMD flags found'}"


def check_precision(precision: str) -> str:
    """``precision`` if it is one of :data:`PRECISIONS`, else a :class:`TTSError` naming it."""
    if precision not in PRECISIONS:
        raise TTSError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    return precision


def _cpuinfo(path: str = "/proc/cpuinfo") -> tuple[str, frozenset[str]]:
    """The first processor's model name and flags (x86 ``flags``, ARM ``Features``)."""
    model, flags = "", frozenset[str]()
    try:
        with open(path, encoding="utf-8", errors="replace") as info:
            for line in info:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                if key == "model name" and not model:
                    model = value.strip()
                elif key in ("flags", "features") and not flags:
                    flags = frozenset(value.lower().split())
                if model and flags:
                    break
    except OSError:
        pass
    return model, flags


@functools.cache
def cpu_features() -> CpuFeatures:
    """This machine's :class:`CpuFeatures`. ``/proc/cpuinfo`` where there is one; torch's probes
    (``torch.cpu._is_vnni_supported`` and friends, when torch is installed) add what they see,
    so that a system without ``/proc`` is still recognised."""
    model, flags = _cpuinfo()
    found = set(flags)
    try:
        import torch

        probes = {
            "avx2": "_is_avx2_supported",
            "avx512f": "_is_avx512_supported",
            "avx512_vnni": "_is_vnni_supported",
            "avx512_bf16": "_is_avx512_bf16_supported",
            "amx_tile": "_is_amx_tile_supported",
        }
        for flag, probe in probes.items():
            check = getattr(torch.cpu, probe, None)
            if check is not None and check():
                found.add(flag)
    except ImportError:  # pragma: no cover - torch is a dependency of every caller
        pass
    return CpuFeatures(model or platform.processor() or "unknown CPU", platform.machine(), frozenset(found))


@dataclass(frozen=True)
class LowPrecision:
    """The kernels ``quantize`` uses on this CPU (:func:`choose_low_precision`).

    Attributes:
        engine: the ``torch.backends.quantized`` engine the int8 weights are packed for.
        reduce_range: activations quantized to 7 bits instead of 8 (see the module docstring).
        bf16: the layers left in float run in bfloat16.
        reason: why, in words, with the CPU's features (logged, and recorded by the benchmarks).
    """

    engine: str
    reduce_range: bool
    bf16: bool
    reason: str


def choose_low_precision(
    features: CpuFeatures, engines: tuple[str, ...], bf16_wins: Callable[[], bool] | None = None
) -> LowPrecision:
    """The int8 kernels (and whether bf16 is used) for a CPU with ``features``, given the
    quantized ``engines`` this torch build has (``torch.backends.quantized.supported_engines``).

    ``bf16_wins``: measures whether bf16 beats fp32 here; asked only where bf16 is native.

    Raises:
        TTSError: no int8 kernels for this CPU (neither fbgemm on x86 nor qnnpack on ARM).
    """
    if features.x86 and "fbgemm" in engines:
        if features.vnni:
            engine, reduce_range, how = "fbgemm", False, "fbgemm int8 with AVX-512 VNNI, 8-bit activations"
        else:
            engine, reduce_range = "fbgemm", True
            how = "fbgemm int8 without VNNI (AVX2 u8*s8 pairs saturate int16), 7-bit activations"
    elif features.arm and "qnnpack" in engines:
        engine, reduce_range, how = "qnnpack", False, "qnnpack int8, 8-bit activations"
    else:
        raise TTSError(
            f"no int8 kernels for this CPU ({features.describe()}; torch's quantized engines: "
            f"{', '.join(engines) or 'none'}): use precision 'fp32'"
        )
    bf16 = features.native_bf16 and (bf16_wins is None or bf16_wins())
    if features.native_bf16:
        how += "; bf16 for the float layers" if bf16 else "; fp32 for the float layers (bf16 measured no faster)"
    else:
        how += "; fp32 for the float layers (no native bf16)"
    return LowPrecision(engine, reduce_range, bf16, f"{how} [{features.describe()}]")


def bf16_probe(size: int = 384, repeats: int = 5) -> bool:
    """Whether a ``size``-square bfloat16 matrix product runs at least 1.2x faster than the
    fp32 one here (best of ``repeats`` each, interleaved)."""
    import torch

    a = torch.randn(size, size)
    b = torch.randn(size, size)
    a16, b16 = a.bfloat16(), b.bfloat16()
    best = {"fp32": float("inf"), "bf16": float("inf")}
    for _ in range(repeats + 1):  # the first round warms up
        for name, (x, y) in (("fp32", (a, b)), ("bf16", (a16, b16))):
            start = time.perf_counter()
            torch.mm(x, y)
            best[name] = min(best[name], time.perf_counter() - start)
    return best["bf16"] * 1.2 <= best["fp32"]


@functools.cache
def low_precision() -> LowPrecision:
    """:func:`choose_low_precision` for this machine (decided once per process, logged)."""
    import torch

    chosen = choose_low_precision(cpu_features(), tuple(torch.backends.quantized.supported_engines), bf16_probe)
    log.info("low precision kernels: %s", chosen.reason)
    return chosen
