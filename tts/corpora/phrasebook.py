"""Sentence templates and vocabulary per language, for the synthetic corpus.

Written for swaratts by its developers (BSD-3-Clause, like the rest of the project); no
third-party text. Everyday chat-style sentences: plans, times, food, family, travel.

Notation (read by :mod:`tts.corpora.sentences`), tokens separated by spaces:

- ``{slot}`` is replaced by one of ``SLOTS[language][slot]`` (which use the same notation);
- ``kal=कल`` is a Hindi/Bengali word: typed ``kal`` in a romanized sentence and ``कल`` in a
  native-script one; always *spoken* from the native script, so espeak-ng's Hindi or Bengali
  voice pronounces it (given ``kal`` it would switch to its English rules). ``nahi|nahin|nhi=नहीं``
  lists the romanized spellings people use for the same word; one is picked at random. Spelling
  variants must all be read the same way, since they share one spoken form;
- any other token (English words, digits, native-script words) is typed and spoken as written.

Trailing punctuation (``? ! , . ।``) may follow any token. Transcripts are what people type, so
digits stay digits (``3 baje``) and nothing is normalized: that is the text frontend's job.
Hindi templates keep gender agreement right by giving each slot words of one gender where the
sentence needs it (``mera {thing}``: all ``thing`` words are masculine).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

Slots = Mapping[str, tuple[str, ...]]

_HOURS = tuple(str(h) for h in range(1, 13))
_COUNTS = ("2", "3", "4", "5", "10", "15", "20")
_AMOUNTS = ("50", "100", "150", "200", "250", "500", "1200")
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EVENTS_EN = ("meeting", "call", "interview", "presentation", "class", "exam", "party", "team lunch")

HINGLISH_TEMPLATES = (
    "{day} {event} {hour} baje=बजे hai=है",
    "main|mai=मैं {place} ja=जा raha=रहा hoon|hu|hun=हूँ",
    "{person} ko=को {thing} de=दे dena=देना please",
    "aaj=आज main|mai=मैं bahut|bohot|bht=बहुत {feeling} hoon|hu=हूँ",
    "kya|kia=क्या tum=तुम {day} {place} aa=आ sakte=सकते ho=हो?",
    "mera=मेरा {thing} kaam=काम nahi|nahin|nhi=नहीं kar=कर raha=रहा",
    "{event} {count} minute late hai|h=है",
    "{person} ne=ने bola=बोला ki|k=कि {event} cancel ho=हो gaya=गया",
    "ek=एक {food} aur|or=और do=दो {food} order karo=करो",
    "yaar|yar=यार {weekday} ko=को {event} hai=है, main=मैं free nahi|nahin=नहीं hoon=हूँ",
    "{thing} ka=का price {amount} rupaye|rupay=रुपये hai=है",
    "please mera=मेरा {thing} charge kar=कर do=दो",
    "mujhe=मुझे {food} bahut|bohot=बहुत pasand=पसंद hai=है",
    "{person} abhi=अभी {place} mein|me=में hai|h=है",
    "traffic bahut|bohot=बहुत zyada|jyada=ज़्यादा hai=है, {count} minute mein|me=में pahunchunga=पहुँचूँगा",
    "{day} ka=का {event} online hoga=होगा ya=या offline?",
    "{thing} ghar=घर pe=पे bhool=भूल gaya=गया",
    "ok, main=मैं {hour} baje=बजे tak=तक call karta=करता hoon|hu=हूँ",
    "{person} ka=का birthday {weekday} ko=को hai=है",
    "weekend pe=पे {place} chalein|chalen=चलें?",
    "thank you {person}, aapne|apne=आपने bahut=बहुत help ki=की",
    "sorry, mera=मेरा {thing} kho=खो gaya=गया hai=है",
    "phone ki=की battery low hai=है, sirf=सिर्फ़ {count} percent bachi=बची hai=है",
    "bas=बस {count} din=दिन aur|or=और, phir|fir=फिर chutti|chhutti=छुट्टी!",
    "aaj=आज ka=का plan kya|kia=क्या hai=है?",
    "main|mai=मैं {place} ke=के bahar|baahar=बाहर wait kar=कर raha=रहा hoon|hu=हूँ",
    "kitne=कितने baje=बजे {event} start hoga=होगा?",
    "{person} se=से baat=बात karke=करके batata=बताता hoon|hu=हूँ",
    "meeting link bhej=भेज do=दो, main=मैं join karta=करता hoon=हूँ",
    "{hour} baje=बजे tak=तक report submit karni=करनी hai=है",
    "kal=कल {hour} baje=बजे ki=की train hai=है",
    "good morning {person}, chai=चाय pi=पी li=ली?",
)

HINGLISH_SLOTS: Slots = MappingProxyType(
    {
        "day": ("aaj=आज", "kal=कल", "parso|parson=परसों"),
        "hour": _HOURS,
        "count": _COUNTS,
        "amount": _AMOUNTS,
        "weekday": _WEEKDAYS_EN,
        "event": _EVENTS_EN + ("doctor appointment",),
        "place": (
            "office",
            "college",
            "mall",
            "hospital",
            "station",
            "airport",
            "bank",
            "gym",
            "market",
            "mandir=मंदिर",
        ),
        "person": (
            "mummy=मम्मी",
            "papa=पापा",
            "boss",
            "bhaiya|bhaiyya=भैया",
            "didi=दीदी",
            "Rahul=राहुल",
            "Priya=प्रिया",
            "Amit=अमित",
            "Neha=नेहा",
            "Sanjay=संजय",
            "Pooja|Puja=पूजा",
        ),
        # masculine in Hindi usage: templates say "mera {thing}" and "gaya"
        "thing": ("phone", "laptop", "charger", "wallet", "passport", "ticket", "bag", "headphone", "remote"),
        "food": (
            "chai=चाय",
            "samosa=समोसा",
            "pizza",
            "coffee",
            "biryani=बिरयानी",
            "paratha|parantha=पराठा",
            "momos",
            "burger",
            "dosa=डोसा",
            "pav=पाव bhaji=भाजी",
        ),
        "feeling": ("busy", "tired", "free", "happy", "bored", "excited"),
    }
)

BENGLISH_TEMPLATES = (
    "ami=আমি bhalo=ভালো achi|aachi=আছি, thank you",
    "{day} {hour} tay|tae=টায় {event} ache=আছে",
    "ami=আমি {place} e=এ jacchi|jachchi|jachhi=যাচ্ছি",
    "tumi=তুমি kemon=কেমন acho=আছো?",
    "{person} ke=কে {thing} ta=টা diye=দিয়ে dio=দিও please",
    "aaj|aj=আজ ami=আমি khub=খুব {feeling}",
    "amar=আমার {thing} ta=টা kaaj|kaj=কাজ korche|korchhe=করছে na=না",
    "{event} {count} minute late hobe=হবে",
    "ekta=একটা {food} ar=আর duto=দুটো {food} order koro=করো",
    "{weekday} e=এ {event} ache=আছে, ami=আমি free nei=নেই",
    "{thing} er=এর dam|daam=দাম {amount} taka=টাকা",
    "amar=আমার {food} khete=খেতে ichhe|iche=ইচ্ছে korche|korchhe=করছে",
    "{person} ekhon=এখন {place} e=এ ache=আছে",
    "traffic khub=খুব beshi|besi=বেশি, {count} minute e=এ pouchabo|pouchhabo=পৌঁছাবো",
    "kalker|kaalker=কালকের {event} ta=টা online hobe=হবে na=না offline?",
    "{thing} ta=টা barite=বাড়িতে bhule=ভুলে gechi|gechhi=গেছি",
    "ok, ami=আমি {hour} tar=টার modhye|moddhe=মধ্যে call korchi|korchhi=করছি",
    "{person} er=এর birthday {weekday} e=এ",
    "weekend e=এ {place} jabe=যাবে?",
    "thank you {person}, onek=অনেক help korle=করলে",
    "sorry, amar=আমার {thing} ta=টা hariye=হারিয়ে geche|gechhe=গেছে",
    "aajker|ajker=আজকের plan ki=কী?",
    "{food} ta=টা khub=খুব tasty chilo|chhilo=ছিল",
    "ami=আমি {place} er=এর baire=বাইরে wait korchi|korchhi=করছি",
    "kotay=কটায় {event} start hobe=হবে?",
    "{person} er=এর sathe|shathe=সাথে kotha=কথা bole=বলে janacchi|janachi=জানাচ্ছি",
    "meeting link ta=টা pathiye=পাঠিয়ে dao=দাও, ami=আমি join korchi=করছি",
    "ar=আর {count} din=দিন, tarpor=তারপর chhuti|chuti=ছুটি!",
    "good morning {person}, cha=চা kheyecho|kheyechho=খেয়েছো?",
    "{day} {hour} tar=টার train ache=আছে",
)

BENGLISH_SLOTS: Slots = MappingProxyType(
    {
        "day": ("aaj|aj=আজ", "kal|kaal=কাল", "porshu|porsu=পরশু"),
        "hour": _HOURS,
        "count": _COUNTS,
        "amount": _AMOUNTS,
        "weekday": _WEEKDAYS_EN,
        "event": _EVENTS_EN + ("puja=পুজো", "adda=আড্ডা"),
        "place": ("office", "college", "mall", "hospital", "station", "airport", "bank", "gym", "market"),
        "person": (
            "ma=মা",
            "baba=বাবা",
            "dada=দাদা",
            "didi=দিদি",
            "boss",
            "Rahul=রাহুল",
            "Priya=প্রিয়া",
            "Arjun=অর্জুন",
            "Moumita=মৌমিতা",
            "Sourav=সৌরভ",
        ),
        "thing": (
            "phone",
            "laptop",
            "charger",
            "wallet",
            "passport",
            "ticket",
            "bag",
            "chabi|chaabi=চাবি",
            "chhata|chata=ছাতা",
            "headphone",
        ),
        "food": (
            "cha=চা",
            "mishti|misti=মিষ্টি",
            "roshogolla|rosogolla=রসগোল্লা",
            "biryani=বিরিয়ানি",
            "pizza",
            "coffee",
            "luchi=লুচি",
            "fuchka|phuchka=ফুচকা",
            "momo",
            "maach|mach=মাছ bhaja=ভাজা",
        ),
        "feeling": ("busy", "tired", "happy", "excited", "bored", "free"),
    }
)

HINDI_TEMPLATES = (
    "{day} {hour} बजे {event} है।",
    "मैं {place} जा रहा हूँ।",
    "{person} को {thing} दे दो।",
    "आज मौसम बहुत {weather} है।",
    "क्या आप {day} {place} आ सकते हैं?",
    "मुझे {food} बहुत पसंद है।",
    "बाज़ार से {count} किलो {produce} ले आना।",
    "मेरा {thing} कहाँ है?",
    "इसकी कीमत {amount} रुपये है।",
    "आज {weekday} है।",
    "गाड़ी {count} घंटे देर से आएगी।",
    "{person} ने सुबह फ़ोन किया था।",
    "धीरे बोलिए, बच्चे सो रहे हैं।",
    "नमस्ते, आप कैसे हैं?",
    "हम {count} दिन के लिए {city} जा रहे हैं।",
    "{city} में आज बारिश हो रही है।",
    "बस {count} मिनट में पहुँच रहा हूँ।",
    "{person} का जन्मदिन {date} को है।",
    "ट्रेन सुबह {hour} बजे चलेगी।",
    "{event} कब शुरू होगी?",
    "खाना तैयार है, हाथ धो लो।",
    "कृपया {count} मिनट रुकिए।",
    "{person} अभी घर पर नहीं हैं।",
    "मैं {day} {city} के लिए निकलूँगा।",
    "{day} {hour} बजे {place} में मिलते हैं।",
    "{city} से {city2} की ट्रेन {hour} बजे है।",
    "{person} को {date} तक {thing} लौटा देना।",
    "{weekday} को {hour} बजे {event} है।",
)

HINDI_SLOTS: Slots = MappingProxyType(
    {
        "day": ("आज", "कल", "परसों"),
        "hour": _HOURS,
        "count": _COUNTS,
        "amount": _AMOUNTS,
        "weekday": ("सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार"),
        # feminine: "{event} कब शुरू होगी"
        "event": ("बैठक", "परीक्षा", "पूजा", "शादी", "दावत", "कक्षा"),
        "place": ("बाज़ार", "दफ़्तर", "स्कूल", "अस्पताल", "मंदिर", "स्टेशन", "डाकघर"),
        "person": ("माँ", "पापा", "भैया", "दीदी", "दादी", "राहुल", "प्रिया", "अमित", "नेहा", "चाचाजी"),
        # masculine: "मेरा {thing}"
        "thing": ("फ़ोन", "छाता", "चश्मा", "बटुआ", "थैला", "टिकट", "रूमाल"),
        "food": ("चाय", "खिचड़ी", "दाल", "खीर", "पूरी", "जलेबी", "आम", "समोसा", "पनीर"),
        "produce": ("आलू", "टमाटर", "प्याज़", "चावल", "आटा", "चीनी", "भिंडी"),
        "weather": ("अच्छा", "सुहाना", "ठंडा", "गरम"),
        "city": ("दिल्ली", "मुंबई", "जयपुर", "लखनऊ", "वाराणसी", "पटना", "भोपाल", "इंदौर", "शिमला"),
        # a second list, so that "from {city} to {city2}" never names one city twice
        "city2": ("कानपुर", "आगरा", "पुणे", "चेन्नई", "हैदराबाद", "बेंगलुरु", "अमृतसर", "गुवाहाटी"),
        "date": ("26 जनवरी", "15 अगस्त", "2 अक्टूबर", "14 नवंबर", "5 सितंबर", "12 मार्च"),
    }
)

BENGALI_TEMPLATES = (
    "{day} {hour}টায় {event} আছে।",
    "আমি {place} যাচ্ছি।",
    "{person}কে {thing}টা দিয়ে দাও।",
    "আজ আবহাওয়া খুব {weather}।",
    "তুমি কি {day} {place} আসতে পারবে?",
    "আমার {food} খুব ভালো লাগে।",
    "বাজার থেকে {count} কেজি {produce} নিয়ে এসো।",
    "আমার {thing}টা কোথায়?",
    "এটার দাম {amount} টাকা।",
    "আজ {weekday}।",
    "ট্রেন {count} ঘণ্টা দেরিতে আসবে।",
    "{person} সকালে ফোন করেছিল।",
    "আস্তে কথা বলো, বাচ্চারা ঘুমোচ্ছে।",
    "নমস্কার, আপনি কেমন আছেন?",
    "আমরা {count} দিনের জন্য {city} যাচ্ছি।",
    "{city} শহরে আজ বৃষ্টি হচ্ছে।",
    "আর {count} মিনিটের মধ্যে পৌঁছে যাচ্ছি।",
    "আমার জন্মদিন {date}।",
    "ট্রেন সকাল {hour}টায় ছাড়বে।",
    "{event} কখন শুরু হবে?",
    "খাবার তৈরি, হাত ধুয়ে এসো।",
    "দয়া করে {count} মিনিট অপেক্ষা করুন।",
    "{person} এখন বাড়িতে নেই।",
    "আমি {day} {city} যাব।",
    "{day} {hour}টায় {place} দেখা হবে।",
    "{city} থেকে {city2} যাওয়ার ট্রেন {hour}টায়।",
    "{person}কে {weekday}ের মধ্যে {thing}টা ফেরত দিও।",
    "{weekday} {hour}টায় {event} আছে।",
)

BENGALI_SLOTS: Slots = MappingProxyType(
    {
        "day": ("আজ", "কাল", "পরশু"),
        # Bengali typists use both digit sets
        "hour": ("১", "২", "৩", "৪", "৫", "৬", "৭", "৮", "৯", "১০", "১১", "১২", "3", "5", "8", "10"),
        "count": ("২", "৩", "৫", "১০", "2", "4", "15"),
        "amount": ("৫০", "১০০", "২৫০", "৫০০", "150", "200", "1200"),
        "weekday": ("সোমবার", "মঙ্গলবার", "বুধবার", "বৃহস্পতিবার", "শুক্রবার", "শনিবার", "রবিবার"),
        "event": ("মিটিং", "পরীক্ষা", "পুজো", "বিয়ে", "অনুষ্ঠান", "ক্লাস"),
        # locative forms: "আমি {place} যাচ্ছি"
        "place": ("বাজারে", "অফিসে", "স্কুলে", "হাসপাতালে", "স্টেশনে", "কলেজে", "পোস্ট অফিসে"),
        "person": ("মা", "বাবা", "দাদা", "দিদি", "ঠাকুমা", "রাহুল", "প্রিয়া", "অর্জুন", "মৌমিতা", "সৌরভ"),
        "thing": ("ফোন", "ছাতা", "চশমা", "মানিব্যাগ", "চাবি", "টিকিট", "ব্যাগ"),
        "food": ("চা", "মিষ্টি", "রসগোল্লা", "ইলিশ মাছ", "খিচুড়ি", "লুচি", "পায়েস", "সন্দেশ"),
        "produce": ("আলু", "পেঁয়াজ", "টমাটো", "চাল", "ডাল", "বেগুন"),
        "weather": ("ভালো", "সুন্দর", "ঠান্ডা", "গরম"),
        "city": ("কলকাতা", "ঢাকা", "শিলিগুড়ি", "দার্জিলিং", "আসানসোল", "দুর্গাপুর", "চট্টগ্রাম"),
        "city2": ("হাওড়া", "বর্ধমান", "খড়গপুর", "মালদা", "সিলেট", "খুলনা", "রাজশাহী", "বহরমপুর"),
        "date": ("১৫ আগস্ট", "২১ ফেব্রুয়ারি", "২৬ জানুয়ারি", "৫ সেপ্টেম্বর", "২৫ ডিসেম্বর"),
    }
)

ENGLISH_TEMPLATES = (
    "The {event} is at {hour} pm {day}.",
    "I am going to {place} now.",
    "Please give the {thing} to {person}.",
    "I am very {feeling} today.",
    "Can you come to {place} {day}?",
    "My {thing} is not working.",
    "The {event} is running {count} minutes late.",
    "{person} said the {event} was cancelled.",
    "I'm not free {day}, let's meet next week.",
    "This {thing} costs {amount} rupees.",
    "Could you charge my {thing}, please?",
    "I would like some {food}.",
    "{person} is at {place} right now.",
    "There is a lot of traffic, I will reach in {count} minutes.",
    "Is the {event} online or offline?",
    "I left my {thing} at home.",
    "OK, I will call you by {hour} o'clock.",
    "Shall we go to {place} this weekend?",
    "Thank you, {name}, for all your help.",
    "Sorry, I have lost my {thing}.",
    "What is the plan for today?",
    "I am waiting outside {place}.",
    "What time does the {event} start?",
    "The train leaves at {hour}:{minute}.",
    "Only {count} days left until the holidays!",
    "Good morning, {name}! Did you have breakfast?",
    "See you at {place} at {hour}:{minute}.",
    "The train from {city} to {city2} leaves at {hour} pm.",
    "Please return the {thing} to {person} by {weekday}.",
    "The {event} on {weekday} starts at {hour}.",
)

ENGLISH_SLOTS: Slots = MappingProxyType(
    {
        "day": ("today", "tomorrow", "on Monday", "on Friday", "on Sunday"),
        "hour": _HOURS,
        "minute": ("15", "30", "45", "05"),
        "count": _COUNTS,
        "amount": _AMOUNTS,
        "event": _EVENTS_EN,
        "place": (
            "the office",
            "the station",
            "the airport",
            "the market",
            "the hospital",
            "college",
            "the bank",
            "the gym",
        ),
        "person": ("Mom", "Dad", "my boss", "my sister", "Rahul", "Priya", "Arjun", "Neha"),
        "name": ("Rahul", "Priya", "Arjun", "Neha", "Sourav", "Aditi"),
        "weekday": _WEEKDAYS_EN,
        "city": ("Delhi", "Mumbai", "Kolkata", "Jaipur", "Lucknow", "Patna", "Bhopal"),
        "city2": ("Chennai", "Pune", "Agra", "Kanpur", "Howrah", "Guwahati", "Bangalore"),
        "thing": ("phone", "laptop", "charger", "wallet", "passport", "ticket", "umbrella", "bag"),
        "food": ("tea", "coffee", "biryani", "pizza", "soup", "rice", "ice cream", "fruit"),
        "feeling": ("busy", "tired", "happy", "bored", "excited"),
    }
)


# (templates, slots) per language code.
PHRASEBOOK: Mapping[str, tuple[tuple[str, ...], Slots]] = MappingProxyType(
    {
        "en": (ENGLISH_TEMPLATES, ENGLISH_SLOTS),
        "hi": (HINDI_TEMPLATES, HINDI_SLOTS),
        "bn": (BENGALI_TEMPLATES, BENGALI_SLOTS),
        "hinglish": (HINGLISH_TEMPLATES, HINGLISH_SLOTS),
        "benglish": (BENGLISH_TEMPLATES, BENGLISH_SLOTS),
    }
)
