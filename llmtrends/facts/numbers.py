"""Numbers in text: every number a sentence writes, where it is, and the values it can mean.

Two checks read documents through this module: a row's value must be readable
in its quote (:func:`reads_as`, used by :mod:`llmtrends.facts.rows`), and every
number written with digits in a document is a row's value or declared
(:mod:`llmtrends.facts.coverage`). The notations read (data/README.md,
"Numbers in the documents"):

- digits, ASCII or full-width, with ``,`` grouping in threes and ``.`` decimals
  (``1,234.5``, ``１２３``); a magnitude after them: 万/萬, 亿/億, 万亿/萬億, 千,
  百万 ..., thousand, million, billion, trillion, quadrillion, K/M/B/T (bn, mn);
  in a range ("500–600 million", "17至18亿") the first end also takes the second
  end's magnitude; a percent sign or word does not change the number;
- fractions: ``1/3``, 三分之一, 百分之三十, "a third", "two-thirds", "half",
  一半, 半数, "one in five", "1 in 5", 三成 / 3成: the fraction and its percentage;
- numerals in words: Chinese (三, 十二, 两, 四十五亿, 百万) and English ("nine",
  "twenty-five", "two million", "a trillion", "half a trillion");
- multiples in words: 翻倍 / 翻番 / "doubled" / "twice" 2, 翻两番 4, "tripled" 3,
  "quadrupled" 4, "N-fold" N, "halved" 0.5;
- ordinals, the only notation of a rank: 第三 / 第3, 首位 / 居首, "third",
  "3rd", "No. 3", "#3".

A sign is read from words ("fell 1.5%"), so values compare without it.

Examples
--------
>>> [(n.text, n.values) for n in find_numbers("revenue reached 450 萬美元, up 32%")]
[('450 萬', (4500000.0,)), ('32%', (32.0,))]
>>> reads_as(4.5, "usd_million", "年化收入达 450 萬美元")
True
>>> reads_as(45, "usd_million", "年化收入达 450 萬美元")
False
>>> reads_as(33.333333, "percent", "OSS 稳步增长，到 2025 年末约占三分之一")
True
>>> reads_as(2, "multiple", "亚洲份额由≈13% 翻倍至≈31%")
True
>>> reads_as(3, "rank", "谷歌年中市场份额已达20%，位居第三"), reads_as(3, "rank", "3 vendors")
(True, False)
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

__all__ = ["Number", "find_numbers", "digit_numbers", "reads_as", "unit_scale", "describe"]


@dataclass(frozen=True)
class Number:
    """One number of a text.

    ``start``/``end`` span it as written (with its magnitude or percent sign),
    ``core`` spans the digits or words that carry it; ``values`` are what it
    can mean as a plain quantity (``"450 萬"`` -> 4,500,000; ``"1/3"`` -> 1/3
    and 33.3...); ``kind`` is ``digits`` (written with digits), ``words`` or
    ``ordinal`` (a position: 第三, "3rd").
    """

    start: int
    end: int
    text: str
    values: tuple[float, ...]
    kind: str
    core: tuple[int, int]


# --------------------------------------------------------------------------- vocabulary

_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．％", "0123456789,.%")
_D = "[0-9０-９]"
_DIGITS = re.compile(rf"{_D}{{1,3}}(?:,{_D}{{3}})+(?!{_D})(?:[.．]{_D}+)?|{_D}+(?:[.．]{_D}+)?")
_CJK_MAGNITUDE = {"万亿": 1e12, "萬億": 1e12, "兆": 1e12, "千亿": 1e11, "千億": 1e11, "百亿": 1e10, "百億": 1e10,
                  "十亿": 1e9, "十億": 1e9, "亿": 1e8, "億": 1e8, "千万": 1e7, "千萬": 1e7, "百万": 1e6,
                  "百萬": 1e6, "十万": 1e5, "十萬": 1e5, "万": 1e4, "萬": 1e4, "千": 1e3}
_EN_MAGNITUDE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "quadrillion": 1e15,
                 "mn": 1e6, "mln": 1e6, "bn": 1e9, "tn": 1e12}
_LETTER_MAGNITUDE = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
_SUFFIX = re.compile(
    "(?P<space> ?)(?:(?P<cjk>" + "|".join(sorted(_CJK_MAGNITUDE, key=len, reverse=True)) + ")"
    r"|(?P<en>(?i:thousand|million|billion|trillion|quadrillion|mln|mn|bn|tn))(?![A-Za-z])"
    r"|(?P<letter>[kKMBT])(?![A-Za-z0-9])"
    r"|(?P<percent>%|％|(?i:per ?cent)(?![A-Za-z])|个百分点|個百分點)"
    r"|(?P<cheng>成)(?!为|為|本|长|長|立|功|熟|果|员|員))")
_RANGE_GAP = re.compile(r"\s*(?:-|–|—|~|～|〜|至|到|to|and|or)\s*[$¥€£]?\s*", re.I)
_IN = re.compile(r"\s+(?:in|out of)\s+", re.I)

_EN_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_EN_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_EN_ORDINALS = {w: i for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(), 1)}
_DENOMINATORS = {"half": 2, "halve": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6,
                 "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_UNIT_WORD = "|".join(sorted(_EN_UNITS, key=len, reverse=True))
_TENS_WORD = "|".join(_EN_TENS)
_EN_CARDINAL = rf"(?:(?:{_TENS_WORD})(?:[- ](?:{_UNIT_WORD}))?|{_UNIT_WORD}|a)"
_EN_NUMBER = re.compile(
    rf"\b(?:(?P<half>half) an? (?P<halfmag>thousand|million|billion|trillion|quadrillion)|"
    rf"(?P<n>{_EN_CARDINAL}(?: hundred(?: (?:and )?{_EN_CARDINAL})?)?|dozen|hundred)"
    rf"(?: (?P<mag>thousand|million|billion|trillion|quadrillion))?)\b", re.I)
_EN_FRACTION = re.compile(r"\b(?P<den>half|halves|thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|eighths?|"
                          r"ninths?|tenths?)\b", re.I)
_EN_NUMERATOR = re.compile(rf"\b(?P<num>{_UNIT_WORD}|an?)[- ]$", re.I)  # the word before a denominator
_EN_SPAN = re.compile(r".*", re.S)
_LATIN_WORD = re.compile("[A-Za-z]+")
_EN_IN = re.compile(rf"\b(?P<num>{_UNIT_WORD})(?: in | out of )(?P<den>{_UNIT_WORD}|{_TENS_WORD})\b", re.I)
_EN_MULTIPLE = re.compile(
    r"\b(?:(?P<two>doubl(?:e|ed|es|ing)|twice|two-?fold)|(?P<three>tripl(?:e|ed|es|ing)|trebl(?:e|ed)|three-?fold)"
    r"|(?P<four>quadrupl(?:e|ed|es|ing)|four-?fold)|(?P<five>quintupl(?:e|ed|es|ing)|five-?fold)"
    r"|(?P<half>halv(?:ed|es|ing)))\b|(?P<nfold>[0-9]+(?:\.[0-9]+)?)-fold\b", re.I)
_EN_ORDINAL = re.compile(
    r"\b(?P<word>" + "|".join(_EN_ORDINALS) + r")\b(?! (?:time|half|quarter)s?\b)"
    r"|\b(?P<digits>[0-9]+)(?:st|nd|rd|th)\b|(?:\bNo\. ?|#)(?P<no>[0-9]+)\b", re.I)

#: every word that can start or carry an English number: a text with none of them has no number in words
_EN_VOCABULARY = frozenset(
    list(_EN_UNITS) + list(_EN_TENS) + list(_EN_ORDINALS) + list(_EN_MAGNITUDE)
    + [d + "s" for d in _DENOMINATORS] + list(_DENOMINATORS)
    + "hundred dozen halves twice twofold threefold fourfold fivefold fold treble trebled".split()
    + [stem + end for stem in ("doubl", "tripl", "quadrupl", "quintupl") for end in ("e", "ed", "es", "ing")]
    + ["halved", "halving"])

#: every English ordinal ends so (first, second, third, fourth, 3rd ...) or is written No. 3 / #3
_EN_ORDINAL_HINT = re.compile(r"(?i:st|nd|rd|th)\b|#|No\.")
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_LARGE = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8, "兆": 1e12}
_CN_CHARS = "".join(_CN_DIGIT) + "".join(_CN_SMALL) + "".join(_CN_LARGE)
_CN_NUMERAL = f"[{_CN_CHARS}]+"
_CN_RUN = re.compile(_CN_NUMERAL)
_ANY_CN = re.compile(f"[{_CN_CHARS}半翻第首]")
_DIGIT_CHARS = set("0123456789０１２３４５６７８９")
_CN_FRACTION = re.compile(rf"(?P<den>{_CN_NUMERAL}|{_D}+)分之(?P<num>{_CN_NUMERAL}|{_D}+(?:[.．]{_D}+)?)")
_CN_CHENG = re.compile(rf"(?P<n>[{''.join(_CN_DIGIT)}十])成(?!为|為|本|长|長|立|功|熟|果|员|員)")
_CN_HALF = re.compile(r"一半|半数|半數|过半|過半|减半|減半|半壁")
_CN_MULTIPLE = re.compile(r"(?P<four>翻了?两番|翻了?兩番)|(?P<two>翻倍|翻了?一番|翻番|加倍)")
_CN_ORDINAL = re.compile(rf"第\s*(?P<n>{_CN_NUMERAL}|{_D}+)|(?P<first>首位|居首)")


# --------------------------------------------------------------------------- reading numerals

def _float(digits: str) -> float:
    """``'1,234.5'`` (ASCII or full-width) -> 1234.5."""
    return float(digits.translate(_FULL_WIDTH).replace(",", ""))


def chinese_numeral(text: str) -> float | None:
    """The value of a run of Chinese numerals, or ``None`` when it is not one.

    Examples
    --------
    >>> [chinese_numeral(t) for t in ("三", "十二", "二十", "四十五亿", "两千", "百万", "一百零五", "二〇二五", "万亿")]
    [3.0, 12.0, 20.0, 4500000000.0, 2000.0, 1000000.0, 105.0, 2025.0, 1000000000000.0]
    """
    if not text or any(ch not in _CN_CHARS for ch in text):
        return None
    if len(text) > 1 and all(ch in _CN_DIGIT for ch in text):  # read digit by digit: 二〇二五
        return float("".join(str(_CN_DIGIT[ch]) for ch in text))
    total, wan, section, digit = 0.0, 0.0, 0.0, None
    for ch in text:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        elif _CN_LARGE[ch] == 1e4:  # 万 scales what stands before it since the last 亿
            wan = (wan + (section + (digit or 0) or 1)) * 1e4
            section, digit = 0.0, None
        else:  # 亿, 兆 scale everything before them (万亿 = 1e12)
            total = (total + wan + section + (digit or 0) or 1) * _CN_LARGE[ch]
            wan, section, digit = 0.0, 0.0, None
    return total + wan + section + (digit or 0)


def _cardinal(words: str) -> float | None:
    """English number words -> value (``"twenty-five"`` -> 25, ``"a"`` -> 1, ``"two hundred and five"``)."""
    total = 0.0
    for token in re.split(r"[\s-]+", words.lower()):
        if token == "and":
            continue
        if token in ("a", "an"):
            total += 1
        elif token == "dozen":
            total = (total or 1) * 12
        elif token == "hundred":
            total = (total or 1) * 100
        elif token in _EN_UNITS:
            total += _EN_UNITS[token]
        elif token in _EN_TENS:
            total += _EN_TENS[token]
        else:
            return None
    return total


def _fraction(num: float, den: float) -> tuple[float, ...]:
    return (num / den, 100 * num / den) if den else ()


# --------------------------------------------------------------------------- numbers with digits

def digit_numbers(text: str) -> list[Number]:
    """Every number written with digits, with its magnitude, fraction or percent sign.

    A fraction of whole numbers (``2/3``, ``1 in 5``) is one number; a range's
    first end takes the magnitude of its second end as a second reading.

    Examples
    --------
    >>> [(n.text, [round(v, 4) for v in n.values]) for n in digit_numbers("从 17亿至18亿, >2/3 of 1,500; 500–600 million")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('17亿', [1700000000.0]), ('18亿', [1800000000.0]), ('2/3', [0.6667, 66.6667]), ('1,500', [1500.0]),
     ('500', [500.0, 500000000.0]), ('600 million', [600000000.0])]
    >>> [n.text for n in digit_numbers("GPT-5.4/5.5 grew 3成, 34.4%1 and 1.5K")]
    ['5.4', '5.5', '3成', '34.4%', '1', '1.5K']
    """
    raw = []
    for m in _DIGITS.finditer(text):
        value = _float(m.group())
        end, magnitude, percent, values = m.end(), None, False, None
        suffix = _SUFFIX.match(text, end)
        if suffix and not (suffix.group("space") and (suffix.group("letter") or suffix.group("cheng"))):
            end = suffix.end()
            if suffix.group("cjk"):
                magnitude = _CJK_MAGNITUDE[suffix.group("cjk")]
            elif suffix.group("en"):
                magnitude = _EN_MAGNITUDE[suffix.group("en").lower()]
            elif suffix.group("letter"):
                magnitude = _LETTER_MAGNITUDE[suffix.group("letter")]
            elif suffix.group("cheng"):
                values = _fraction(value, 10)
            else:
                percent = True
        if values is None:
            values = (value * (magnitude or 1),)
        raw.append([m.start(), end, values, magnitude, percent, m.span()])
    out: list[Number] = []
    i = 0
    while i < len(raw):
        start, end, values, magnitude, percent, core = raw[i]
        nxt = raw[i + 1] if i + 1 < len(raw) else None
        if nxt is not None and magnitude is None and not percent:
            gap = text[end:nxt[0]]
            whole = float(values[0]).is_integer() and float(nxt[2][0]).is_integer() and nxt[3] is None
            if whole and (gap == "/" or _IN.fullmatch(gap)) and 0 < values[0] < nxt[2][0] and not nxt[4]:
                out.append(Number(start, nxt[1], text[start:nxt[1]], _fraction(values[0], nxt[2][0]), "digits",
                                  (start, nxt[5][1])))
                i += 2
                continue
            if nxt[3] is not None and _RANGE_GAP.fullmatch(gap) and len(values) == 1:
                values = (values[0], values[0] * nxt[3])
        out.append(Number(start, end, text[start:end], tuple(values), "digits", tuple(core)))
        i += 1
    return out


# --------------------------------------------------------------------------- numbers in words

def _word_numbers(text: str) -> list[Number]:
    """Numbers written in words (English and Chinese), fractions and multiples in words."""
    out: list[Number] = []

    def add(m: re.Match, values, kind: str = "words") -> None:
        out.append(Number(m.start(), m.end(), m.group(), tuple(float(v) for v in values), kind, m.span()))

    if not _EN_VOCABULARY.isdisjoint(w.lower() for w in _LATIN_WORD.findall(text)):
        _english(text, add)
    if _ANY_CN.search(text):
        _chinese(text, add)
    return out


def _english(text: str, add) -> None:
    for m in _EN_NUMBER.finditer(text):
        if m.group("half"):
            add(m, (_EN_MAGNITUDE[m.group("halfmag").lower()] / 2,))
            continue
        n = _cardinal(m.group("n"))
        if n is None or (m.group("n").lower() in ("a", "an") and not m.group("mag")):
            continue
        add(m, (n * (_EN_MAGNITUDE[m.group("mag").lower()] if m.group("mag") else 1),))
    for m in _EN_FRACTION.finditer(text):
        word = m.group("den").lower()
        den = _DENOMINATORS["half" if word == "halves" else word.rstrip("s")]
        before = _EN_NUMERATOR.search(text, max(0, m.start() - 12), m.start())
        if before is None and den != 2:
            continue  # "third" alone is an ordinal, "half" alone a fraction
        num = before.group("num").lower() if before else "a"
        start = before.start() if before else m.start()
        out = _EN_SPAN.match(text, start, m.end())
        add(out, _fraction(1 if num in ("a", "an") else _EN_UNITS[num], den))
    for m in _EN_IN.finditer(text):
        num = _EN_UNITS[m.group("num").lower()]
        den = _cardinal(m.group("den"))
        if den and num < den:
            add(m, _fraction(num, den))
    for m in _EN_MULTIPLE.finditer(text):
        if m.group("nfold"):
            add(m, (float(m.group("nfold")),))
        else:
            add(m, {"two": (2,), "three": (3,), "four": (4,), "five": (5,), "half": (0.5,)}[m.lastgroup])


def _chinese(text: str, add) -> None:
    for m in _CN_RUN.finditer(text):
        if m.start() and text[m.start() - 1] in _DIGIT_CHARS:
            continue  # 17亿: the magnitude of a digit number
        value = chinese_numeral(m.group())
        if value is not None:
            add(m, (value,))
    for m in _CN_FRACTION.finditer(text):
        den, num = (chinese_numeral(g) if g[0] in _CN_CHARS else _float(g) for g in (m.group("den"), m.group("num")))
        if den and num is not None:
            add(m, _fraction(num, den))
    for m in _CN_CHENG.finditer(text):
        add(m, _fraction(chinese_numeral(m.group("n")) or 0, 10))
    for m in _CN_HALF.finditer(text):
        add(m, _fraction(1, 2))
    for m in _CN_MULTIPLE.finditer(text):
        add(m, (4,) if m.group("four") else (2,))


def _ordinals(text: str, fractions: list[Number]) -> list[Number]:
    """Positions: 第三 / 第3, 首位, "third" (not inside "a third"), "3rd", "No. 3", "#3"."""
    out: list[Number] = []
    taken = [(f.start, f.end) for f in fractions]
    for m in _CN_ORDINAL.finditer(text):
        n = m.group("n")
        value = 1.0 if m.group("first") else (chinese_numeral(n) if n[0] in _CN_CHARS else _float(n))
        if value is not None:
            out.append(Number(m.start(), m.end(), m.group(), (value,), "ordinal", m.span()))
    for m in _EN_ORDINAL.finditer(text) if _EN_ORDINAL_HINT.search(text) else ():
        if any(a <= m.start() < b for a, b in taken):
            continue
        value = _EN_ORDINALS[m.group("word").lower()] if m.group("word") else int(m.group("digits") or m.group("no"))
        out.append(Number(m.start(), m.end(), m.group(), (float(value),), "ordinal", m.span()))
    return out


def find_numbers(text: str) -> list[Number]:
    """Every number of ``text`` in every notation this module reads, in the order of the text.

    Readings may overlap ("one in five" is 1, 5 and one fifth); a row's value
    is readable when any of them means it.

    Examples
    --------
    >>> [(n.text, n.kind, n.values) for n in find_numbers("nearly one in five rely on it; Google ranks third")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('one in five', 'words', (0.2, 20.0)), ('one', 'words', (1.0,)), ('five', 'words', (5.0,)),
     ('third', 'ordinal', (3.0,))]
    >>> [(n.text, [round(v, 4) for v in n.values]) for n in find_numbers("models hold a third; 超过三成; 翻倍")]
    [('a third', [0.3333, 33.3333]), ('三成', [0.3, 30.0]), ('三', [3.0]), ('翻倍', [2.0])]
    """
    digits = digit_numbers(text)
    spans = [(d.start, d.end) for d in digits]
    words = [w for w in _word_numbers(text) if not any(a <= w.start and w.end <= b for a, b in spans)]
    found = digits + words + _ordinals(text, [w for w in words if len(w.values) == 2])
    return sorted(found, key=lambda n: (n.start, -n.end, n.kind))


# --------------------------------------------------------------------------- a value and its quote

def unit_scale(unit: str) -> float:
    """How many plain units one unit of ``unit`` is: ``usd_billion`` -> 1e9, ``percent`` -> 1.

    Examples
    --------
    >>> unit_scale("usd_billion"), unit_scale("count_thousand"), unit_scale("usd_per_million_tokens")
    (1000000000.0, 1000.0, 1.0)
    """
    for suffix, scale in (("_thousand", 1e3), ("_million", 1e6), ("_billion", 1e9), ("_trillion", 1e12)):
        if unit.endswith(suffix):
            return scale
    return 1.0


def means(number: Number, value: float, unit: str) -> bool:
    """Whether ``number`` can mean ``value`` in ``unit`` (a rank only by an ordinal, an ordinal only a rank)."""
    if (unit == "rank") != (number.kind == "ordinal"):
        return False
    target = abs(value) * unit_scale(unit)
    return any(math.isclose(abs(v), target, rel_tol=1e-6, abs_tol=1e-9) for v in number.values)


@functools.lru_cache(maxsize=8192)
def _readings(text: str) -> tuple[Number, ...]:
    """:func:`find_numbers` of a quote, kept: relays repeat quotes, and a load reads each row's quote."""
    return tuple(find_numbers(text))


def reads_as(value: float, unit: str, text: str) -> bool:
    """Whether ``text`` states ``value`` (in ``unit``) in one of the notations of this module."""
    return any(means(n, value, unit) for n in _readings(text))


def describe(text: str, unit: str, limit: int = 8) -> str:
    """What ``text`` holds, for an error message: each number as written and what it means in ``unit``.

    Examples
    --------
    >>> describe("企業API支出從2024年的35億美元成長至84億美元", "usd_billion")
    "'2024' (2.024e-06 usd_billion), '35億' (3.5 usd_billion), '84億' (8.4 usd_billion)"
    >>> describe("Anthropic leads in spend with 61%", "rank")
    'no ordinal (第三, 首位, third, 3rd, No. 3: the notations of a rank)'
    """
    scale = unit_scale(unit)
    shown = [n for n in _readings(text) if (unit == "rank") == (n.kind == "ordinal")]
    if not shown and unit == "rank":
        return "no ordinal (第三, 首位, third, 3rd, No. 3: the notations of a rank)"
    if not shown:
        return "no number in any notation read (digits, 万/亿, fractions, number words, multiples in words)"
    parts = [f"{n.text!r} (" + " or ".join(f"{v / scale:.6g}" for v in dict.fromkeys(n.values)) + f" {unit})"
             for n in shown[:limit]]
    more = f", ... ({len(shown)} in all)" if len(shown) > limit else ""
    return ", ".join(parts) + more
