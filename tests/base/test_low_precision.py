"""The CPU features, the choice of int8 / bf16 kernels made from them (every branch, on any
machine), and the int8 product and bf16 wrapper against bounds derived from their rounding."""

from __future__ import annotations

import platform

import pytest
import torch

from base.cpu import CpuFeatures, LowPrecision, check_precision, choose_low_precision, cpu_features, low_precision
from base.errors import TTSError
from base.lowp import Bf16, Int8Linear, activation_step, weight_scales

ENGINES = ("qnnpack", "onednn", "x86", "fbgemm")


def features(*flags: str, arch: str = "x86_64") -> CpuFeatures:
    return CpuFeatures("test CPU", arch, frozenset(flags))


def no_probe() -> bool:
    raise AssertionError("bf16 was probed on a CPU without native bf16")


def test_avx2_without_vnni_falls_back_to_7_bit_activations():
    chosen = choose_low_precision(features("avx2", "fma"), ENGINES, no_probe)
    assert (chosen.engine, chosen.reduce_range, chosen.bf16) == ("fbgemm", True, False)
    assert "7-bit" in chosen.reason and "no AVX-512 VNNI" in chosen.reason


def test_vnni_gets_8_bit_activations():
    chosen = choose_low_precision(features("avx2", "avx512f", "avx512_vnni"), ENGINES, no_probe)
    assert (chosen.engine, chosen.reduce_range, chosen.bf16) == ("fbgemm", False, False)


@pytest.mark.parametrize("wins", [True, False])
@pytest.mark.parametrize("flag", ["avx512_bf16", "amx_bf16"])
def test_native_bf16_is_used_only_when_the_probe_measures_it_faster(flag, wins):
    calls = []

    def probe() -> bool:
        calls.append(1)
        return wins

    chosen = choose_low_precision(features("avx2", "avx512_vnni", flag), ENGINES, probe)
    assert calls == [1]
    assert chosen.bf16 is wins and chosen.reduce_range is False


def test_arm_uses_qnnpack():
    chosen = choose_low_precision(features("asimd", "asimddp", arch="aarch64"), ENGINES, no_probe)
    assert (chosen.engine, chosen.reduce_range, chosen.bf16) == ("qnnpack", False, False)
    assert choose_low_precision(features("asimd", "bf16", arch="aarch64"), ENGINES, lambda: True).bf16


@pytest.mark.parametrize(
    "cpu, engines", [(features("avx2"), ("qnnpack",)), (features(arch="riscv64"), ENGINES), (features("avx2"), ())]
)
def test_no_int8_kernels_is_a_clear_error(cpu, engines):
    with pytest.raises(TTSError, match="use precision 'fp32'"):
        choose_low_precision(cpu, engines)


def test_this_machine():
    found = cpu_features()
    assert found.arch == platform.machine()
    assert found.model in found.describe()
    if torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512"):
        assert found.avx2
    chosen = low_precision()
    assert chosen.engine in torch.backends.quantized.supported_engines
    assert chosen.reduce_range is (found.x86 and not found.vnni)


def test_check_precision():
    assert check_precision("int8") == "int8"
    with pytest.raises(TTSError, match="'int4'.*fp32, int8"):
        check_precision("int4")


def int8_bound(layer: Int8Linear, weight: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The largest error an int8 product may have, per output: the weight's rounding times |x|
    plus one activation step times the rounded weight (a step, not half: the kernel may place
    its grid up to half a step from the ideal one), plus fp32 accumulation slack."""
    rounded, _ = layer.dequantized()
    step = activation_step(x, layer.reduce_range)
    exact_sum = x.abs().double() @ weight.abs().double().t()
    return (
        x.abs().double() @ (weight - rounded).abs().double().t()
        + step * rounded.abs().double().sum(dim=1)
        + 1e-5 * exact_sum
        + 1e-6
    )


def kernels(reduce_range: bool) -> LowPrecision:
    return LowPrecision(low_precision().engine, reduce_range, False, "test")


@pytest.mark.parametrize("rows", [1, 37])
def test_int8_linear_is_within_its_rounding_bound(rows):
    g = torch.Generator().manual_seed(rows)
    weight = torch.randn(48, 96, generator=g) / 10
    bias = torch.randn(48, generator=g)
    x = torch.randn(rows, 96, generator=g) * 3 + 0.5
    layer = Int8Linear(weight, bias, kernels(reduce_range=True))
    error = (layer(x).double() - (x.double() @ weight.double().t() + bias.double())).abs()
    assert bool((error <= int8_bound(layer, weight, x)).all())
    # ... and equal to its float64 description up to where the kernel puts its grid.
    assert float((layer(x) - layer.reference(x)).abs().max()) <= float(int8_bound(layer, weight, x).max())


def test_int8_weights_are_rounded_to_the_nearest_step_per_output_channel():
    weight = torch.randn(16, 40, generator=torch.Generator().manual_seed(1))
    weight[3] = 0  # a zero row keeps a usable scale
    rounded, _ = Int8Linear(weight, None, kernels(reduce_range=True)).dequantized()
    step = weight_scales(weight).float()[:, None]
    assert bool(((rounded - weight).abs() <= step / 2 + 1e-7).all())
    assert bool((rounded[3] == 0).all())


def test_8_bit_activations_run_here_and_are_accurate_where_nothing_saturates():
    """The VNNI branch's kernels (8-bit activations) also run on an AVX2 CPU, where their u8*s8
    pairs may saturate: the result must have the right shape and be finite there, and meet the
    8-bit bound on a CPU with VNNI (or ARM)."""
    g = torch.Generator().manual_seed(2)
    weight, x = torch.randn(32, 64, generator=g) / 8, torch.randn(5, 64, generator=g)
    layer = Int8Linear(weight, None, kernels(reduce_range=False))
    y = layer(x)
    assert y.shape == (5, 32) and bool(torch.isfinite(y).all())
    found = cpu_features()
    if found.vnni or not found.x86:
        assert bool(((y.double() - x.double() @ weight.double().t()).abs() <= int8_bound(layer, weight, x)).all())


def test_bf16_wrapper_is_within_bf16_rounding():
    """bf16 keeps 8 significant bits: inputs and weights each rounded by at most 2^-9 of their
    size, products accumulated in fp32, the output rounded once more; so per output the error is
    at most about 2^-8 * sum |w||x| + 2^-9 |y| (bound doubled for slack)."""
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(8, 6, 5, padding=2, bias=False).eval()
    x = torch.randn(2, 8, 30)
    exact = conv(x)
    magnitude = torch.nn.functional.conv1d(x.abs(), conv.weight.abs(), padding=2)
    got = Bf16(conv)(x)
    assert got.dtype == torch.float32
    assert bool(((got - exact).abs() <= 2 * (2**-8 * magnitude + 2**-9 * exact.abs())).all())
