"""Body sites from SNOMED codes and free text, with negation; no site is ever guessed."""

import time

import pytest

from cds_service.picture.orders import build_order
from cds_service.terminology import SENSITIVE_SITES, SITE_CATEGORIES, Terminology
from cds_service.terminology.sites import text_sites

from .conftest import ICD, SNOMED


@pytest.mark.parametrize(
    ("code", "site"),
    [
        ("89545001", "face"),
        ("73897004", "face"),
        ("110488009", "face"),
        ("80243003", "eyelid"),
        ("41310005", "eyelid"),
        ("362916000", "eyelid"),
        ("45048000", "neck"),
        ("43081002", "neck"),
        ("91470000", "axilla"),
        ("76261009", "axilla"),
        ("26893007", "groin"),
        ("280387007", "groin"),
        ("71934003", "genital"),
        ("45292006", "genital"),
        ("81992007", "genital"),
        ("38864007", "perineum"),
        ("59112000", "perineum"),
        ("32361000", "lower-limb"),  # popliteal fossa: not a skin fold (clinical-rules §5.2)
        ("84507004", "lower-limb"),
        ("17957002", "upper-limb"),  # antecubital fossa skin
        ("63029009", "skin-fold"),
        ("41695006", "scalp"),
        ("43067004", "scalp"),
        ("85562004", "hand"),
        ("70887009", "hand"),
        ("56459004", "foot"),
        ("22943007", "trunk"),
        ("69536005", "head"),
        ("53120007", "upper-limb"),
        ("371304004", "lower-limb"),
        ("39937001", "skin"),
        # DICOM CID 4029 "Skin of ..." members (bvdh/dicom-terminology-in-fhir, v20240913).
        ("367577003", "face"),  # eyebrow
        ("68698007", "face"),  # forehead
        ("16251004", "face"),  # upper lip
        ("37108007", "face"),  # nasolabial fold
        ("36141000", "face"),  # cheek
        ("37671003", "eyelid"),  # lateral canthus
        ("27887005", "eyelid"),  # medial canthus
        ("4658004", "neck"),  # nuchal region
        ("76072005", "neck"),  # supraclavicular region of neck
        ("128252004", "genital"),  # labium majus
        ("244118007", "genital"),  # shaft of penis
    ],
)
def test_snomed_site_code_maps_to_one_category(term: Terminology, code, site) -> None:
    assert term.body_sites([(SNOMED, code)], None) == {site}


def test_eyelid_code_does_not_add_face(term: Terminology) -> None:
    assert term.body_sites([(SNOMED, "80243003")], None) == {"eyelid"}


def test_unverified_axilla_code_and_other_systems_are_ignored(term: Terminology) -> None:
    assert (
        term.body_sites([(SNOMED, "34797008"), (ICD, "89545001"), (None, "89545001")], None)
        == set()
    )


def test_snomed_oid_is_accepted(term: Terminology) -> None:
    assert term.body_sites([("urn:oid:2.16.840.1.113883.6.96", "45048000")], None) == {"neck"}


def test_codes_and_text_combine(term: Terminology) -> None:
    assert term.body_sites([(SNOMED, "85562004")], "and to the neck") == {"hand", "neck"}


@pytest.mark.parametrize(
    ("text", "sites"),
    [
        ("apply to eyelids twice daily", {"eyelid"}),
        ("Apply thinly to the face BID", {"face"}),
        ("facial eczema", {"face"}),
        ("to cheeks and forehead", {"face"}),
        ("periorbital area", {"eyelid"}),
        ("apply around the eyes at night", {"eyelid"}),
        ("apply to neck", {"neck"}),
        ("both axillae", {"axilla"}),
        ("armpits once daily", {"axilla"}),
        ("groin and skin folds", {"groin", "skin-fold"}),
        ("genitals", {"genital"}),
        ("vulval skin", {"genital"}),
        ("scrotum", {"genital"}),
        ("perianal", {"perineum"}),
        ("perineal skin", {"perineum"}),
        ("skin folds", {"skin-fold"}),
        ("flexures of arms", {"upper-limb"}),
        ("flexures of arms and legs", {"upper-limb", "lower-limb"}),
        ("flexural eczema", set()),  # names no site: cannot tell
        ("intertriginous areas", {"skin-fold"}),
        ("nappy area", {"nappy"}),
        ("diaper area", {"nappy"}),
        ("nappy rash", {"nappy"}),
        ("gluteal cleft", {"skin-fold"}),
        ("abdominal folds", {"skin-fold"}),
        ("under the breasts", {"skin-fold"}),
        ("inframammary", {"skin-fold"}),
        ("elbow creases", {"upper-limb"}),
        ("antecubital fossae", {"upper-limb"}),
        ("behind the knees", {"lower-limb"}),
        ("popliteal fossa", {"lower-limb"}),
        ("inner elbows and behind the knees", {"upper-limb", "lower-limb"}),
        ("scalp", {"scalp"}),
        ("hands and fingers", {"hand"}),
        ("palms", {"hand"}),
        ("back of the hands", {"hand"}),
        ("soles of feet", {"foot"}),
        ("trunk and chest", {"trunk"}),
        ("apply to back", {"trunk"}),
        ("upper back", {"trunk"}),
        ("abdomen", {"trunk"}),
        ("arms and legs", {"upper-limb", "lower-limb"}),
        ("forearms", {"upper-limb"}),
        ("shins", {"lower-limb"}),
        # Reviewer sigs and other common ones (clinical-rules §5.2 sensitive sites).
        ("apply under arms bid", {"axilla"}),
        ("underarms", {"axilla"}),
        ("under-arms", {"axilla"}),
        ("under the arm", {"axilla"}),
        ("R armpit", {"axilla"}),
        ("Apply thin layer to upper and lower lids BID", {"eyelid"}),
        ("Apply to L upper lid", {"eyelid"}),
        ("bilat lower lids", {"eyelid"}),
        ("lateral canthi", {"eyelid"}),
        ("peri-orbital", {"eyelid"}),
        ("Apply to nasolabial folds", {"face"}),
        ("R nasolabial fold", {"face"}),
        ("Apply to beard area", {"face"}),
        ("lips & perioral skin", {"face"}),
        ("upper lip", {"face"}),
        ("eyebrows and forehead", {"face"}),
        ("jawline", {"face"}),
        ("temples", {"face"}),
        ("apply to submammary area", {"skin-fold"}),
        ("under breasts", {"skin-fold"}),
        ("infra-mammary folds", {"skin-fold"}),
        ("apply under abdominal pannus", {"skin-fold"}),
        ("belly folds", {"skin-fold"}),
        ("Apply to intergluteal cleft", {"skin-fold"}),
        ("natal cleft", {"skin-fold"}),
        ("apply to bikini line", {"groin"}),
        ("L groin", {"groin"}),
        ("Apply to foreskin", {"genital"}),
        ("glans and prepuce", {"genital"}),
        ("scrotal skin", {"genital"}),
        ("vulva", {"genital"}),
        ("labia majora", {"genital"}),
        ("labium majus", {"genital"}),
        ("peri-anal", {"perineum"}),
        ("around the anus", {"perineum"}),
        ("nuchal region", {"neck"}),
        ("nape of neck", {"neck"}),
        ("diaper region", {"nappy"}),
        ("Eyebrow", {"face"}),  # a site coding's display, read when the code is unknown
    ],
)
def test_site_in_text(term: Terminology, text, sites) -> None:
    assert term.body_sites([], text) == sites


@pytest.mark.parametrize(
    ("text", "sites"),
    [
        ("avoid face", set()),
        ("Avoid face, neck and groin", set()),
        ("not on the face", set()),
        ("do not apply to eyelids", set()),
        ("Don't use on eyelids", set()),
        ("except face and groin", set()),
        ("apply to all affected areas except the face", set()),
        ("keep away from eyes", set()),
        ("avoid contact with eyes", set()),
        ("never on genitals", set()),
        ("apply to arms, not face", {"upper-limb"}),
        ("apply to trunk; avoid axillae", {"trunk"}),
        ("avoid the face. Apply to legs", {"lower-limb"}),
        ("avoid eyes, apply to eyelid margins sparingly", {"eyelid"}),
        ("avoid eyes, apply to cheeks", {"face"}),
        ("use on hands but not on the face", {"hand"}),
        ("no more than 2 weeks on the face", {"face"}),
        ("not to exceed 14 days on neck", {"neck"}),
        ("do not apply to face", set()),
        ("avoid face and eyes", set()),
        ("not for face", set()),
        ("apply to non-facial areas", set()),
        ("Apply to buttock cheeks and posterior thighs BID", {"lower-limb"}),
        ("bum cheeks", set()),
        ("close lid tightly after use", set()),
        ("replace the cap; apply to arms", {"upper-limb"}),
        # a negation of how to apply names no excluded site
        ("Apply without occlusion to face BID", {"face"}),
        ("Apply sparingly, not thickly, to eyelids", {"eyelid"}),
        ("apply with no bandage to the groin", {"groin"}),
        ("without occlusion; do not apply to face", set()),
        # a negated use with a limit says how long or how often, not where
        ("Do not use on face for longer than 7 days", {"face"}),
        ("Do not use more than 5 days on eyelids", {"eyelid"}),
        ("Do not apply more than twice daily to face", {"face"}),
        ("avoid prolonged use on face", {"face"}),
        ("Avoid face and do not use longer than 14 days", set()),
        ("Do not use on face. Do not use longer than 2 weeks", set()),
        ("Do not use on the face, apply to body no more than twice daily", set()),
        ("Do not use on the face, for longer than 2 weeks on the body", set()),
        # a second negation: the limit is not the face's
        ("Arms. Do not apply to face and do not use for more than 2 weeks", {"upper-limb"}),
        ("Do not apply to the face or groin and don't use for longer than 14 days", set()),
        ("Never apply to face and never use more than twice daily", set()),
        ("Do not use on face or in skin folds for more than 7 days", {"face", "skin-fold"}),
    ],
)
def test_negated_sites_are_not_reported(term: Terminology, text, sites) -> None:
    assert term.body_sites([], text) == sites


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "apply BID",
        "apply to affected areas twice daily",
        "thin layer to rash",
        "wash hands after use",
        "surface of the lesion",
        "call back in 2 weeks",
        "come back if worse",
        "preface: use sparingly",
    ],
)
def test_no_site_named_gives_empty_set(term: Terminology, text) -> None:
    assert term.body_sites([], text) == set()


def test_only_the_start_of_a_huge_text_is_scanned_and_fast(term: Terminology) -> None:
    text = "apply to arms " + "a " * 500_000 + " and face"
    start = time.perf_counter()
    assert term.body_sites([], text) == {"upper-limb"}
    assert time.perf_counter() - start < 0.5


def test_adversarial_text_stays_linear(term: Terminology) -> None:
    nasty = ("behind the " * 300) + ("around your " * 300) + ("back of " * 300)
    start = time.perf_counter()
    term.body_sites([], nasty)
    term.classify_drug([], ("0." * 1000) + "5 mg/" * 200)
    assert time.perf_counter() - start < 0.5


def test_sensitive_sites_are_site_categories() -> None:
    assert SENSITIVE_SITES == {
        "face",
        "eyelid",
        "neck",
        "axilla",
        "groin",
        "genital",
        "perineum",
        "skin-fold",
        "nappy",
    }
    assert SENSITIVE_SITES <= set(SITE_CATEGORIES)


def test_a_clause_about_another_product_gives_no_site() -> None:
    text = "Apply to arms once daily (use hydrocortisone 1% on face)"
    assert text_sites(text, lambda clause: "hydrocortisone" in clause) == {"upper-limb"}
    assert text_sites(text, lambda clause: False) == {"upper-limb", "face"}
    assert text_sites(text) == {"upper-limb", "face"}


def _order(term: Terminology, drug: str, sig: str) -> frozenset[str]:
    res = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {"text": drug},
        "dosageInstruction": [{"text": sig}],
    }
    return build_order(res, {}, term, True, True).sites


@pytest.mark.parametrize(
    ("drug", "sig", "sites"),
    [
        # Another drug named for the face: the face is that drug's site, not this order's.
        (
            "Betnovate 0.1% ointment",
            "Apply to arms and legs (use hydrocortisone 1% on face)",
            {"upper-limb", "lower-limb"},
        ),
        ("clobetasol 0.05% ointment", "apply to arms; for face use Protopic", {"upper-limb"}),
        # This order's own drug, a brand of it, or an emollient in the clause: the site stands.
        ("clobetasol 0.05% ointment", "Apply clobetasol 0.05% ointment to face", {"face"}),
        ("Dermovate 0.05% cream", "apply Dermovate to face bid", {"face"}),
        ("clobetasol 0.05% ointment", "apply to face after moisturiser", {"face"}),
        ("hydrocortisone 1% cream", "use hydrocortisone 1% on face", {"face"}),
        (
            "mystery cream",
            "use hydrocortisone on face",
            {"face"},
        ),  # unknown drug: nothing to compare
    ],
)
def test_order_sites_skip_clauses_about_another_drug(term: Terminology, drug, sig, sites) -> None:
    assert _order(term, drug, sig) == sites


def test_additional_instruction_text_is_read_for_sites(term: Terminology) -> None:
    res = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {"text": "clobetasol 0.05% ointment"},
        "dosageInstruction": [
            {"additionalInstruction": [{"text": "Apply to face and neck"}]},
            {"additionalInstruction": [{"coding": [{"display": "Apply to eyelids"}]}]},
        ],
    }
    assert build_order(res, {}, term, True, True).sites == {"face", "neck", "eyelid"}
