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
    # More members of DICOM CID 4029 (bvdh/dicom-terminology-in-fhir,
    # input/fsh/ValueSet-dicom-cid-4029-DermatologyAnatomicSite.fsh, v20240913), with the
    # display listed there. The eyebrow is the supraorbital area (CID note 9): face. Submental
    # area and submandibular triangle lie in the anterior triangle of the neck.
    "36141000": "face",  # Skin of cheek
    "23747009": "face",  # Skin of chin
    "68698007": "face",  # Skin of forehead
    "37108007": "face",  # Skin of nasolabial fold
    "113179006": "face",  # Skin of nose
    "68598004": "face",  # Skin of ala nasi
    "314395006": "face",  # Skin of side of nose
    "79283007": "face",  # Skin of tip of nose
    "84365009": "face",  # Skin of philtrum
    "88089004": "face",  # Skin of lip
    "16251004": "face",  # Skin of upper lip
    "66934001": "face",  # Skin of lower lip
    "18444004": "face",  # Mucosa of upper lip
    "46353006": "face",  # Mucosa of lower lip
    "367577003": "face",  # Skin of eyebrow
    "16621002": "face",  # Skin of temporal region
    "244097004": "face",  # Skin of jawline
    "37671003": "eyelid",  # Skin of lateral canthus
    "27887005": "eyelid",  # Skin of medial canthus
    "85803001": "eyelid",  # Eyelash
    "4658004": "neck",  # Skin of nuchal region
    "76072005": "neck",  # Skin of supraclavicular region of neck
    "182329002": "neck",  # Anterior triangle of neck
    "34926004": "neck",  # Skin of submental area
    "5713008": "neck",  # Submandibular triangle
    "73058008": "genital",  # Skin of labium
    "128252004": "genital",  # Skin of labium majus
    "128253009": "genital",  # Skin of labium minus
    "29353003": "genital",  # Skin of clitoris
    "76723005": "genital",  # Skin of prepuce of clitoris
    "7991003": "genital",  # Skin of glans penis
    "244117002": "genital",  # Skin of root of penis
    "244118007": "genital",  # Skin of shaft of penis
    "279867004": "genital",  # Frenulum of labia minora
    "4019005": "genital",  # Posterior commissure of labium majorum
    "23213005": "genital",  # Vulval vestibule
    "18857001": "genital",  # Vaginal introitus
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

# Quantity phrases contain "no"/"not" but do not exclude a site ("not more than 2 weeks on face");
# nor do negations of how to apply ("without occlusion to face", "not thickly, to eyelids").
# Hand-washing and closing-the-tube boilerplate name the hands or a lid but no application site.
_QUANTITY_RE = re.compile(
    r"\b(?:no|not) (?:more|longer) than\b|\bnot to exceed\b|\bnot exceeding\b"
    r"|\b(?:without|no) (?:an? |any )?(?:occlusion|occlusive dressings?|dressings?"
    r"|bandag(?:e|es|ing)|covering|wrapping|rubbing)\b"
    r"|\bnot (?:too )?(?:thick|thickly|heavily|occluded|bandaged)\b"
    r"|\bwash(?:ing)? (?:the |your |his |her |both )?hands?\b"
    r"|\b(?:close|replace|screw|tighten|keep) (?:the )?(?:lid|cap)s?\b"
)
# A negated use with a limit restricts how long or how often, not where: "do not use on face for
# longer than 7 days", "do not apply more than twice daily to face", "avoid prolonged use on
# face" all name the face as a site. The negation (and the caution) is dropped before reading.
# The limit must be the same negation's: in "do not apply to face and do not use for more than
# 2 weeks" the face is excluded, and a second negation before the limit ends the span.
_LIMITED_USE_RE = re.compile(
    r"\b(?:do not|don't|dont|never|not) (?=(?:use|apply)\b"
    r"(?:(?!\b(?:not|never|no|dont|avoid\w*)\b|n't\b)[^.,;:!?()\n])*?"
    r"\b(?:(?:more|longer) than|beyond|in excess of|at a time)\b)"
    r"|\bavoid (?:prolonged|long-term|long term|extended|continuous|chronic) use\b"
)
# "peri-orbital", "under-arms", "infra-mammary", "non-facial": a prefix joined by a hyphen is one
# word, so "non-facial areas" names no face and "peri-anal" is perianal.
_PREFIX_RE = re.compile(r"\b(peri|infra|sub|under|inter|non|naso)-(?=[a-z])")
_NEGATION_RE = re.compile(
    r"\b(?:avoid\w*|not|never|no|dont|without|except|excluding|exclude|apart from|other than"
    r"|away from|out of|spar(?:e|ing))\b|n't\b"
)
# A clause ends at punctuation, "but", "then", or a comma that starts a new positive instruction.
_CLAUSE_RE = re.compile(r"[.;:!?()\n]|\bbut\b|\bthen\b|, (?=(?:apply|use|rub|massage|spread)\b)")


def _clause_sites(clause: str) -> set[str]:
    negation = _NEGATION_RE.search(clause)
    cut = negation.start() if negation else len(clause)
    return {_GROUP_SITE[hit.lastgroup or ""] for hit in _SITE_RE.finditer(clause, 0, cut)} - {""}


def _clauses(text: str) -> list[str]:
    text = _LIMITED_USE_RE.sub(" ", _QUANTITY_RE.sub(" ", normalise_text(text)))
    text = _PREFIX_RE.sub(r"\1", text)
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


def named_sites(text: str | None) -> frozenset[str]:
    """Every site the text names, negated or not ("avoid the face" names the face). For an
    order whose instructions apply it to no site of its own, these are sites they keep it off
    or give to another drug ("(use hydrocortisone 1% on face)"): its reason cannot give them
    back ("Eczema of face and trunk" with "apply twice daily, not on face")."""
    if not text:
        return frozenset()
    named = {
        _GROUP_SITE[hit.lastgroup or ""] for c in _clauses(text) for hit in _SITE_RE.finditer(c)
    }
    return frozenset(named - {""})


def coded_sites(codings: Iterable[tuple[str | None, str | None]]) -> frozenset[str]:
    """Site categories from SNOMED body-site codings (other systems are ignored)."""
    return frozenset(
        SNOMED_SITES[code.strip()]
        for system, code in codings
        if code and normalise_system(system) == SNOMED and code.strip() in SNOMED_SITES
    )
