"""Words the verbalizer needs in each language (``en``, ``hi``, ``bn``): one table per language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Currency:
    """Spoken names of a currency unit and its hundredth."""

    unit: str
    units: str
    subunit: str
    subunits: str


@dataclass(frozen=True)
class Vocabulary:
    minus: str
    point: str
    percent: str
    months: tuple[str, ...]
    currencies: dict[str, Currency]  # keyed by symbol
    scale_words: dict[str, str]  # normalized scale word -> spoken form
    letters: dict[str, str]  # Latin letter -> its name
    symbols: dict[str, str]  # symbol character -> spoken form
    abbreviations: dict[str, str]  # lower-case abbreviation (without the dot) -> spoken form
    example: str  # "e.g."
    that_is: str  # "i.e."


_CURRENCY_SYMBOLS = {"rs": "₹", "inr": "₹", "tk": "৳"}  # written names -> symbol


def currency_symbol(prefix: str) -> str:
    """The currency symbol a money prefix stands for: "Rs." -> "₹"."""
    key = prefix.rstrip(".").strip().lower()
    return _CURRENCY_SYMBOLS.get(key, key)


_LATIN = "abcdefghijklmnopqrstuvwxyz"

ENGLISH = Vocabulary(
    minus="minus",
    point="point",
    percent="percent",
    months=tuple("january february march april may june july august september october november december".split()),
    currencies={
        "₹": Currency("rupee", "rupees", "paisa", "paise"),
        "$": Currency("dollar", "dollars", "cent", "cents"),
        "£": Currency("pound", "pounds", "penny", "pence"),
        "€": Currency("euro", "euros", "cent", "cents"),
        "৳": Currency("taka", "taka", "poisha", "poisha"),
    },
    scale_words={
        "thousand": "thousand",
        "k": "thousand",
        "million": "million",
        "billion": "billion",
        "trillion": "trillion",
        "lakh": "lakh",
        "crore": "crore",
    },
    letters={c: c for c in _LATIN},
    symbols={
        "&": "and",
        "+": "plus",
        "=": "equals",
        "@": "at",
        "#": "hash",
        "°": "degrees",
        "×": "times",
        "÷": "divided by",
        "%": "percent",
        "₹": "rupees",
        "$": "dollars",
        "£": "pounds",
        "€": "euros",
        "৳": "taka",
    },
    abbreviations={
        "mr": "mister",
        "mrs": "missus",
        "ms": "miss",
        "dr": "doctor",
        "prof": "professor",
        "sr": "senior",
        "jr": "junior",
        "st": "saint",
        "etc": "et cetera",
        "vs": "versus",
        "no": "number",
        "approx": "approximately",
        "govt": "government",
        "dept": "department",
        "ltd": "limited",
        "pvt": "private",
        "capt": "captain",
        "lt": "lieutenant",
        "col": "colonel",
        "gen": "general",
        "mt": "mount",
        "ft": "feet",
        "km": "kilometres",
        "kg": "kilograms",
        "cm": "centimetres",
        "mm": "millimetres",
    },
    example="for example",
    that_is="that is",
)

HINDI = Vocabulary(
    minus="माइनस",
    point="दशमलव",
    percent="प्रतिशत",
    months=tuple("जनवरी फ़रवरी मार्च अप्रैल मई जून जुलाई अगस्त सितंबर अक्टूबर नवंबर दिसंबर".split()),
    currencies={
        "₹": Currency("रुपया", "रुपये", "पैसा", "पैसे"),
        "$": Currency("डॉलर", "डॉलर", "सेंट", "सेंट"),
        "£": Currency("पाउंड", "पाउंड", "पेंस", "पेंस"),
        "€": Currency("यूरो", "यूरो", "सेंट", "सेंट"),
        "৳": Currency("टका", "टका", "पैसा", "पैसे"),
    },
    scale_words={
        "thousand": "हज़ार",
        "k": "हज़ार",
        "million": "मिलियन",
        "billion": "बिलियन",
        "trillion": "ट्रिलियन",
        "lakh": "लाख",
        "crore": "करोड़",
    },
    letters=dict(zip(_LATIN, ("ए बी सी डी ई एफ़ जी एच आई जे के एल एम एन ओ पी क्यू आर एस टी यू वी डब्ल्यू एक्स वाई ज़ेड").split())),
    symbols={
        "&": "और",
        "+": "प्लस",
        "=": "बराबर",
        "@": "ऐट",
        "#": "हैश",
        "°": "डिग्री",
        "×": "गुणा",
        "÷": "भाग",
        "%": "प्रतिशत",
        "₹": "रुपये",
        "$": "डॉलर",
        "£": "पाउंड",
        "€": "यूरो",
        "৳": "टका",
    },
    abbreviations={
        "mr": "मिस्टर",
        "mrs": "मिसेज़",
        "ms": "मिस",
        "dr": "डॉक्टर",
        "prof": "प्रोफ़ेसर",
        "sr": "सीनियर",
        "jr": "जूनियर",
        "st": "सेंट",
        "etc": "वगैरह",
        "vs": "बनाम",
        "no": "नंबर",
        "approx": "लगभग",
        "govt": "सरकार",
        "dept": "विभाग",
        "ltd": "लिमिटेड",
        "pvt": "प्राइवेट",
        "capt": "कैप्टन",
        "lt": "लेफ़्टिनेंट",
        "col": "कर्नल",
        "gen": "जनरल",
        "mt": "माउंट",
        "ft": "फ़ुट",
        "km": "किलोमीटर",
        "kg": "किलो",
        "cm": "सेंटीमीटर",
        "mm": "मिलीमीटर",
        "डॉ": "डॉक्टर",
    },
    example="जैसे",
    that_is="यानी",
)

BENGALI = Vocabulary(
    minus="মাইনাস",
    point="দশমিক",
    percent="শতাংশ",
    months=tuple("জানুয়ারি ফেব্রুয়ারি মার্চ এপ্রিল মে জুন জুলাই আগস্ট সেপ্টেম্বর অক্টোবর নভেম্বর ডিসেম্বর".split()),
    currencies={
        "₹": Currency("টাকা", "টাকা", "পয়সা", "পয়সা"),
        "$": Currency("ডলার", "ডলার", "সেন্ট", "সেন্ট"),
        "£": Currency("পাউন্ড", "পাউন্ড", "পেন্স", "পেন্স"),
        "€": Currency("ইউরো", "ইউরো", "সেন্ট", "সেন্ট"),
        "৳": Currency("টাকা", "টাকা", "পয়সা", "পয়সা"),
    },
    scale_words={
        "thousand": "হাজার",
        "k": "হাজার",
        "million": "মিলিয়ন",
        "billion": "বিলিয়ন",
        "trillion": "ট্রিলিয়ন",
        "lakh": "লাখ",
        "crore": "কোটি",
    },
    letters=dict(
        zip(_LATIN, ("এ বি সি ডি ই এফ জি এইচ আই জে কে এল এম এন ও পি কিউ আর এস টি ইউ ভি ডাবলিউ এক্স ওয়াই জেড").split())
    ),
    symbols={
        "&": "এবং",
        "+": "প্লাস",
        "=": "সমান",
        "@": "অ্যাট",
        "#": "হ্যাশ",
        "°": "ডিগ্রি",
        "×": "গুণ",
        "÷": "ভাগ",
        "%": "শতাংশ",
        "₹": "টাকা",
        "$": "ডলার",
        "£": "পাউন্ড",
        "€": "ইউরো",
        "৳": "টাকা",
    },
    abbreviations={
        "mr": "মিস্টার",
        "mrs": "মিসেস",
        "ms": "মিস",
        "dr": "ডাক্তার",
        "prof": "প্রফেসর",
        "sr": "সিনিয়র",
        "jr": "জুনিয়র",
        "st": "সেন্ট",
        "etc": "ইত্যাদি",
        "vs": "বনাম",
        "no": "নম্বর",
        "approx": "প্রায়",
        "govt": "সরকার",
        "dept": "বিভাগ",
        "ltd": "লিমিটেড",
        "pvt": "প্রাইভেট",
        "capt": "ক্যাপ্টেন",
        "lt": "লেফটেন্যান্ট",
        "col": "কর্নেল",
        "gen": "জেনারেল",
        "mt": "মাউন্ট",
        "ft": "ফুট",
        "km": "কিলোমিটার",
        "kg": "কেজি",
        "cm": "সেন্টিমিটার",
        "mm": "মিলিমিটার",
        "ডা": "ডাক্তার",
        "ডঃ": "ডক্টর",
    },
    example="যেমন",
    that_is="অর্থাৎ",
)

VOCABULARIES = {"en": ENGLISH, "hi": HINDI, "bn": BENGALI}

# Characters that carry no sound and are dropped without a warning.
SILENT = frozenset("\"()[]{}<>*_~^|\\/'`")

# Words that mark a number as a year in Hindi/Bengali: "सन् 1999", "1999 में", "১৯৯৯ সালে".
YEAR_BEFORE = {
    "hi": frozenset({"सन्", "सन", "साल", "वर्ष", "san", "saal", "year"}),
    "bn": frozenset({"সাল", "সন", "sal", "saal", "year"}),
}
YEAR_AFTER = {
    "hi": frozenset({"में", "तक", "से", "का", "की", "के", "ई", "ईस्वी", "mein", "me", "tak", "se", "ka", "ki", "ke"}),
    "bn": frozenset({"সালে", "সাল", "সালের", "সনে", "খ্রিস্টাব্দে", "খ্রিস্টাব্দ", "sale", "saler"}),
}
