"""How many threads a voice decodes on: one for a single sentence on a small decoder (there a
second thread measured slower), all of them otherwise; torch's setting is restored after."""

from __future__ import annotations

import torch

import acoustic
from tts.torch_parts import SMALL_DECODER_WEIGHTS, decoding_threads
from tts.voice import load_voice


def test_small_decoders_decode_one_sentence_on_one_thread():
    tiny = acoustic.Tacotron2Config(
        n_symbols=10,
        attention_rnn_dim=256,
        decoder_rnn_dim=256,
        prenet_dim=128,
        encoder_embedding_dim=128,
        symbols_embedding_dim=128,
    )
    reference = acoustic.Tacotron2Config(n_symbols=10)  # NVIDIA's sizes: 17 M LSTM weights
    assert decoding_threads(tiny, batch=1, threads=2) == 1
    assert decoding_threads(tiny, batch=4, threads=2) == 2  # a batch gives the threads work
    assert decoding_threads(reference, batch=1, threads=2) == 2
    c = reference
    weights = 4 * c.attention_rnn_dim * (
        c.prenet_dim + c.encoder_embedding_dim + c.attention_rnn_dim
    ) + 4 * c.decoder_rnn_dim * (c.attention_rnn_dim + c.encoder_embedding_dim + c.decoder_rnn_dim)
    assert weights > SMALL_DECODER_WEIGHTS


def test_decoding_restores_torchs_thread_count(voice_dir):
    voice = load_voice(voice_dir)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seen = []
        original = voice.acoustic.model.infer

        def spy(*args, **kwargs):
            seen.append(torch.get_num_threads())
            return original(*args, **kwargs)

        voice.acoustic.model.infer = spy
        voice.mel(["namaste"], speaker=0)
        voice.mel(["namaste", "kaise ho"], speaker=0)
        assert seen == [1, 2]
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
