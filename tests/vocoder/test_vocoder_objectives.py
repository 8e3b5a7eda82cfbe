"""The training objectives beyond maximum likelihood (issue 13): the multi-resolution STFT loss on
reverse-pass samples and what it needs from the flow (a differentiable reverse pass), with the
likelihood still exact after training with it."""

from __future__ import annotations

import pytest
import torch

from tts.testing import perturbed_waveglow as perturbed
from vocoder import MultiResolutionSTFTLoss, WaveGlowConfig

MICRO = WaveGlowConfig(n_flows=4, n_group=8, n_early_every=2, n_early_size=2, n_layers=2, n_channels=16)
SMALL_RESOLUTIONS = ((256, 32, 128), (128, 16, 64))


def tone(samples: int, batch: int = 2) -> torch.Tensor:
    t = torch.arange(samples, dtype=torch.float32) / 22050
    return torch.stack([0.3 * torch.sin(2 * torch.pi * (220 + 110 * b) * t) for b in range(batch)])


def test_stft_loss_is_zero_for_the_target_and_grows_with_the_error():
    loss = MultiResolutionSTFTLoss(SMALL_RESOLUTIONS)
    target = tone(2048)
    same = loss(target.clone(), target)
    assert same.spectral_convergence.item() == pytest.approx(0.0, abs=1e-6)
    assert same.log_magnitude.item() == pytest.approx(0.0, abs=1e-6)
    torch.manual_seed(0)
    small = loss(target + 0.01 * torch.randn_like(target), target).total.item()
    large = loss(target + 0.1 * torch.randn_like(target), target).total.item()
    assert 0 < small < large
    with pytest.raises(ValueError, match="batch, samples"):
        loss(target[:, :100], target)
    with pytest.raises(ValueError, match="hop <= window <= fft_size"):
        MultiResolutionSTFTLoss(((128, 64, 256),))


def test_differentiable_reverse_equals_the_cached_inverse_path():
    model = perturbed(MICRO).eval()
    torch.manual_seed(1)
    mel, z = torch.randn(2, 80, 8), torch.randn(2, 8, 8 * 256 // 8)
    with torch.no_grad():
        cached = model.reverse(mel, z)
    with_grad = model.reverse(mel, z)
    assert with_grad.requires_grad
    torch.testing.assert_close(with_grad.detach(), cached, rtol=1e-5, atol=1e-6)


def test_gradients_flow_through_the_reverse_pass_to_every_parameter():
    model = perturbed(MICRO).train()
    torch.manual_seed(2)
    mel = torch.randn(2, 80, 8)
    z = 0.666 * torch.randn(2, 8, 256)
    loss = MultiResolutionSTFTLoss(SMALL_RESOLUTIONS)(model.reverse(mel, z), tone(2048)).total
    loss.backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None, name
        assert torch.isfinite(parameter.grad).all(), name
        assert parameter.grad.abs().sum() > 0, name


def test_reverse_pass_gradient_of_the_1x1_weights_matches_finite_differences():
    # The inverse of W is part of the reverse pass; its gradient must be the true one.
    model = perturbed(MICRO, scale=0.2).double().train()
    torch.manual_seed(3)
    mel = torch.randn(1, 80, 2, dtype=torch.float64)
    z = torch.randn(1, 8, 64, dtype=torch.float64)
    direction = torch.randn(1, 8, 64, dtype=torch.float64)
    weight = model.convinv[1].conv.weight

    def objective() -> torch.Tensor:
        return (model.reverse(mel, z) * direction.transpose(1, 2).reshape(1, -1)).sum()

    objective().backward()
    analytic = weight.grad.clone()
    eps, numeric = 1e-6, torch.zeros_like(weight)
    with torch.no_grad():
        for index in [(0, 1, 0), (2, 3, 0), (5, 0, 0)]:
            weight[index] += eps
            plus = objective()
            weight[index] -= 2 * eps
            minus = objective()
            weight[index] += eps
            numeric[index] = (plus - minus) / (2 * eps)
            assert analytic[index].item() == pytest.approx(numeric[index].item(), rel=1e-5, abs=1e-8), index


def test_log_likelihood_stays_exact_after_training_with_the_stft_loss():
    config = WaveGlowConfig(n_flows=2, n_group=4, n_early_every=1, n_early_size=2, n_layers=2, n_channels=8)
    model = perturbed(config, seed=3, scale=0.3)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    stft = MultiResolutionSTFTLoss(((64, 8, 32),))
    torch.manual_seed(5)
    mel, audio = torch.randn(1, 80, 2), tone(512, batch=1)
    for _ in range(5):
        optimizer.zero_grad()
        stft(model.reverse(mel, 0.666 * torch.randn(1, 4, 128)), audio).total.backward()
        optimizer.step()
    model = model.double()
    mel, x = torch.randn(1, 80, 1, dtype=torch.float64), 0.5 * torch.randn(32, dtype=torch.float64)
    jacobian = torch.autograd.functional.jacobian(lambda v: model(mel, v.reshape(1, 32))[0].reshape(-1), x)
    z = model(mel, x.reshape(1, 32))[0].reshape(-1)
    brute = (torch.distributions.Normal(0.0, 1.0).log_prob(z).sum() + torch.linalg.slogdet(jacobian)[1]).item()
    assert model.log_prob(mel, x.reshape(1, 32), sigma=1.0).item() == pytest.approx(brute, abs=1e-6)
