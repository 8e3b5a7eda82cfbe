"""WaveGlow's fast inference path (packed weights, one matrix product per WN layer, in-place
flows) against the plain one, and the depthwise-separable WN option."""

from __future__ import annotations

import pytest
import torch

import vocoder
from base.audio import MelConfig
from tts.training.config import read_config_file
from vocoder import WaveGlow, WaveGlowConfig, WaveGlowLoss

CONFIGS = {
    "published-shape": dict(n_layers=3, n_channels=16),
    "deep-dilations": dict(n_layers=9, n_channels=8),  # dilations up to 256 > the groups
    "kernel5": dict(n_layers=3, n_channels=16, kernel_size=5),
    "interpolated": dict(
        n_flows=6,
        n_group=64,
        n_early_every=2,
        n_early_size=8,
        n_layers=4,
        n_channels=24,
        mel_conditioning="interpolated",
    ),
    "depthwise": dict(
        n_flows=6,
        n_group=128,
        n_early_every=2,
        n_early_size=16,
        n_layers=5,
        n_channels=32,
        mel_conditioning="interpolated",
        depthwise=True,
    ),
    "depthwise-upsampled-k5": dict(
        n_flows=4, n_group=8, n_early_every=2, n_early_size=2, n_layers=3, n_channels=16, kernel_size=5, depthwise=True
    ),
}


def perturbed(config: WaveGlowConfig, seed: int = 0, scale: float = 0.05) -> WaveGlow:
    """A model whose couplings are not the identity (the end layers start at zero)."""
    torch.manual_seed(seed)
    model = WaveGlow(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn_like(p))
    return model


def both_paths(model: WaveGlow, mel: torch.Tensor, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    with torch.no_grad():
        model.fast_inference = False
        plain = model.reverse(mel, z)
        model.fast_inference = True
        fast = model.reverse(mel, z)
    return plain, fast


def latent(config: WaveGlowConfig, batch: int, frames: int, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    mel = torch.randn(batch, config.n_mel_channels, frames, generator=g)
    z = 0.666 * torch.randn(batch, config.n_group, frames * config.upsample_stride // config.n_group, generator=g)
    return mel, z


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("batch,frames", [(1, 6), (3, 2)])
def test_fast_reverse_equals_the_plain_one(name, batch, frames):
    config = WaveGlowConfig(**CONFIGS[name])
    model = perturbed(config)
    mel, z = latent(config, batch, frames)
    plain, fast = both_paths(model, mel, z)
    error = (plain - fast).abs().max().item()
    print(f"{name} batch {batch}: max abs diff {error:.2e} (audio up to {plain.abs().max().item():.2f})")
    assert plain.shape == fast.shape == (batch, frames * 256)
    assert error <= 1e-4
    assert not torch.equal(plain, z.transpose(1, 2).reshape(batch, -1))  # the flows did something


def test_fast_reverse_float64_is_exact_to_rounding():
    config = WaveGlowConfig(**CONFIGS["published-shape"])
    model = perturbed(config).double()
    mel, z = latent(config, 2, 4)
    plain, fast = both_paths(model, mel.double(), z.double())
    assert (plain - fast).abs().max().item() < 1e-10


def test_each_item_of_a_batch_is_vocoded_as_alone():
    config = WaveGlowConfig(**CONFIGS["depthwise"])
    model = perturbed(config)
    mel, z = latent(config, 3, 5)
    with torch.no_grad():
        together = model.reverse(mel, z)
        alone = model.reverse(mel[1:2], z[1:2])
    # Equal up to float32 rounding: a batch of 3 and a batch of 1 may take different GEMM kernels.
    scale = alone.abs().max().item()
    assert torch.allclose(together[1:2], alone, rtol=0, atol=1e-5 * scale)


def test_infer_takes_the_fast_path_and_matches_the_plain_infer():
    config = WaveGlowConfig(**CONFIGS["interpolated"])
    model = perturbed(config)
    mel = torch.randn(1, 80, 5)
    fast = model.infer(mel, generator=torch.Generator().manual_seed(3))
    model.fast_inference = False
    plain = model.infer(mel, generator=torch.Generator().manual_seed(3))
    assert (fast - plain).abs().max().item() <= 1e-4
    # An ordinary tensor, although inference ran under inference_mode: callers may modify it.
    assert not fast.is_inference()
    fast.clamp_(-1, 1)


def test_autograd_gets_the_plain_path():
    model = perturbed(WaveGlowConfig(**CONFIGS["published-shape"]))
    mel, z = latent(model.config, 1, 2)
    z.requires_grad_(True)
    audio = model.reverse(mel, z)
    assert audio.requires_grad
    audio.square().sum().backward()
    assert z.grad is not None and torch.isfinite(z.grad).all()


def test_packed_weights_are_cached_until_a_parameter_changes():
    config = WaveGlowConfig(**CONFIGS["published-shape"])
    model = perturbed(config)
    wn = model.WN[0]
    with torch.no_grad():
        first = wn.packed()
        assert wn.packed() is first
    mel, z = latent(config, 1, 3)
    # An optimiser step changes the parameters in place: the packed copy must follow.
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    audio = 0.1 * torch.randn(1, 3 * 256)
    WaveGlowLoss()(model(mel, audio)).backward()
    optimizer.step()
    model.eval()
    with torch.no_grad():
        assert wn.packed() is not first
    plain, fast = both_paths(model, mel, z)
    assert (plain - fast).abs().max().item() <= 1e-4
    # Loading other weights (copied in place) and replacing a parameter both invalidate it too.
    other = perturbed(config, seed=7)
    model.load_state_dict(other.state_dict())
    plain, fast = both_paths(model, mel, z)
    reference, _ = both_paths(other, mel, z)
    assert (plain - fast).abs().max().item() <= 1e-4 and torch.allclose(plain, reference, atol=1e-6)
    model.WN[0].end.bias = torch.nn.Parameter(model.WN[0].end.bias.detach() + 0.1)
    plain, fast = both_paths(model, mel, z)
    assert (plain - fast).abs().max().item() <= 1e-4


def test_caches_filled_under_inference_mode_serve_autograd_later():
    model = perturbed(WaveGlowConfig(**CONFIGS["published-shape"]))
    mel, z = latent(model.config, 1, 2)
    with torch.inference_mode():
        model.reverse(mel, z)
        model.WN[0].start.folded_weight()
        model.convinv[0].inverse_weight()
    # With the parameters frozen the caches are used under autograd, and saved for backward.
    for p in model.parameters():
        p.requires_grad_(False)
    z.requires_grad_(True)
    model.reverse(mel, z).sum().backward()
    assert z.grad is not None


def test_depthwise_parameter_names_and_the_default_layout_unchanged():
    plain = set(WaveGlow(WaveGlowConfig(n_flows=2, n_early_every=4, n_layers=2, n_channels=8)).state_dict())
    assert "WN.0.in_layers.1.weight_v" in plain
    assert not any("depthwise" in key or "pointwise" in key for key in plain)
    depthwise = WaveGlow(WaveGlowConfig(n_flows=2, n_early_every=4, n_layers=2, n_channels=8, depthwise=True))
    keys = set(depthwise.state_dict())
    for part in ("depthwise", "pointwise"):
        for p in ("weight_g", "weight_v", "bias"):
            assert f"WN.0.in_layers.1.{part}.{p}" in keys
    assert "WN.0.in_layers.1.weight_v" not in keys
    layer = depthwise.WN[0].in_layers[1]
    assert layer.depthwise.weight_v.shape == (8, 1, 3) and layer.depthwise.groups == 8
    assert layer.depthwise.dilation == (2,) and layer.pointwise.weight_v.shape == (16, 8, 1)
    # Only the input layers differ.
    assert {k for k in plain if ".in_layers." not in k} == {k for k in keys if ".in_layers." not in k}


def test_depthwise_model_is_invertible_and_trains():
    config = WaveGlowConfig(**CONFIGS["depthwise-upsampled-k5"])
    model = perturbed(config).double()
    mel = torch.randn(2, 80, 3, dtype=torch.float64)
    audio = 0.3 * torch.randn(2, 3 * 256, dtype=torch.float64)
    with torch.no_grad():
        z, _, _ = model(mel, audio)
        error = (model.reverse(mel, z) - audio).abs().max().item()
    assert error < 1e-8
    model = model.float().train()
    loss = WaveGlowLoss()(model(mel.float(), audio.float()))
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    assert torch.isfinite(loss) and all(g is not None and torch.isfinite(g).all() for g in grads)


def test_depthwise_checkpoint_round_trip(tmp_path):
    config = WaveGlowConfig(**CONFIGS["depthwise"])
    model = perturbed(config)
    path = vocoder.save_checkpoint(model, tmp_path / "dw.pt", MelConfig())
    loaded = vocoder.load_checkpoint(path).eval()
    assert loaded.config == config and loaded.config.depthwise
    mel, z = latent(config, 1, 3)
    with torch.no_grad():
        assert torch.equal(loaded.reverse(mel, z), model.reverse(mel, z))


@pytest.mark.parametrize("preset", ["fast", "balanced"])
def test_deployable_presets_build_and_vocode(preset):
    config = WaveGlowConfig.from_dict(read_config_file("vocoder", preset).model)
    assert config.depthwise and config.mel_conditioning == "interpolated"
    model = perturbed(config, scale=0.01)
    parameters = sum(p.numel() for p in model.parameters())
    assert parameters < 10_000_000
    mel, z = latent(config, 1, 4)
    plain, fast = both_paths(model, mel, z)
    assert (plain - fast).abs().max().item() <= 1e-4
