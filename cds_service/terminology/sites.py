"""Body-site categories from SNOMED site codes and from free-text instructions.

Codes: clinical-rules.md §2.3 (DICOM CID 4029 and related, all V). Text: word-boundary phrases,
with negation ("avoid face", "except groin", "keep away from eyes") so a site the prescriber
excluded is never reported. Patterns are simple alternations (no nested quantifiers) and only
the first 2,000 characters are scanned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .drugtext import normalise_text
from .model import SNOMED, normalise_system

SITE_CATEGORIES = (
    "face", "eyelid", "neck", "axilla", "groin", "genital", "perineum", "skin-fold", "nappy",
    "scalp", "hand", "foot", "trunk", "upper-limb", "lower-limb", "head", "skin",
)  # fmt: skip

# Eyelid codes map to "eyelid" only; rules test SENSITIVE_SITES, so nothing else is implied.
# Breast skin (82038008) is listed near the folds in §2.3 but is not itself a fold: trunk.
# "Skin folds" are intertriginous skin only (clinical-rules §5.2): the antecubital and popliteal
# fossae, AD's typical flexures, are limb skin where a potent steroid is appropriate.
SNOMED_SITES: dict[str, str] = {
    **dict.fromkeys(["89545001", "73897004", "110488009"], "face"),
    **dict.fromkeys(
        ["80243003", "38934000", "62736007", "371398005", "41310005", "40069000", "362916000"],
        "eyelid",
    ),
    **dict.fromkeys(["45048000", "43081002", "11584001", "5272005"], "neck"),
    **dict.fromkeys(["91470000", "76261009"], "axilla"),
    **dict.fromkeys(["26893007", "39687006", "280387007"], "groin"),
    **dict.fromkeys(["38864007", "48014002", "59112000"], "perineum"),
    **dict.fromkeys(["71934003", "45292006", "60944009", "35900000", "81992007"], "genital"),
    "63029009": "skin-fold",  # gluteal fold skin
    **dict.fromkeys(["41695006", "43067004"], "scalp"),
    **dict.fromkeys(["85562004", "33712006", "70887009", "244169007"], "hand"),
    "56459004": "foot",
    **dict.fromkeys(["22943007", "181491009", "82038008"], "trunk"),
    "69536005": "head",
    **dict.fromkeys(["53120007", "371311000", "17957002"], "upper-limb"),  # + antecubital fossa
    **dict.fromkeys(["61685007", "371304004", "32361000", "84507004"], "lower-limb"),  # + popliteal
    "39937001": "skin",
}

# (category, phrase regex). Specific phrases come first: at one position the first alternative
# wins, so "back of the hand" is a hand and "abdominal folds" a fold, not the trunk. A bare
# "flexures" names no site: in eczema it usually means the elbow and knee creases.
_THE = r"(?:the |your |his |her |both )?"
_PHRASES: tuple[tuple[str, str], ...] = (
    # Limb flexures first, so "behind the knees" is not read as a fold or as the knee alone.
    ("lower-limb", r"(?:behind|back of) " + _THE + r"knees?|popliteal(?: fossae?)?"),
    ("upper-limb", r"(?:inner |bend of " + _THE + r")elbows?|elbow (?:creases?|folds?|flexures?)"),
    ("upper-limb", r"antecubital(?: fossae?)?"),
    ("lower-limb", r"knee (?:creases?|folds?|flexures?)"),
    ("nappy", r"nappy(?: area| rash)?|diaper(?: area| rash)?"),
    (
        "skin-fold",
        r"skin ?folds?|intertrig\w*|inframammary|under "
        + _THE
        + r"breasts?|gluteal (?:folds?|cleft)|natal cleft|buttock (?:creases?|cleft)"
        r"|abdominal (?:skin )?folds?",
    ),
    ("hand", r"back of " + _THE + r"hands?|hands?|palms?|fingers?|fingertips?|knuckles?|thumbs?"),
    ("neck", r"back of " + _THE + r"neck|neck"),
    (
        "eyelid",
        r"eyelids?|eye ?lids?|periorbital|periocular|around "
        + _THE
        + r"eyes?|eye area|under "
        + _THE
        + r"eyes?",
    ),
    ("face", r"face|facial|cheeks?|forehead|chin|perioral|around " + _THE + r"mouth|nose"),
    ("axilla", r"axillae?|axillary|armpits?|underarms?"),
    ("groin", r"groin|inguinal"),
    ("genital", r"genitals?|genitalia|vulva[rl]?|penis|penile|scrotum|scrotal|labia"),
    ("perineum", r"perine(?:um|al)|perianal"),
    ("scalp", r"scalp|hairline"),
    ("foot", r"foot|feet|soles?|toes?|heels?"),
    (
        "trunk",
        r"trunk|chest|abdomen|abdominal|torso|(?:upper |lower |mid )back"
        r"|(?:to |on )" + _THE + r"back(?! of)",
    ),
    ("upper-limb", r"forearms?|arms?|elbows?|wrists?|upper limbs?|upper extremit(?:y|ies)"),
    (
        "lower-limb",
        r"legs?|thighs?|shins?|calf|calves|knees?|ankles?|lower limbs?|lower extremit\w*",
    ),
    ("head", r"head|ears?"),
)
_SITE_RE = re.compile("|".join(f"(?P<g{i}>\\b(?:{p})\\b)" for i, (_, p) in enumerate(_PHRASES)))
_GROUP_SITE = {f"g{i}": category for i, (category, _) in enumerate(_PHRASES)}

# Quantity phrases contain "no"/"not" but do not exclude a site ("not more than 2 weeks on face").
# Hand-washing boilerplate names the hands but is not an application site.
_QUANTITY_RE = re.compile(
    r"\b(?:no|not) (?:more|longer) than\b|\bnot to exceed\b|\bnot exceeding\b"
    r"|\bwash(?:ing)? (?:the |your |his |her |both )?hands?\b"
)
_NEGATION_RE = re.compile(
    r"\b(?:avoid\w*|not|never|no|without|except|excluding|exclude|apart from|other than"
    r"|away from|out of|spar(?:e|ing))\b|n't\b"
)
# A clause ends at punctuation, "but", "then", or a comma that starts a new positive instruction.
_CLAUSE_RE = re.compile(r"[.;:!?()\n]|\bbut\b|\bthen\b|, (?=(?:apply|use|rub|massage|spread)\b)")


def text_sites(text: str | None) -> frozenset[str]:
    """Site categories named in free text, ignoring sites in a negated part of a clause."""
    if not text:
        return frozenset()
    found: set[str] = set()
    for clause in _CLAUSE_RE.split(_QUANTITY_RE.sub(" ", normalise_text(text))):
        negation = _NEGATION_RE.search(clause)
        cut = negation.start() if negation else len(clause)
        for hit in _SITE_RE.finditer(clause, 0, cut):
            found.add(_GROUP_SITE[hit.lastgroup or ""])
    return frozenset(found)


def coded_sites(codings: Iterable[tuple[str | None, str | None]]) -> frozenset[str]:
    """Site categories from SNOMED body-site codings (other systems are ignored)."""
    return frozenset(
        SNOMED_SITES[code.strip()]
        for system, code in codings
        if code and normalise_system(system) == SNOMED and code.strip() in SNOMED_SITES
    )
