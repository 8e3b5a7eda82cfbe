"""WaveGlow correctness on small random models: invertibility, exact likelihood, names, training."""

from __future__ import annotations

import math

import pytest
import torch

from base.audio import MelConfig, mel_spectrogram
from tts.testing import perturbed_waveglow as perturbed
from vocoder import Denoiser, WaveGlow, WaveGlowConfig, WaveGlowLoss

SMALL = WaveGlowConfig(n_flows=6, n_group=8, n_early_every=2, n_early_size=2, n_layers=3, n_channels=16)


def test_config_defaults_are_the_published_model():
    c = WaveGlowConfig()
    assert (c.n_mel_channels, c.n_flows, c.n_group, c.n_early_every, c.n_early_size) == (80, 12, 8, 4, 2)
    assert (c.n_layers, c.n_channels, c.kernel_size) == (8, 256, 3)
    assert c.n_remaining_channels == 4


@pytest.mark.parametrize(
    "bad", [dict(n_group=7), dict(kernel_size=4), dict(n_channels=15), dict(n_group=4, n_flows=12)]
)
def test_config_rejects_impossible_models(bad):
    with pytest.raises(ValueError):
        WaveGlowConfig(**bad)


def test_parameter_names_match_nvidia_glow():
    model = WaveGlow(WaveGlowConfig(n_layers=2, n_channels=8))
    keys = set(model.state_dict())
    assert "upsample.weight" in keys and "upsample.bias" in keys
    for k in range(12):
        assert f"convinv.{k}.conv.weight" in keys
        for layer in ["start", "cond_layer", "in_layers.0", "in_layers.1", "res_skip_layers.0", "res_skip_layers.1"]:
            for p in ("weight_g", "weight_v", "bias"):
                assert f"WN.{k}.{layer}.{p}" in keys
        assert f"WN.{k}.end.weight" in keys and f"WN.{k}.end.bias" in keys
    # 12 flows x (start, cond, 2 in, 2 res_skip) x 3 + 12 x end x 2 + 12 convinv + upsample x 2
    assert len(keys) == 12 * 6 * 3 + 12 * 2 + 12 + 2
    wn = model.WN[0]
    assert wn.res_skip_layers[0].weight_v.shape == (16, 8, 1)  # residual + skip halves
    assert wn.res_skip_layers[1].weight_v.shape == (8, 8, 1)  # last layer: skip only
    assert wn.cond_layer.weight_v.shape == (2 * 8 * 2, 80 * 8, 1)
    assert wn.in_layers[1].dilation == (2,)
    assert model.upsample.kernel_size == (1024,) and model.upsample.stride == (256,)


def test_new_model_couplings_start_as_identity():
    model = WaveGlow(SMALL)
    for wn in model.WN:
        assert torch.count_nonzero(wn.end.weight) == 0 and torch.count_nonzero(wn.end.bias) == 0


def test_invertible_1x1_conv_is_a_rotation_and_its_log_det_matches_slogdet():
    model = perturbed(SMALL, scale=0.2)
    for conv in model.convinv:
        w = conv.conv.weight.detach().squeeze(-1)
        # The perturbation keeps it invertible; the determinant was +1 before it.
        _, fresh_logdet = torch.linalg.slogdet(WaveGlow(SMALL).convinv[0].conv.weight.detach().squeeze(-1))
        assert abs(fresh_logdet.item()) < 1e-5
        z = torch.randn(3, w.size(0), 5)
        out, log_det = conv(z)
        assert torch.allclose(out, torch.einsum("ij,bjt->bit", w, z), atol=1e-6)
        # log|det| of the whole linear map z -> W z, through its full Jacobian.
        jac = torch.autograd.functional.jacobian(lambda x, conv=conv: conv(x)[0], z).reshape(z.numel(), z.numel())
        assert log_det.item() == pytest.approx(torch.linalg.slogdet(jac)[1].item(), abs=1e-3)
        assert log_det.item() == pytest.approx(3 * 5 * torch.linalg.slogdet(w)[1].item(), abs=1e-4)


def test_reverse_of_forward_reconstructs_the_audio_float64():
    model = perturbed(SMALL).double().eval()
    torch.manual_seed(1)
    mel = torch.randn(2, 80, 5, dtype=torch.float64)
    audio = 0.3 * torch.randn(2, 5 * 256, dtype=torch.float64)
    with torch.no_grad():
        z, _, _ = model(mel, audio)
        reconstructed = model.reverse(mel, z)
    error = (reconstructed - audio).abs().max().item()
    print(f"invertibility max abs error (float64): {error:.3e}")
    assert error < 1e-4
    assert not torch.allclose(z, audio.reshape(2, -1, 8).transpose(1, 2))  # the flow did something


def test_reverse_of_forward_reconstructs_the_audio_float32_published_shape():
    model = perturbed(WaveGlowConfig(n_layers=2, n_channels=16), scale=0.02).eval()
    mel = torch.randn(1, 80, 4)
    audio = 0.3 * torch.randn(1, 4 * 256)
    with torch.no_grad():
        error = (model.reverse(mel, model(mel, audio)[0]) - audio).abs().max().item()
    print(f"invertibility max abs error (float32, 12 flows): {error:.3e}")
    assert error < 1e-4


def test_log_likelihood_equals_brute_force_jacobian():
    config = WaveGlowConfig(
        n_flows=2, n_group=4, n_early_every=1, n_early_size=2, n_layers=2, n_channels=8, n_mel_channels=80
    )
    model = perturbed(config, seed=3, scale=0.3).double()
    torch.manual_seed(4)
    mel = torch.randn(1, 80, 1, dtype=torch.float64)
    audio = 0.5 * torch.randn(1, 32, dtype=torch.float64)
    sigma = 0.8

    def latent(x: torch.Tensor) -> torch.Tensor:
        return model(mel, x.reshape(1, 32))[0].reshape(-1)

    jac = torch.autograd.functional.jacobian(latent, audio.reshape(-1))
    _, log_abs_det = torch.linalg.slogdet(jac)
    z = latent(audio.reshape(-1))
    loc, scale = torch.tensor(0.0, dtype=torch.float64), torch.tensor(sigma, dtype=torch.float64)
    gauss = torch.distributions.Normal(loc, scale).log_prob(z).sum()
    brute = (gauss + log_abs_det).item()
    exact = model.log_prob(mel, audio, sigma=sigma).item()
    print(f"log-likelihood: model {exact:.9f}, brute force {brute:.9f}, diff {abs(exact - brute):.3e}")
    assert exact == pytest.approx(brute, abs=1e-6)
    # The loss is the same quantity, per element and without the constant.
    loss = WaveGlowLoss(sigma)(model(mel, audio)).item()
    constant = 32 * math.log(sigma * math.sqrt(2 * math.pi))
    assert loss * 32 == pytest.approx(-(brute + constant), abs=1e-6)


def test_log_prob_is_per_item():
    model = perturbed(SMALL).double()
    mel = torch.randn(2, 80, 3, dtype=torch.float64)
    audio = 0.3 * torch.randn(2, 768, dtype=torch.float64)
    both = model.log_prob(mel, audio)
    first = model.log_prob(mel[:1], audio[:1])
    assert both[0].item() == pytest.approx(first.item(), abs=1e-8)


def test_infer_shape_sigma_and_seed():
    model = perturbed(SMALL).eval()
    mel = torch.randn(2, 80, 7)
    a = model.infer(mel, sigma=0.666, generator=torch.Generator().manual_seed(5))
    b = model.infer(mel, sigma=0.666, generator=torch.Generator().manual_seed(5))
    c = model.infer(mel, sigma=0.666, generator=torch.Generator().manual_seed(6))
    assert a.shape == (2, 7 * 256)
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)
    # sigma = 0 removes the randomness altogether.
    assert torch.equal(model.infer(mel, sigma=0.0), model.infer(mel, sigma=0.0))


def test_infer_equals_reverse_of_the_sampled_latent():
    model = perturbed(SMALL).eval()
    mel = torch.randn(1, 80, 3)
    z = 0.5 * torch.randn(1, 8, 3 * 256 // 8, generator=torch.Generator().manual_seed(9))
    expected = model.reverse(mel, z)
    got = model.infer(mel, sigma=0.5, generator=torch.Generator().manual_seed(9))
    assert torch.allclose(got, expected, atol=1e-6)


def test_inference_caches_folded_weights_and_inverse_until_parameters_change():
    model = perturbed(SMALL).eval()
    conv, inv = model.WN[0].start, model.convinv[0]
    with torch.no_grad():
        first = conv.folded_weight()
        assert conv.folded_weight() is first  # no recomputation between calls
        w_inv = inv.inverse_weight()
        assert inv.inverse_weight() is w_inv
    # An optimiser step changes the parameters in place: the caches must follow.
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    z, log_s, log_det = model(torch.randn(1, 80, 2), 0.1 * torch.randn(1, 512))
    WaveGlowLoss()((z, log_s, log_det)).backward()
    optimizer.step()
    with torch.no_grad():
        refolded = conv.folded_weight()
        expected = conv.weight_g * conv.weight_v / conv.weight_v.norm(dim=(1, 2), keepdim=True)
        assert refolded is not first and torch.allclose(refolded, expected)
        assert torch.allclose(inv.inverse_weight().squeeze(-1) @ inv.conv.weight.squeeze(-1), torch.eye(8), atol=1e-5)


def test_forward_rejects_bad_shapes():
    model = WaveGlow(SMALL)
    with pytest.raises(ValueError, match="multiple of n_group"):
        model(torch.randn(1, 80, 4), torch.randn(1, 1001))
    with pytest.raises(ValueError, match=r"\[batch, 80, frames\]"):
        model(torch.randn(1, 40, 4), torch.randn(1, 1024))
    with pytest.raises(ValueError, match="cover at most"):
        model(torch.randn(1, 80, 1), torch.randn(1, 2048))


def _chirp(seconds: float = 0.25, rate: int = 22050) -> torch.Tensor:
    t = torch.arange(int(seconds * rate) // 256 * 256) / rate
    return 0.5 * torch.sin(2 * math.pi * (200 + 800 * t) * t)


def test_overfitting_one_clip_lowers_the_loss():
    torch.manual_seed(0)
    config = WaveGlowConfig(n_flows=4, n_group=8, n_early_every=2, n_early_size=2, n_layers=2, n_channels=32)
    model = WaveGlow(config)
    audio = _chirp().unsqueeze(0)
    mel = mel_spectrogram(audio, MelConfig())[:, :, : audio.size(1) // 256]
    criterion = WaveGlowLoss(sigma=1.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(40):
        optimizer.zero_grad()
        loss = criterion(model(mel, audio))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    print(f"overfit: loss {losses[0]:.3f} -> {losses[-1]:.3f} in 40 steps")
    assert all(math.isfinite(x) for x in losses)
    assert losses[-1] < losses[0] - 1.0


def test_denoiser_subtracts_the_bias_and_keeps_shape():
    model = perturbed(SMALL).eval()
    denoiser = Denoiser(model, strength=0.1)
    assert denoiser.bias_spec.shape == (1, 513, 1)
    torch.manual_seed(0)
    audio = 0.1 * torch.randn(2, 4096)
    untouched = denoiser(audio, strength=0.0)
    assert untouched.shape == audio.shape
    assert (untouched - audio).abs().max() < 1e-4  # STFT round trip
    cleaned = denoiser(audio, strength=1.0)
    assert cleaned.pow(2).sum() < audio.pow(2).sum()
    assert denoiser(audio[0]).shape == (4096,)
    # The model's own bias output loses most of its energy.
    bias_audio = model.infer(torch.zeros(1, 80, 20), sigma=0.0)
    assert denoiser(bias_audio, strength=1.0).pow(2).sum() < 0.5 * bias_audio.pow(2).sum()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_infer_and_denoise_on_gpu_match_cpu():
    model = perturbed(SMALL).eval()
    mel = torch.randn(1, 80, 6)
    cpu = model.infer(mel, generator=torch.Generator().manual_seed(0))
    gpu_model = model.to("cuda")
    gpu = gpu_model.infer(mel.cuda(), generator=torch.Generator().manual_seed(0))
    assert torch.allclose(gpu.cpu(), cpu, atol=1e-3)
    denoised = Denoiser(gpu_model)(gpu, strength=0.1)
    assert denoised.is_cuda and denoised.shape == gpu.shape
