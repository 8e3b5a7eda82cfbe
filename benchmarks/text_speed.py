"""How long the text frontend takes on a 10,000-character paragraph, per language.

    python benchmarks/text_speed.py

Prints the median of 5 runs after a warm-up (the first call loads the lexicons).
"""

from __future__ import annotations

import statistics
import time

import text

SENTENCES = {
    "en": "On 15/08/1947, Dr. Rao paid ₹250 at 10:30 for 3 books! ",
    "hi": "सन् 1999 में 25 लोग ₹250 देकर 10:30 बजे आए। ",
    "bn": "আমি ৳৫০০ দিয়ে ১০:৩০ টায় ২৫টা বই কিনেছি। ",
    "hinglish": "kal meeting 3 baje hai, please time pe aana yaar! ",
    "benglish": "ami kal office e 10 ta meeting korbo, tumi kemon acho? ",
}


def main() -> None:
    print(f"{'lang':10} {'chars':>6} {'median ms':>10}")
    for lang, sentence in SENTENCES.items():
        paragraph = (sentence * (10_000 // len(sentence) + 1))[:10_000]
        text.text_to_sequence(sentence, lang)  # warm-up: loads the lexicons
        times = []
        for _ in range(5):
            start = time.perf_counter()
            text.text_to_sequence(paragraph, lang)
            times.append(time.perf_counter() - start)
        print(f"{lang:10} {len(paragraph):6d} {1000 * statistics.median(times):10.1f}")


if __name__ == "__main__":
    main()
