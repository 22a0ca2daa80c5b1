"""Condition text: does a problem-list phrase assert a condition, deny it, or only suspect it.

A NegEx-style reader, small on purpose. Decisions (clinical-rules §5.1):

* negated ("no eczema", "eczema ruled out", "negative for", "denies", "without", "non-infected")
  and family history ("family history of eczema", "FH: eczema", "mother has eczema") never
  count, and they overrule a code of the same set on the same Condition;
* uncertain ("? eczema", "possible", "suspected", "query", "r/o", "rule out") counts only for
  value sets that opt in (red flags: a suspected eczema herpeticum needs the same-day card);
* personal history ("history of eczema", "h/o", "PMH") counts: atopic dermatitis relapses for
  life, and a Condition that is really over is already inactive by its clinicalStatus;
* an exposure, a contact, an aftermath, an immunity, a vaccine or a screening is not the
  condition ("immunity to hepatitis B", "Hepatitis C screening"): "exposure to scabies",
  "scabies exposure", "scabies contact" (Z20.7-style contact codes), "post-scabies itch" and
  "s/p cellulitis" never count ("post" only as the word right before the term, "X contact"
  not when a dermatitis/allergy word follows: "nickel contact dermatitis" is a condition;
  "s/p knee replacement, eczema" keeps its eczema);
* a co-mention (value-set extension text-co-mention, read_pair below) names a condition by two
  terms in the same clause: "herpes simplex infection complicating atopic dermatitis" and
  "disseminated HSV on eczematous skin" are eczema herpeticum; the first term's cues decide;
* "AD" alone is not atopic dermatitis (Alzheimer disease, advance directive): the
  atopic-dermatitis set names only "AD flare" and "AD exacerbation" (Alzheimer disease does
  not flare); a bare "AD" on a dermatology-coded problem already counts by its code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import Enum

MAX_TEXT = 2000  # only the start of a free-text field is read; bounds the cost per call
WINDOW = 5  # words before a mention that a cue may stand in (NegEx uses five)


class Mention(Enum):
    """What a text says about a condition."""

    ABSENT = "absent"  # the text does not name it
    AFFIRMED = "affirmed"
    UNCERTAIN = "uncertain"
    NEGATED = "negated"  # denied, ruled out, or a relative's


# Abbreviations first, so the cue lists below only need words.
_ABBREVIATIONS = (
    (re.compile(r"\br\s*/\s*o\b"), " rule out "),
    (re.compile(r"\bh\s*/\s*o\b"), " history of "),
    (re.compile(r"\b(?:fhx|f/h|fh)\b"), " family history "),
    (re.compile(r"\bc\s*/\s*o\b"), " complains of "),
    (re.compile(r"\bs\s*/\s*p\b"), " status post "),
)
# Words that end a cue's reach (sentence breaks are handled by splitting first).
_SENTENCE = re.compile(r"[.;\n|]+|\b(?:but|however|although|though|except|apart from|aside from)\b")
_WORD = re.compile(r"[a-z0-9]+|\?")
# "no improvement in eczema" is eczema; NegEx calls these pseudo-negations.
_PSEUDO = re.compile(
    r"\b(?:no|not)\s+(?:improv\w*|better|change\w*|increase\w*|response|responding|"
    r"resolv\w*|controlled|well|settl\w*|clear\w*|cured|longer respond\w*|only)\b"
)
_RELATIVE = (
    r"(?:mother|father|mom|mum|dad|parents?|siblings?|brother|sister|twin|grandmother|"
    r"grandfather|grandparents?|aunt|uncle|cousin)"
)
# A relative who has it; "mother reports eczema flares" is still the patient's eczema.
_FAMILY = re.compile(
    r"\b(?:family history|family hx|maternal|paternal|" + _RELATIVE + r"\s+(?:has|had|with|w))\b"
)
_POST_FAMILY = re.compile(r"^\W*(?:in|of)\s+(?:his|her|the|a|patient s)?\s*" + _RELATIVE + r"\b")
_NEGATION = re.compile(
    r"\b(?:no|not|without|denies|denied|deny|negative for|neg for|free of|absence of|"
    r"never had|never|nil|ruled out|excluded|rules out|risk of|risk for|at risk|"
    r"screening for|screen for|prevention of|exposure to|exposed to|contact with|"
    r"immunity to|immune to|immuni[sz]ed against|vaccinated against|vaccinated for|"
    r"vaccination against|vaccination for|vaccine against|vaccine for)\b"
)
_UNCERTAIN = re.compile(
    r"(?:\?|\b(?:possible|possibly|probable|probably|suspected|suspect|suspicion of|"
    r"suspicious for|query|questionable|rule out|to rule out|differential|ddx|"
    r"consider|concern for|vs|versus)\b)"
)
# "negative" right after the term or its test ("TB screen negative", "HIV negative"), never
# across a comma or another finding ("eczema, patch test negative"; "herpeticum, HSV PCR ...").
_TEST = r"(?:screen\w*|test\w*|serology|surface|antigen|antibody|ag|ab|igra|quantiferon)"
_POST_NEGATION = re.compile(
    r"^(?:[^\w,]*(?:" + _TEST + r"[^\w,]+){0,3}negative|\W*(?:\w+\W+){0,2}?(?:ruled out|"
    r"excluded|unlikely|absent|not present|not confirmed|not found|denied|"
    r"(?<!not )(?<!un)resolved))\b"
)
# "immune" naming a phase or state of the infection, not immunity to it: chronic hepatitis B
# in its "immune-tolerant" / "immune-active" phase, HIV "immune reconstitution" syndrome.
_IMMUNE_STATE = (
    r"(?:toleran\w*|activ\w*|inactiv\w*|control\w*|clearance|escape|reconstitut\w*|"
    r"suppress\w*|compromis\w*|deficien\w*|dysregulat\w*|mediated|complex\w*|phase)"
)
# "scabies exposure", "scabies contact" (not "nickel contact dermatitis / allergy"); the
# immunity, vaccine or screening of an infection is not the infection ("Hepatitis B immune",
# "hepatitis B vaccination status", "Hepatitis C screening", unless it reads positive).
_POST_EXPOSURE = re.compile(
    r"^[^\w,]*(?:exposure|exposed|contact"
    r"(?!\W+(?:dermat\w*|eczema\w*|allerg\w*|urticaria|sensiti\w*))"
    r"|immun(?:e|ity)(?!\W+" + _IMMUNE_STATE + r")"
    # "immunisation history reviewed" is about the record, not immunity to the condition named
    r"|(?:immuni[sz]ation|vaccines?|vaccinations?)(?!\W+(?:history|record|review\w*))"
    r"|immuni[sz]ed|vaccinated"
    r"|screen(?:s|ed|ing)?(?![^,]*\b(?:positive|reactive|detected)\b))\b"
)
_POST_UNCERTAIN = re.compile(r"^\W*(?:\?|(?:\w+\W+){0,2}?(?:suspected|possible|query)\b)")


def fold(text: str) -> str:
    """Lower case, compatibility-folded, punctuation that joins words turned into spaces."""
    text = unicodedata.normalize("NFKD", text[:MAX_TEXT].casefold())
    # Accents dropped: "eczéma atopique" and "Ekzém" are spelled with and without them.
    text = unicodedata.normalize("NFKC", "".join(c for c in text if not unicodedata.combining(c)))
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    # Keep the marks the cues need ("?", sentence breaks); the rest only separates words.
    return re.sub(r"[^\w?.;\n|,]+|_", " ", text)


def compile_terms(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Word-start stems; words inside a term match across any run of spaces and commas."""
    parts = []
    for term in sorted({fold(t).strip() for t in terms if t.strip()}, key=len, reverse=True):
        parts.append(r"[\s,]+".join(re.escape(w) for w in term.split()))
    if not parts:
        return None
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(parts) + ")")


def read(
    text: str | None, terms: re.Pattern[str] | None, excluded: re.Pattern[str] | None
) -> Mention:
    """The strongest reading of the text: any affirmed mention wins, then uncertain, negated."""
    if not text or terms is None:
        return Mention.ABSENT
    folded = fold(text)
    found = Mention.ABSENT
    for sentence in _sentences(folded):
        for match in terms.finditer(sentence):
            if excluded is not None and _inside(excluded, sentence, match.start(), match.end()):
                continue
            mention = _judge(sentence[: match.start()], sentence[match.end() :])
            if mention is Mention.AFFIRMED:
                return mention
            found = _stronger(found, mention)
    return found


def read_pair(
    text: str | None,
    first: re.Pattern[str],
    second: re.Pattern[str],
    excluded: re.Pattern[str] | None,
) -> Mention:
    """How the text speaks of a condition named by a `first` term with a `second` term in the
    same clause (between commas): the first term's cues decide, as in read()."""
    if not text:
        return Mention.ABSENT
    found = Mention.ABSENT
    for sentence in _sentences(fold(text)):
        offset = 0
        for clause in sentence.split(","):
            if second.search(clause) is not None:
                for match in first.finditer(clause):
                    start, end = offset + match.start(), offset + match.end()
                    if excluded is not None and _inside(excluded, sentence, start, end):
                        continue
                    mention = _judge(sentence[:start], sentence[end:])
                    if mention is Mention.AFFIRMED:
                        return mention
                    found = _stronger(found, mention)
            offset += len(clause) + 1
    return found


def strongest(readings: Iterable[Mention]) -> Mention:
    """The strongest of several readings (affirmed, uncertain, negated, absent)."""
    found = Mention.ABSENT
    for mention in readings:
        found = _stronger(found, mention)
    return found


def _sentences(folded: str) -> list[str]:
    return [s for s in _SENTENCE.split(folded) if s and not s.isspace()]


def _inside(excluded: re.Pattern[str], sentence: str, start: int, end: int) -> bool:
    """The mention is part of a longer excluded term ("seborrhoeic eczema" for set A)."""
    return any(m.start() <= start and end <= m.end() for m in excluded.finditer(sentence))


def _judge(before: str, after: str) -> Mention:
    # A comma ends a cue's reach: "asthma, no exacerbation, eczema" still has eczema.
    before = _PSEUDO.sub(" ", before.rsplit(",", 1)[-1])
    words = _WORD.findall(before)
    window = " ".join(words[-WINDOW:])
    if _FAMILY.search(window) or _POST_FAMILY.search(after):
        return Mention.NEGATED
    if words and words[-1] in ("non", "post"):  # "non-infected eczema", "post-scabies itch"
        return Mention.NEGATED
    if _POST_EXPOSURE.search(after):
        return Mention.NEGATED
    if _NEGATION.search(window) or _POST_NEGATION.search(after):
        return Mention.NEGATED
    if _UNCERTAIN.search(window) or _POST_UNCERTAIN.search(after):
        return Mention.UNCERTAIN
    return Mention.AFFIRMED


_RANK = {Mention.ABSENT: 0, Mention.NEGATED: 1, Mention.UNCERTAIN: 2, Mention.AFFIRMED: 3}


def _stronger(a: Mention, b: Mention) -> Mention:
    return a if _RANK[a] >= _RANK[b] else b
