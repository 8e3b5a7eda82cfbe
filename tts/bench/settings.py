"""What ``tts bench`` measures: its sections, presets, sample texts and settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA = "swaratts-bench/1"
SECTIONS = ("machine", "vocoder", "acoustic", "end_to_end", "training")
VOCODER_PRESETS = ("small", "balanced", "fast")
ACOUSTIC_PRESETS = ("tiny",)

# A 10-word sentence (the first) and a 10-sentence paragraph (all of them) per language.
SAMPLE_TEXTS: dict[str, list[str]] = {
    "en": [
        "The quick brown fox jumped over the lazy dog today.",
        "Rain fell softly on the old tin roof all night.",
        "My grandfather waters the plants in the garden every evening.",
        "This book has many interesting stories written for young children.",
        "The train reached the station on time and passengers got off.",
        "We should keep our city clean and green for everyone.",
        "Last night the sky was full of bright shining stars.",
        "Mother cooked a delicious meal and called everyone to the table.",
        "A sports competition has been organised at the school today.",
        "Watching the sun set from the river bank feels wonderful.",
    ],
    "hi": [
        "आज सुबह हम सब लोग पार्क में टहलने गए थे।",
        "बारिश के मौसम में हवा बहुत ठंडी हो जाती है।",
        "मेरे दादाजी हर शाम बगीचे में पौधों को पानी देते हैं।",
        "इस किताब में बच्चों के लिए कई रोचक कहानियाँ लिखी हैं।",
        "रेलगाड़ी समय पर स्टेशन पहुँची और यात्री उतरने लगे।",
        "हमें अपने शहर को साफ़ और हरा भरा रखना चाहिए।",
        "कल रात आसमान में बहुत सारे तारे चमक रहे थे।",
        "माँ ने रसोई में स्वादिष्ट खाना बनाया और सबको बुलाया।",
        "विद्यालय में आज खेल प्रतियोगिता का आयोजन किया गया है।",
        "नदी के किनारे बैठकर सूरज को डूबते देखना अच्छा लगता है।",
    ],
    "bn": [
        "আজ খুব সকালে আমরা সবাই মিলে নদীর ধারে অনেকক্ষণ হেঁটেছিলাম।",
        "বর্ষাকালে আকাশ প্রায়ই কালো মেঘে ঢেকে থাকে।",
        "আমার দাদু প্রতিদিন সন্ধ্যায় বাগানে গাছে জল দেন।",
        "এই বইটিতে ছোটদের জন্য অনেক মজার গল্প আছে।",
        "ট্রেন ঠিক সময়ে স্টেশনে পৌঁছাল এবং যাত্রীরা নামতে লাগল।",
        "আমাদের শহরকে পরিষ্কার ও সবুজ রাখা উচিত।",
        "গতকাল রাতে আকাশে অনেক তারা ঝলমল করছিল।",
        "মা রান্নাঘরে সুস্বাদু খাবার রান্না করে সবাইকে ডাকলেন।",
        "আজ বিদ্যালয়ে একটি খেলার প্রতিযোগিতার আয়োজন করা হয়েছে।",
        "নদীর তীরে বসে সূর্যাস্ত দেখতে খুব ভালো লাগে।",
    ],
}
SAMPLE_TEXTS["hinglish"] = SAMPLE_TEXTS["hi"]
SAMPLE_TEXTS["benglish"] = SAMPLE_TEXTS["bn"]


@dataclass(frozen=True)
class BenchSettings:
    """What to measure and how long to try. :meth:`quick_settings` gives the CLI test's."""

    voice: str | None = None
    engine: str = "torch"
    # "fp32" or "int8" (acoustic.quantize, vocoder.quantize); None: tts.voice.DEFAULT_PRECISION,
    # or for an ONNX voice the precision it was exported in.
    precision: str | None = None
    sections: tuple[str, ...] = SECTIONS
    threads: int | None = None  # torch intra-op threads; None keeps torch's default
    repeats: int = 5  # timed runs per measurement (after one warm-up), fewer when over budget
    budget_seconds: float = 60.0  # stop repeating a measurement once this much time is spent
    vocoder_seconds: tuple[float, ...] = (2.0, 10.0, 60.0)
    rss_seconds: tuple[float, ...] = (2.0, 5.0, 10.0, 60.0)  # 5 s: the reference of the RSS ratio
    vocoder_presets: tuple[str, ...] = VOCODER_PRESETS
    published_vocoder: dict[str, Any] = field(default_factory=dict)  # WaveGlowConfig overrides
    base_acoustic: dict[str, Any] = field(default_factory=dict)  # Tacotron2Config overrides
    acoustic_presets: tuple[str, ...] = ACOUSTIC_PRESETS
    acoustic_steps: int = 200
    acoustic_text_length: int = 60
    acoustic_batches: tuple[int, ...] = (1, 8)
    training_steps: int = 5
    quick: bool = False

    @classmethod
    def quick_settings(cls, **changes: Any) -> BenchSettings:
        values: dict[str, Any] = dict(
            repeats=2,
            budget_seconds=5.0,
            vocoder_seconds=(0.25, 0.5),
            rss_seconds=(0.5,),
            vocoder_presets=("fast",),
            acoustic_steps=8,
            acoustic_text_length=16,
            training_steps=1,
            quick=True,
        )
        values.update(changes)
        return cls(**values)
