"""Body-site categories from SNOMED site codes and from free-text instructions.

Codes: clinical-rules.md §2.3 (DICOM CID 4029 and related, all V). Text: word-boundary phrases,
with negation ("avoid face", "except groin", "keep away from eyes") so a site the prescriber
excluded is never reported. Patterns are simple alternations (no nested quantifiers) and only
the first 2,000 characters are scanned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

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
    # More "Skin of ..." members of DICOM CID 4029 (bvdh/dicom-terminology-in-fhir,
    # ValueSet-dicom-cid-4029-DermatologyAnatomicSite.fsh, v20240913; displays as listed there).
    # Face: cheek, chin, forehead, nasolabial fold, nose, ala nasi, side / tip of nose, philtrum,
    # lip / upper / lower lip, lip mucosa, eyebrow (= supraorbital, CID note 9), temporal region,
    # jawline.
    **dict.fromkeys(
        [
            "36141000",
            "23747009",
            "68698007",
            "37108007",
            "113179006",
            "68598004",
            "314395006",
            "79283007",
            "84365009",
            "88089004",
            "16251004",
            "66934001",
            "18444004",
            "46353006",
            "367577003",
            "16621002",
            "244097004",
        ],
        "face",
    ),
    # Eyelid region: lateral and medial canthus, eyelash.
    **dict.fromkeys(["37671003", "27887005", "85803001"], "eyelid"),
    # Neck: nuchal region, supraclavicular region of neck, anterior triangle of neck, submental
    # area and submandibular triangle (both parts of the anterior triangle of the neck).
    **dict.fromkeys(["4658004", "76072005", "182329002", "34926004", "5713008"], "neck"),
    # Genital: labium, labium majus / minus, clitoris and its prepuce, glans / root / shaft of
    # penis, frenulum of labia minora, posterior commissure of labia majora, vulval vestibule,
    # vaginal introitus.
    **dict.fromkeys(
        [
            "73058008",
            "128252004",
            "128253009",
            "29353003",
            "76723005",
            "7991003",
            "244117002",
            "244118007",
            "279867004",
            "4019005",
            "23213005",
            "18857001",
        ],
        "genital",
    ),
}

# (category, phrase regex). Specific phrases come first: at one position the first alternative
# wins, so "back of the hand" is a hand and "abdominal folds" a fold, not the trunk. A bare
# "flexures" names no site: in eczema it usually means the elbow and knee creases. Words that
# qualify a site ("left", "R", "bilat", "upper") need no pattern: the site word still matches.
# Category "" consumes a phrase that names no site category, so a word inside it is not read
# alone: "buttock cheeks" are not the face, "nasolabial folds" are the face, not a skin fold.
_THE = r"(?:the |your |his |her |both |each |l |r |left |right |bilat |bilateral )?"
_PHRASES: tuple[tuple[str, str], ...] = (
    # Limb flexures first, so "behind the knees" is not read as a fold or as the knee alone.
    ("lower-limb", r"(?:behind|back of) " + _THE + r"knees?|popliteal(?: fossae?)?"),
    ("upper-limb", r"(?:inner |bend of " + _THE + r")elbows?|elbow (?:creases?|folds?|flexures?)"),
    ("upper-limb", r"antecubital(?: fossae?)?"),
    ("lower-limb", r"knee (?:creases?|folds?|flexures?)"),
    ("", r"(?:buttocks?|bum|butt|gluteal|glute) cheeks?"),
    ("face", r"nasolabial(?: folds?| creases?| grooves?)?|naso labial(?: folds?)?"),
    ("nappy", r"nappy(?: area| region| rash)?|napkin area|diaper(?: area| region| rash)?"),
    # Before "arms": "under arms" and "under the arm" are the axillae, not the upper limb.
    ("axilla", r"under ?arms?|under " + _THE + r"arms?|axillae?|axillas|axillary|arm ?pits?"),
    (
        "skin-fold",
        r"skin ?folds?|skin creases?|intertrig\w*|inframammary(?: folds?| creases?)?"
        r"|submammary(?: folds?| area)?|(?:under|beneath|below) " + _THE + r"breasts?"
        r"|breast (?:folds?|creases?)|(?:inter)?gluteal (?:folds?|cleft|crease)|natal cleft"
        r"|buttock (?:creases?|cleft)|between " + _THE + r"buttocks"
        r"|(?:abdominal|belly|stomach|tummy) (?:skin )?(?:folds?|creases?)|(?:abdominal )?pannus",
    ),
    ("hand", r"back of " + _THE + r"hands?|hands?|palms?|fingers?|fingertips?|knuckles?|thumbs?"),
    ("neck", r"back of " + _THE + r"neck|necks?|neckline|nuchal(?: region)?|napes?"),
    (
        "eyelid",
        r"eyelids?|eye ?lids?|(?:upper |lower )?lids?(?! of\b)|canth(?:us|i|al)|lash lines?"
        r"|eyelashe?s?|periorbital|periocular|palpebral|around " + _THE + r"eyes?|eye area"
        r"|under " + _THE + r"eyes?",
    ),
    (
        "face",
        r"faces?|facial|cheeks?|forehead|chin|perioral|around " + _THE + r"mouth|nose|nostrils?"
        r"|lips?|philtrum|eyebrows?|brows?|temples?|jaw ?lines?|jaws?|beard(?: area)?"
        r"|moustache(?: area)?|mustache(?: area)?",
    ),
    ("groin", r"groins?|inguinal(?: folds?| creases?)?|bikini (?:line|area)|crotch"),
    (
        "genital",
        r"genitals?|genitalia|genital area|vulva[rl]?|vulvae|penis|penile|glans|foreskin"
        r"|prepuce|scrotum|scrotal|testicles?|labia|labium|clitoris|clitoral|vaginal introitus",
    ),
    ("perineum", r"perine(?:um|al)|perianal|anal|anus"),
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
# Hand-washing and closing-the-tube boilerplate name the hands or a lid but no application site.
_QUANTITY_RE = re.compile(
    r"\b(?:no|not) (?:more|longer) than\b|\bnot to exceed\b|\bnot exceeding\b"
    r"|\bwash(?:ing)? (?:the |your |his |her |both )?hands?\b"
    r"|\b(?:close|replace|screw|tighten|keep) (?:the )?(?:lid|cap)s?\b"
)
# "peri-orbital", "under-arms", "infra-mammary", "non-facial": a prefix joined by a hyphen is one
# word, so "non-facial areas" names no face and "peri-anal" is perianal.
_PREFIX_RE = re.compile(r"\b(peri|infra|sub|under|inter|non|naso)-(?=[a-z])")
_NEGATION_RE = re.compile(
    r"\b(?:avoid\w*|not|never|no|without|except|excluding|exclude|apart from|other than"
    r"|away from|out of|spar(?:e|ing))\b|n't\b"
)
# A clause ends at punctuation, "but", "then", or a comma that starts a new positive instruction.
_CLAUSE_RE = re.compile(r"[.;:!?()\n]|\bbut\b|\bthen\b|, (?=(?:apply|use|rub|massage|spread)\b)")


def _clause_sites(clause: str) -> set[str]:
    negation = _NEGATION_RE.search(clause)
    cut = negation.start() if negation else len(clause)
    return {_GROUP_SITE[hit.lastgroup or ""] for hit in _SITE_RE.finditer(clause, 0, cut)} - {""}


def _clauses(text: str) -> list[str]:
    text = _PREFIX_RE.sub(r"\1", _QUANTITY_RE.sub(" ", normalise_text(text)))
    return _CLAUSE_RE.split(text)


def text_sites(
    text: str | None, other_product: Callable[[str], bool] | None = None
) -> frozenset[str]:
    """Site categories named in free text, ignoring sites in a negated part of a clause.

    With ``other_product``, a clause for which it is true (one that names another drug, as in
    "body and limbs (use hydrocortisone 1% on face)") gives no site: that is the other drug's.
    """
    if not text:
        return frozenset()
    found: set[str] = set()
    for clause in _clauses(text):
        sites = _clause_sites(clause)
        if sites and not (other_product is not None and other_product(clause)):
            found |= sites
    return frozenset(found)


def coded_sites(codings: Iterable[tuple[str | None, str | None]]) -> frozenset[str]:
    """Site categories from SNOMED body-site codings (other systems are ignored)."""
    return frozenset(
        SNOMED_SITES[code.strip()]
        for system, code in codings
        if code and normalise_system(system) == SNOMED and code.strip() in SNOMED_SITES
    )
