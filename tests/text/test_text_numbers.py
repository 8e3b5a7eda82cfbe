"""Numbers, money, times, dates and abbreviations read aloud in English, Hindi and Bengali."""

from __future__ import annotations

import pytest

import text


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("I have 3 cats", "i have three cats"),
        ("0", "zero"),
        ("He came 1st and she 22nd", "he came first and she twenty second"),
        ("the 3rd and 11th and 100th", "the third and eleventh and one hundredth"),
        ("pi is 3.14", "pi is three point one four"),
        ("it is -5 outside", "it is minus five outside"),
        ("born in 1999", "born in nineteen ninety nine"),
        (
            "in 2005 and 2024 and 1900 and 1905",
            "in two thousand five and twenty twenty four and nineteen hundred and nineteen oh five",
        ),
        ("12,345 people", "twelve thousand three hundred forty five people"),
        ("1,00,000 people", "one lakh people"),
        ("2,50,00,000 rupees", "two crore fifty lakh rupees"),
        ("5 lakh and 2 crore", "five lakh and two crore"),
        ("100000", "one hundred thousand"),
        ("$5", "five dollars"),
        ("$1", "one dollar"),
        ("$5.50", "five dollars and fifty cents"),
        ("£2.01", "two pounds and one penny"),
        ("€10", "ten euros"),
        ("₹250", "two hundred fifty rupees"),
        ("Rs. 10.50", "ten rupees and fifty paise"),
        ("₹5 lakh", "five lakh rupees"),
        ("INR5 only", "five rupees only"),
        ("$3 million", "three million dollars"),
        ("50% off", "fifty percent off"),
        ("at 10:30", "at ten thirty"),
        ("at 10:00", "at ten o'clock"),
        ("at 7:05", "at seven oh five"),
        ("at 7 pm", "at seven p m"),
        ("at 7pm", "at seven p m"),
        ("see you at 7 pm.", "see you at seven p m."),
        ("at 7 p.m. sharp", "at seven p m sharp"),
        ("on 15/08/1947", "on fifteenth august nineteen forty seven"),
        ("Mr. and Mrs. Rao met Dr. Sen", "mister and missus rao met doctor sen"),
        ("St. Xavier's is on Park St.", "saint xavier's is on park street."),
        ("No. 5 is mine, I said no.", "number five is mine, i said no."),
        ("apples, oranges etc.", "apples, oranges et cetera."),
        ("5 km away", "five kilometres away"),
        ("call 007", "call zero zero seven"),
    ],
)
def test_english(written: str, spoken: str) -> None:
    assert text.normalize(written, "en") == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("25", "पच्चीस"),
        ("२५", "पच्चीस"),
        ("100000", "एक लाख"),
        ("1,00,000", "एक लाख"),
        ("1999", "एक हज़ार नौ सौ निन्यानवे"),
        ("सन् 1999", "सन् उन्नीस सौ निन्यानवे"),
        ("1999 में", "उन्नीस सौ निन्यानवे में"),
        ("१९४७ में", "उन्नीस सौ सैंतालीस में"),
        ("3.5", "तीन दशमलव पाँच"),
        ("-3", "माइनस तीन"),
        ("₹250", "दो सौ पचास रुपये"),
        ("₹1", "एक रुपया"),
        ("₹10.50", "दस रुपये पचास पैसे"),
        ("₹5 हज़ार", "पाँच हज़ार रुपये"),
        ("$20", "बीस डॉलर"),
        ("50%", "पचास प्रतिशत"),
        ("3 बजे", "तीन बजे"),
        ("10:30", "दस बजकर तीस मिनट"),
        ("7 pm", "शाम सात बजे"),
        ("1st", "पहला"),
        ("2nd", "दूसरा"),
        ("7th", "सातवाँ"),
        ("15/08/1947", "पंद्रह अगस्त उन्नीस सौ सैंतालीस"),
        ("1234567890", "एक सौ तेईस करोड़ पैंतालीस लाख सरसठ हज़ार आठ सौ नब्बे"),
        ("6", "छह"),
    ],
)
def test_hindi(written: str, spoken: str) -> None:
    assert text.normalize(written, "hi") == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("25", "পঁচিশ"),
        ("২৫", "পঁচিশ"),
        ("100000", "এক লাখ"),
        ("১৯৯৯ সালে", "ঊনিশশো নিরানব্বই সালে"),
        ("3.5", "তিন দশমিক পাঁচ"),
        ("₹250", "দুশো পঞ্চাশ টাকা"),
        ("৳250", "দুশো পঞ্চাশ টাকা"),
        ("৳10.50", "দশ টাকা পঞ্চাশ পয়সা"),
        ("৳5 হাজার", "পাঁচ হাজার টাকা"),
        ("50%", "পঞ্চাশ শতাংশ"),
        ("10:30", "দশটা বেজে ত্রিশ মিনিট"),
        ("7 pm", "সন্ধ্যা সাতটা"),
        ("1st", "প্রথম"),
        ("15/08/1947", "পনেরো আগস্ট ঊনিশশো সাতচল্লিশ"),
    ],
)
def test_bengali(written: str, spoken: str) -> None:
    assert text.normalize(written, "bn") == spoken


@pytest.mark.parametrize(
    ("written", "lang", "spoken"),
    [
        ("kal meeting 3 baje hai", "hinglish", "कल meeting तीन बजे है"),
        ("I have 3 cats", "hinglish", "i have three cats"),
        ("mere paas ₹500 hain", "hinglish", "मेरे पास पाँच सौ रुपये हैं"),
        ("it costs ₹500 only", "hinglish", "it costs five hundred rupees only"),
        ("Dr. Sharma aaye the", "hinglish", "डॉक्टर शर्मा आए थे"),
        ("Dr. Smith is here", "hinglish", "doctor smith is here"),
        ("ami 5 ta boi porechi", "benglish", "আমি পাঁচ টা বই পড়েছি"),
        ("I read 5 books", "benglish", "i read five books"),
    ],
)
def test_numbers_and_abbreviations_follow_their_neighbours(written: str, lang: str, spoken: str) -> None:
    assert text.normalize(written, lang) == spoken


@pytest.mark.parametrize(
    "written, spoken",
    [
        ("10:30 बजे", "दस बजकर तीस मिनट"),
        ("3:00 बजे मिलो", "तीन बजे मिलो"),
        ("3 बजे", "तीन बजे"),
    ],
)
def test_hindi_time_followed_by_baje_says_baje_once(written, spoken):
    assert text.normalize(written, "hi") == spoken
