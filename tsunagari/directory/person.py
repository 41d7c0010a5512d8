"""Who is asking, and who a service is for: the navigator answers the person, not only the words.

Two halves that meet in ``fit_adjustment``:

* ``read_person(text)`` reads from a resident's text what they say about themselves or the person they
  write about: ages (「78歳」「七十代」「80代の母」 "I am 70"), school years (中学2年, 高校生), a pregnancy or a
  new baby, an adult child (「40代の息子」: the writer is a parent, likely 60–80s), the words of a later
  life stage (年金暮らし), a district of the city (names and readings taken from the District table),
  and the language (script, then py3langid among the languages residents of the city write).
* ``service_audiences(index)`` reads, once per index version, who each service is for: HSDS
  ``minimum_age``/``maximum_age`` when filled, otherwise the ages and audience words of
  ``eligibility_description`` (「65歳以上の方」「18歳未満の子ども」「生後1年未満の乳児」「小学生・中学生」); whether
  its audience is foreign residents; the languages it is offered in (HSDS languages).

A service whose ages exclude every person the text is about goes to the end of the answer; one offered
in the person's district comes before the same kind elsewhere; services for foreign residents, or in
the writer's language, come first for a foreign resident. The word lists are classes of wording
(data/life_stage_words.csv), never the names of services or of this city's districts.
"""

from __future__ import annotations

import csv
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tsunagari.text.analysis import fold_kana, normalize, reading

if TYPE_CHECKING:
    from .navigator import DirectoryIndex, Match

STAGE_WORDS_CSV = Path(__file__).parent / "data" / "life_stage_words.csv"
OLDEST = 120
# How much a fitting or unfitting service moves (navigator scores run from 0 to about 3).
OTHER_DISTRICT_PENALTY = 0.5  # a service limited to other districts comes after the same kind nearby
OWN_DISTRICT_BONUS = 0.15
FOREIGN_AUDIENCE_BONUS = 1.2  # 多言語相談, 日本語教室: the door to every other service for a newcomer
OWN_LANGUAGE_BONUS = 0.3
FAMILY_BONUS = 0.3
# Languages the city's residents write in, for telling Latin-script texts apart (py3langid codes).
LATIN_LANGUAGES = ["en", "vi", "pt", "tl", "es", "id", "fr", "de", "it", "nl"]
FIRST_ANSWERS = 5  # the answers a person sees first (the page's 「もっと見る」 holds the rest)
LIFE_STAGES = ("pregnancy", "baby", "child", "teen", "adult", "elderly", "parent", "parent_of_adult_child")


# --- who is asking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictName:
    pk: int
    name: str
    forms: tuple[str, ...]  # written forms (山手地区, 山手), readings (やまて) and the code (yamate)


@dataclass(frozen=True)
class About:
    """What the text says about the person the trouble concerns (and the writer)."""

    age: int | None = None  # the first age stated (a decade as its middle: 70代 → 75)
    life_stage: str | None = None  # one of LIFE_STAGES
    district: DistrictName | None = None
    language: str | None = None  # ja, ja-simple (hiragana, words spaced: やさしい日本語), en, vi, zh, ne, …
    foreign: bool = False  # a foreign resident (another language, or said so)
    ages: tuple[tuple[int, int], ...] = ()  # every age range the help may be about

    def as_json(self) -> dict[str, object]:
        return {
            "age": self.age,
            "life_stage": self.life_stage,
            "district": self.district.name if self.district else None,
            "language": self.language,
        }


_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_AGE_AFTER = r"を過ぎ|をすぎ|を超え|をこえ|過ぎ|すぎ|手前|目前|近く|になる|になった|になります|になりました"
_KANJI_NUMBER = re.compile(
    rf"[一二三四五六七八九十百〇]+(?=\s*(?:歳|才|岁|歲|代|年生|年|か月|ヶ月|カ月|{_AGE_AFTER}))"
)


def _kanji_to_int(word: str) -> int:
    total, current = 0, 0
    for ch in word:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + _KANJI_DIGITS[ch]
    return total + current


def _arabic(text: str) -> str:
    """Kanji numerals before an age word become digits (七十八歳 → 78歳, 中学二年 → 中学2年)."""
    return _KANJI_NUMBER.sub(lambda m: str(_kanji_to_int(m.group(0))), text)


KIN_CHILD = (
    r"息子|娘|子ども|子供|こども|長男|次男|三男|長女|次女|三女|\bsons?\b|\bdaughters?\b|\bchild\b|\bkids?\b"
)
KIN_ELDER = r"母|父|親|祖母|祖父|夫|妻|主人|姑|舅|義母|義父|おばあちゃん|おじいちゃん|\bmother\b|\bfather\b|\bhusband\b|\bwife\b"
# An age in the past (「10代の頃から」「20歳のときに」) says nothing about who is asking now.
_NOT_PAST = r"(?!\s*(?:の頃|のころ|の時|のとき|頃|ころ|から|以来|で結婚|で就職))"
# (pattern, how the match gives an age range)
_AGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), kind)
    for p, kind in (
        (r"(\d{1,2})0\s*(?:代|だい)" + _NOT_PAST, "decade"),
        (r"(?<![\d.,])(\d{1,3})\s*(?:歳|才|さい)(?!\s*(?:以上|未満|以下|まで|から|以降))" + _NOT_PAST, "age"),
        (r"\b(?:i am|i'm|im|i’m|aged?)\s+(\d{1,3})\b(?!\s*(?:yen|%|min|hour|day|week|month|kg|cm))", "age"),
        (r"\b(\d{1,3})[\s-]*(?:years?|yrs?)[\s-]*old\b", "age"),
        (r"\bin (?:my|her|his|their) (\d)0s\b", "decade"),
        (r"(?<=[\u3040-\u9fff])\s*\((\d{1,3})\)", "age"),
        (r"(\d{1,3})\s*(?:tuổi|anos\b|años\b|taong gulang|岁|歲|वर्ष|बर्ष)", "age"),
        (rf"(?<![\d.,])(\d{{2}})\s*(?:{_AGE_AFTER})", "age"),
        (r"(?:もうすぐ|もう|今年で|齢)\s*(\d{2})(?![\d年月日時分円万%])", "age"),
        (r"還暦", "60-60"),
        (r"古希|古稀", "70-70"),
        (r"喜寿", "77-77"),
        (r"傘寿", "80-80"),
        (r"米寿", "88-88"),
        (r"卒寿", "90-90"),
        (r"白寿", "99-99"),
        (r"アラサー", "28-33"),
        (r"アラフォー", "38-43"),
        (r"アラフィフ", "48-53"),
        (r"アラカン", "58-63"),
        (r"小学校?(\d)年", "grade6"),
        (r"(?<![\u4e00-\u9fff])小([1-6])(?!\d)", "grade6"),
        (r"中学校?(\d)年", "grade12"),
        (r"(?<![\u4e00-\u9fff])中([1-3])(?![\d])", "grade12"),
        (r"高校(\d)年", "grade15"),
        (r"(?<![\u4e00-\u9fff])高([1-3])(?!\d)", "grade15"),
        (r"小学生|しょうがくせい", "6-12"),
        (r"中学生|ちゅうがくせい", "12-15"),
        (r"高校生|こうこうせい|女子高生|男子高生", "15-18"),
        (r"大学(\d)年", "grade17"),
        (r"大学生|だいがくせい|専門学校生", "18-22"),
        (r"幼稚園|保育園|保育所|こども園", "3-6"),
    )
)


def _range(match: re.Match[str], kind: str) -> tuple[int, int, int]:
    """(low, high, the single age to show) for one age mention."""
    if kind == "decade":
        low = int(match.group(1)) * 10
        return low, low + 9, low + 5
    if kind == "age":
        n = int(match.group(1))
        return n, n, n
    if kind.startswith("grade"):
        n = int(kind.removeprefix("grade")) + int(match.group(1))
        return n, n + 1, n
    low, high = (int(x) for x in kind.split("-"))
    return low, high, (low + high) // 2


def _kin(text: str, start: int, end: int) -> str | None:
    """Whom an age mention belongs to: 'child' (息子), 'elder' (母), or None (the writer)."""
    after, before = text[end : end + 8], text[max(0, start - 8) : start]
    for kind, words in (("child", KIN_CHILD), ("elder", KIN_ELDER)):
        if re.match(rf"\s*(?:の|で|に|と|,)?\s*(?:{words})", after) or re.search(
            rf"(?:{words})\s*(?:は|が|も|\(|（|,|is|are)?\s*$", before
        ):
            return kind
    return None


@cache
def _stage_words() -> dict[str, re.Pattern[str]]:
    with STAGE_WORDS_CSV.open(encoding="utf-8", newline="") as fh:
        return {row["stage"]: re.compile(row["pattern"]) for row in csv.DictReader(fh)}


PARENT_WORDS = re.compile(
    r"子育て|育児|子ども|子供|こども|息子|娘|シングルマザー|シングルファーザー|母子家庭|父子家庭|ひとり親|"
    r"\bmy (?:son|daughter|child|kids?)\b|single (?:mother|father|parent)"
)

_SCRIPTS = {
    "kana": re.compile(r"[\u3040-\u30ff]"),
    "han": re.compile(r"[\u4e00-\u9fff]"),
    "hangul": re.compile(r"[\uac00-\ud7af]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
    "latin": re.compile(r"[a-zA-Z\u00c0-\u024f\u1e00-\u1eff]"),
}
_SPACED_KANA = re.compile(r"[\u3040-\u30ff]\s+[\u3040-\u30ff\u4e00-\u9fff]")


@cache
def _latin_identifier():  # type: ignore[no-untyped-def]
    """py3langid (langid.py's naive Bayes over byte n-grams, trained on 97 languages), limited to the
    languages residents write in: a small, well-kept model that needs no download."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LATIN_LANGUAGES)
    return identifier


def read_language(text: str) -> str | None:
    """The language a text is written in, by script first, by py3langid for Latin-script texts."""
    counts = {name: len(pattern.findall(text)) for name, pattern in _SCRIPTS.items()}
    if counts["kana"]:
        japanese = counts["kana"] + counts["han"]
        spaced = len(_SPACED_KANA.findall(text)) >= 2 and counts["han"] <= 0.2 * japanese
        kana_only = counts["han"] == 0 and counts["kana"] >= 8
        return "ja-simple" if spaced or kana_only else "ja"
    if counts["devanagari"]:
        return "ne"  # Nepali: the Devanagari language residents of Japanese cities most often write
    if counts["hangul"]:
        return "ko"
    if counts["han"] > counts["latin"]:
        return "zh"
    if counts["latin"] >= 3:
        language, _ = _latin_identifier().classify(text)
        return str(language)
    return None


def read_person(text: str, districts: tuple[DistrictName, ...] = ()) -> About:
    """What ``text`` says about who is asking (see the module docstring). Pure: nothing is kept."""
    plain = _arabic(normalize(text))
    words = _stage_words()
    stated: list[tuple[int, int]] = []  # ages the text gives (the writer's or a relative's)
    inferred: list[tuple[int, int]] = []  # ages the text implies (a child's parent, 年金暮らし)
    shown: int | None = None
    shown_at = 0
    adult_child = parent = False
    for pattern, kind in _AGE_PATTERNS:
        for match in pattern.finditer(plain):
            low, high, single = _range(match, kind)
            if high > OLDEST or (kind == "age" and single == 0):
                continue
            stated.append((low, high))
            if _kin(plain, match.start(), match.end()) == "child":  # the writer is a generation older
                parent = True
                inferred.append((low + 18, min(high + 45, OLDEST)))
                adult_child = adult_child or low >= 18
            if shown is None or match.start() < shown_at:
                shown, shown_at = single, match.start()
    pregnancy = bool(words["pregnancy"].search(plain))
    baby = bool(words["baby"].search(plain))
    elderly_words = bool(words["elderly"].search(plain))
    parent = parent or bool(PARENT_WORDS.search(plain)) or pregnancy or baby
    if pregnancy or baby:
        stated.append((0, 1))
    if elderly_words and not any(low >= 60 for low, _ in stated):
        inferred.append((65, OLDEST))  # an older person the text is about (the writer or a grandparent)
    if parent and not adult_child and stated and all(18 <= low < 60 for low, _ in stated):
        inferred.append((0, 17))  # a parent whose children's ages are not said

    stage: str | None = None
    if pregnancy:
        stage = "pregnancy"
    elif baby:
        stage = "baby"
    elif adult_child:
        stage = "parent_of_adult_child"
    elif any(low >= 65 for low, _ in stated) or (elderly_words and not stated):
        stage = "elderly"
    elif stated:
        youngest = min(low for low, _ in stated)
        if youngest < 12:
            stage = "child"
        elif youngest < 18:
            stage = "teen"
        else:
            stage = "parent" if parent else "adult"
    elif parent:
        stage = "parent"
    ranges = stated + inferred

    language = read_language(text)
    # やさしい日本語 with nothing else said about the writer is most often someone still learning Japanese.
    foreign = (
        bool(words["foreign"].search(plain))
        or (language is not None and not language.startswith("ja"))
        or (language == "ja-simple" and stage is None)
    )
    return About(
        age=shown,
        life_stage=stage,
        district=_find_district(plain, districts),
        language=language,
        foreign=foreign,
        ages=tuple(sorted(set(ranges))),
    )


_NOT_HAN = r"(?![\u4e00-\u9fff])"


def _find_district(plain: str, districts: tuple[DistrictName, ...]) -> DistrictName | None:
    kana = fold_kana(plain)
    best: tuple[int, DistrictName] | None = None
    for district in districts:
        for form in district.forms:
            if form.isascii():
                found = re.search(rf"\b{re.escape(form)}\b", plain)
            elif re.fullmatch(r"[\u3040-\u309f]+", form):  # a reading: stands as a word of its own
                found = re.search(
                    rf"(?:^|[\s、。])({re.escape(form)})(?:ちく|ちいき|に|で|の|\s|$|、|。)", kana
                )
            else:
                found = re.search(
                    rf"(?<![\u4e00-\u9fff]){re.escape(form)}(?:地区|地域|町|在住|{_NOT_HAN})", plain
                )
            if found and (best is None or found.start() < best[0]):
                best = (found.start(), district)
    return best[1] if best else None


_DISTRICT_SUFFIX = re.compile(r"(?:地区|地域)$")


def district_names() -> tuple[DistrictName, ...]:
    """Every district with the forms a resident may write it in (from the District table)."""
    from tsunagari.orgs.models import District

    names = []
    for pk, code, name in District.objects.values_list("pk", "code", "name"):
        stem = _DISTRICT_SUFFIX.sub("", name)
        forms = {name}
        if len(stem) >= 2:
            forms.add(stem)
            sound = reading(stem)
            if len(sound) >= 3 and sound != stem:
                forms.add(sound)
        if len(code) >= 4:
            forms.add(code.lower())
        names.append(DistrictName(pk, name, tuple(sorted(forms, key=len, reverse=True))))
    return tuple(names)


# --- who a service is for ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    ages: tuple[int, int] | None  # None: any age
    foreign: bool  # the service is for foreign residents
    family: bool = False  # families (その家族, 保護者) are named among those it serves


OPEN = re.compile(r"どなたでも|誰でも|だれでも|年齢不問|年齢[^。）)]{0,8}問わ")
_PAREN = re.compile(r"[（(][^（）()]*[）)]")
_CLAUSE_SPLIT = re.compile(r"[、,・/／\n。：:]|または|もしくは|又は|及び|および|ならびに|※|・")
PEOPLE = re.compile(
    r"方|者|人|世帯|家庭|女性|男性|母|父|親|夫婦|学生|生徒|児|子ども|子供|こども|若者|高齢|組合員|労働者|事業主|遺族|当事者"
)
# Companions of the main audience: 「その家族」, a clause ending in 保護者 or 支援者, 「子どもに関わる人」.
COMPANION = re.compile(
    r"^(?:その|これら|上記)|(?:家族|保護者|支援者|知人|友人|周りの大人|周囲の人|近所の方|関係者|父母|養育者)(?:等|など|の方|たち)?$"
    r"|に関わる|を養育|を監護|を扶養"
)
_WITH_COMPANION = re.compile(r"(?:と|や|及び)その[\u3040-\u30ff\u4e00-\u9fff]{1,8}$")
FOREIGN = re.compile(r"外国人|外国籍|在留外国|日本語を学|外国語")
_ELIGIBILITY_AGES: tuple[tuple[re.Pattern[str], object], ...] = tuple(
    (re.compile(p), value)
    for p, value in (
        (r"(\d+)\s*(?:歳)?\s*[〜~～\-－]\s*(\d+)\s*歳", "range"),
        (r"(\d+)\s*歳代まで", "decade_to"),
        (r"(\d+)\s*歳(?:以上|から|以降)", "from"),
        (r"(\d+)\s*歳未満", "under"),
        (r"(?<![〜~～\-－])(?<![〜~～\-－]\d)(?<![〜~～\-－]\d\d)(\d+)\s*歳(?:まで|以下)", "to"),
        (r"生後(\d+)\s*年未満", "under"),
        (r"(?:小学生|中学生|高校生)以上", "school_from"),
        (r"乳児|新生児|未熟児|産前|産後|妊婦|妊産婦|妊娠|出産", (0, 1)),
        (r"乳幼児|就学前|未就学", (0, 6)),
        (r"小学生", (6, 12)),
        (r"中学生", (12, 15)),
        (r"高校生", (15, 18)),
        (r"児童|子ども|子供|こども|子育て|養育|育児", "child"),
        (r"若者", (15, 39)),
        (r"高齢|老齢", (65, OLDEST)),
    )
)
_SCHOOL_FROM = {"小学生": 6, "中学生": 12, "高校生": 15}


def _ages_in(clause: str) -> list[tuple[int, int]]:
    """The age ranges a clause names; 「子ども」「児童」 alone count as under 18, unless a closer age is named
    (「就学前の子ども」 is 0–6)."""
    found: list[tuple[int, int]] = []
    child = False
    for pattern, value in _ELIGIBILITY_AGES:
        for match in pattern.finditer(clause):
            if value == "range":
                found.append((int(match.group(1)), int(match.group(2))))
            elif value == "decade_to":
                found.append((0, int(match.group(1)) + 9))
            elif value == "from":
                found.append((int(match.group(1)), OLDEST))
            elif value == "under":
                found.append((0, max(int(match.group(1)) - 1, 0)))
            elif value == "to":
                found.append((0, int(match.group(1))))
            elif value == "school_from":
                found.append((_SCHOOL_FROM[match.group(0)[:3]], OLDEST))
                clause = clause.replace(match.group(0), "")
            elif value == "child":
                child = True
            elif isinstance(value, tuple):
                found.append(value)
    if child and not found:
        found.append((0, 17))
    return found


def _union(ranges: list[tuple[int, int]]) -> tuple[int, int]:
    return min(low for low, _ in ranges), max(high for _, high in ranges)


def _name_ages(name: str) -> tuple[int, int] | None:
    ages = _ages_in(unicodedata.normalize("NFKC", name)) if name else []
    return _union(ages) if ages else None


def audience_of(
    eligibility: str, minimum_age: int | None, maximum_age: int | None, name: str = ""
) -> Audience:
    """Who a service is for, from its HSDS eligibility (the structured ages win over the text).

    The description is read clause by clause (「、」「・」「または」…): a clause naming people with an age
    (「65歳以上の方」「18歳未満の子ども」) limits the ages; one naming people without an age (「障がいのある方」)
    opens the service to every age; companions (「その家族」「保護者」「近所の方」) and conditions (「市内在住で」)
    neither limit nor open. Parenthesised notes only widen limits the main text sets. When the
    description names nobody (「自治体によって異なる」), the service's name is read for ages instead
    (「産前・産後サポート事業」「妊婦健診費用の助成」).
    """
    text = unicodedata.normalize("NFKC", eligibility or "")
    main = _PAREN.sub("", text)
    clauses = [_WITH_COMPANION.sub("", c.strip()) for c in _CLAUSE_SPLIT.split(main) if c.strip()]
    people = [c for c in clauses if PEOPLE.search(c) and not COMPANION.search(c)]
    foreign = bool(people) and all(FOREIGN.search(c) for c in people)
    family = bool(re.search(r"家族|保護者", text))
    if minimum_age is not None or maximum_age is not None:
        limit = (minimum_age or 0, maximum_age if maximum_age is not None else OLDEST)
        return Audience(limit, foreign, family)
    if OPEN.search(text):
        return Audience(None, foreign, family)
    limits: list[tuple[int, int]] = []
    for clause in clauses:
        ages = _ages_in(clause)
        if ages:
            limits.append(_union(ages))
        elif PEOPLE.search(clause) and not COMPANION.search(clause):
            return Audience(None, foreign, family)  # someone of any age qualifies
    if not limits:  # a description that names nobody (「自治体によって異なる」): the name may say
        return Audience(None if people else _name_ages(name), foreign, family)
    for note in _PAREN.findall(text):
        limits += _ages_in(note)
    return Audience(_union(limits), foreign, family)


_BRANCH = re.compile(r"（第\d+支所）$")  # the benchmark's synthetic copies share their original's audience


@dataclass
class Audiences:
    """Per index entry (same order): the age limits as arrays, for one vectorised check per question."""

    version: int
    low: np.ndarray
    high: np.ndarray
    foreign: np.ndarray  # bool
    family: np.ndarray  # bool
    languages: list[frozenset[str]]
    districts: tuple[DistrictName, ...]
    limited: np.ndarray  # bool: offered in some districts only
    district_matrix: dict[int, np.ndarray] = field(default_factory=dict)  # district pk → bool per entry


_lock = threading.Lock()
_audiences: Audiences | None = None


def service_audiences(index: DirectoryIndex) -> Audiences:
    """Who every indexed service is for, computed once per index version (not per question)."""
    global _audiences
    if _audiences is not None and _audiences.version == index.version:
        return _audiences
    with _lock:
        if _audiences is None or _audiences.version != index.version:
            _audiences = _build_audiences(index)
    return _audiences


def _build_audiences(index: DirectoryIndex) -> Audiences:
    from .models import Language, Service

    rows = {
        pk: (eligibility, low, high)
        for pk, eligibility, low, high in Service.objects.values_list(
            "pk", "eligibility_description", "minimum_age", "maximum_age"
        )
    }
    names = {entry.pk: entry.name for entry in index.entries}
    spoken: dict[object, set[str]] = {}
    for service_id, code in Language.objects.filter(service__isnull=False).values_list("service_id", "code"):
        spoken.setdefault(service_id, set()).add((code or "").lower())
    n = len(index.entries)
    low = np.zeros(n, dtype=np.int16)
    high = np.full(n, OLDEST, dtype=np.int16)
    foreign = np.zeros(n, dtype=bool)
    family = np.zeros(n, dtype=bool)
    languages: list[frozenset[str]] = []
    parsed: dict[tuple[str, int | None, int | None, str], Audience] = {}
    for i, entry in enumerate(index.entries):
        key = (*rows.get(entry.pk, ("", None, None)), _BRANCH.sub("", names[entry.pk]))
        if key not in parsed:
            parsed[key] = audience_of(*key)
        audience = parsed[key]
        if audience.ages is not None:
            low[i], high[i] = audience.ages
        foreign[i] = audience.foreign
        family[i] = audience.family
        languages.append(frozenset(spoken.get(entry.pk, set())))
    districts = district_names()
    matrix = {
        d.pk: np.fromiter((d.pk in e.districts for e in index.entries), dtype=bool, count=n)
        for d in districts
    }
    return Audiences(
        version=index.version,
        low=low,
        high=high,
        foreign=foreign,
        family=family,
        languages=languages,
        districts=districts,
        limited=np.fromiter(
            (0 < len(e.districts) < len(districts) for e in index.entries), dtype=bool, count=n
        ),
        district_matrix=matrix,
    )


def fit_adjustment(index: DirectoryIndex, about: About) -> tuple[np.ndarray, np.ndarray]:
    """(what to add to each service's score, which services do not fit this person).

    A service does not fit when its ages exclude everyone the text is about, or when it is for foreign
    residents and the writer is not one. Services limited to other districts step back, those in the
    writer's district step forward, and for a foreign resident services for foreign residents or in
    their language come first."""
    audiences = service_audiences(index)
    n = len(index.entries)
    adjust = np.zeros(n, dtype=np.float32)
    unfit = np.zeros(n, dtype=bool)
    if not n:
        return adjust, unfit
    if about.ages:
        fits = np.zeros(n, dtype=bool)
        for low, high in about.ages:
            fits |= (audiences.low <= high) & (audiences.high >= low)
        unfit |= ~fits
    if about.life_stage == "parent_of_adult_child":
        adjust[audiences.family] += FAMILY_BONUS  # the help is for the family as much as for the son
    if about.foreign:
        adjust[audiences.foreign] += FOREIGN_AUDIENCE_BONUS
        if about.language and not about.language.startswith("ja"):
            own = np.fromiter((about.language in langs for langs in audiences.languages), dtype=bool, count=n)
            adjust[own] += OWN_LANGUAGE_BONUS
    else:
        unfit |= audiences.foreign
    if about.district is not None and about.district.pk in audiences.district_matrix:
        here = audiences.district_matrix[about.district.pk]
        limited = audiences.limited
        adjust[limited & here] += OWN_DISTRICT_BONUS
        adjust[limited & ~here] -= OTHER_DISTRICT_PENALTY
    return adjust, unfit


def reasons_for(index: DirectoryIndex, about: About, i: int) -> tuple[str, ...]:
    """Why entry ``i`` suits this person, for the card's "why": ``foreign`` (for residents from
    abroad), ``language`` (offered in theirs), ``district:<name>`` (offered in their district),
    ``family`` (families are welcome, for the parent of an adult child)."""
    audiences = service_audiences(index)
    reasons = []
    if about.foreign and audiences.foreign[i]:
        reasons.append("foreign")
    if about.foreign and about.language and about.language in audiences.languages[i]:
        reasons.append("language")
    district = about.district
    if district is not None and audiences.limited[i] and audiences.district_matrix[district.pk][i]:
        reasons.append(f"district:{district.name}")
    if about.life_stage == "parent_of_adult_child" and audiences.family[i]:
        reasons.append("family")
    return tuple(reasons)


def known_districts(index: DirectoryIndex) -> tuple[DistrictName, ...]:
    return service_audiences(index).districts


def newcomers_first(index: DirectoryIndex, about: About, ordered: list[Match]) -> list[Match]:
    """For a foreign resident, the best service for foreign residents is among the first answers
    (third, after the two closest local services): it is the door to every other service."""
    if not about.foreign:
        return ordered
    flags = service_audiences(index).foreign
    position = index.position
    if any(flags[position[m.entry.pk]] for m in ordered[:FIRST_ANSWERS]):
        return ordered
    best = next((m for m in ordered if flags[position[m.entry.pk]]), None)
    if best is None:
        return ordered
    rest = [m for m in ordered if m is not best]
    return [*rest[:2], best, *rest[2:]]
