"""Code systems, problems and body sites as EHRs send them (the vocabulary of the charts).

Codes are the ones in `docs/clinical-rules.md` §2 (V or S there) or ICD-10-CM codes from
the CDC tabular; where no code is known the problem is sent as text, as EHRs do with
free-text problems. Nothing here is read from the service's own value sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tests.conftest import NOW as PINNED

NOW = PINNED.date()  # the day tests/conftest.py pins the clock to

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
# Local code systems as the vendors name them (Epic OIDs, Cerner tenant-scoped, IMO, dm+d).
EPIC_DRUG = "urn:oid:1.2.840.114350.1.13.0.1.7.2.698288"
EPIC_DX = "urn:oid:1.2.840.114350.1.13.0.1.7.2.728286"
EPIC_LAB = "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14"
CERNER_DRUG = "https://fhir.cerner.com/ec2458f2-1e24-41c8-b71b-0e701af7583d/synonym"
IMO = "http://www.imo-online.com"
DMD = "https://dmd.nhs.uk"


def iso(days_ago: int) -> str:
    """An ISO date this many days before the pinned day."""
    return (NOW - timedelta(days=days_ago)).isoformat()


def birth(years: int, months: int = 0) -> str:
    """A birth date giving exactly `years` and `months` completed on the pinned day (+ 9 days)."""
    total = years * 12 + months
    y, m = divmod(NOW.year * 12 + NOW.month - 1 - total, 12)
    return (date(y, m + 1, min(NOW.day, 28)) - timedelta(days=9)).isoformat()


@dataclass(frozen=True)
class Dx:
    """A problem: SNOMED and ICD-10-CM codings when known, and the clinician's text."""

    text: str
    snomed: tuple[str, str] | None = None
    icd: tuple[str, str] | None = None
    imo: str | None = None  # an Intelligent Medical Objects interface term (Epic, Cerner)


AD = Dx(
    "Atopic dermatitis",
    ("24079001", "Atopic dermatitis"),
    ("L20.9", "Atopic dermatitis, unspecified"),
)
AD_INTRINSIC = Dx("Intrinsic eczema", None, ("L20.84", "Intrinsic (allergic) eczema"))
AD_NEURO_CODE_ONLY = Dx("", ("200775004", ""), None)  # SNOMED child of 24079001, no text
AD_FLEXURAL_TEXT = Dx("Flexural eczema")
AD_INFANTILE_TEXT = Dx("Infantile eczema")
AD_IMO_TEXT = Dx("Atopic eczema of both hands", imo="1245693")
AD_UK = Dx("Atopic eczema", ("24079001", "Atopic dermatitis"), None)
ECZEMA_SNOMED = Dx("Eczema", ("43116000", "Eczema"), None)
NO_ECZEMA_TEXT = Dx("No eczema")
ECZEMA_RULED_OUT_TEXT = Dx("Eczema ruled out")
FH_ECZEMA_TEXT = Dx("Family history of eczema")

HERPETICUM = Dx(
    "Eczema herpeticum", ("186535001", "Eczema herpeticum"), ("B00.0", "Eczema herpeticum")
)
HERPETICUM_TEXT = Dx("eczema herpeticum - face, punched-out erosions")
KAPOSI = Dx("Kaposi varicelliform eruption", ("186535001", "Eczema herpeticum"), None)
CELLULITIS_FACE = Dx(
    "Cellulitis of face", ("128045006", "Cellulitis"), ("L03.211", "Cellulitis of face")
)
CELLULITIS_LEG = Dx(
    "Cellulitis of left lower leg",
    ("128045006", "Cellulitis"),
    ("L03.116", "Cellulitis of left lower limb"),
)
CELLULITIS_UK = Dx("Cellulitis", ("128045006", "Cellulitis"), None)
CELLULITIS_TEXT = Dx("cellulitis R forearm, spreading")
TINEA_CORPORIS = Dx("Tinea corporis", None, ("B35.4", "Tinea corporis"))
TINEA_CRURIS = Dx("Tinea cruris", ("399029005", "Tinea cruris"), ("B35.6", "Tinea cruris"))
TINEA_FACIEI = Dx("Tinea faciei", ("240696004", "Tinea faciei"), None)
SCABIES = Dx("Scabies", ("128869009", "Scabies"), ("B86", "Scabies"))
SCABIES_UK = Dx("Scabies", ("128869009", "Scabies"), None)
ROSACEA = Dx("Rosacea", ("398909004", "Rosacea"), ("L71.9", "Rosacea, unspecified"))
PERIORAL = Dx("Perioral dermatitis", None, ("L71.0", "Perioral dermatitis"))
IMPETIGO = Dx("Impetigo", ("48277006", "Impetigo"), ("L01.00", "Impetigo, unspecified"))
INFECTED_ECZEMA = Dx(
    "Infected eczema", ("400079002", "Infected eczema"), ("L30.3", "Infective dermatitis")
)
LICHEN_SCLEROSUS = Dx(
    "Lichen sclerosus of vulva", None, ("L90.0", "Lichen sclerosus et atrophicus")
)
DISCOID_LUPUS = Dx("Discoid lupus erythematosus", None, ("L93.0", "Discoid lupus erythematosus"))
PSORIASIS = Dx("Psoriasis vulgaris", ("9014002", "Psoriasis"), ("L40.0", "Psoriasis vulgaris"))
CIRRHOSIS_B = Dx(
    "Alcoholic cirrhosis of liver, Child-Pugh class B",
    ("19943007", "Cirrhosis of liver"),
    ("K70.30", "Alcoholic cirrhosis of liver without ascites"),
)
ACTIVE_TB = Dx(
    "Pulmonary tuberculosis", ("56717001", "Tuberculosis"), ("A15.0", "Tuberculosis of lung")
)
ASTHMA = Dx(
    "Moderate persistent asthma", ("195967001", "Asthma"), ("J45.40", "Moderate persistent asthma")
)
ALLERGIC_RHINITIS = Dx(
    "Allergic rhinitis", ("61582004", "Allergic rhinitis"), ("J30.9", "Allergic rhinitis")
)
CONJUNCTIVITIS = Dx(
    "Conjunctivitis", ("9826008", "Conjunctivitis"), ("H10.9", "Unspecified conjunctivitis")
)
ALLERGIC_CONTACT = Dx(
    "Allergic contact dermatitis",
    ("238575004", "Allergic contact dermatitis"),
    ("L23.9", "Allergic contact dermatitis, unspecified cause"),
)

# Body sites, SNOMED (clinical-rules §2.3, DICOM CID 4029).
EYELID = ("80243003", "Eyelid structure")
FACE = ("89545001", "Face structure")
NECK = ("45048000", "Neck structure")
AXILLA = ("91470000", "Axillary region structure")
GROIN = ("26893007", "Inguinal region structure")
GENITAL = ("71934003", "Genital structure")
VULVA = ("45292006", "Vulval structure")
PERINEUM_SKIN = ("48014002", "Skin structure of perineum")
UPPER_EYELID_SKIN = ("41310005", "Skin structure of upper eyelid")
AXILLA_SKIN = ("76261009", "Skin structure of axilla")
ANTECUBITAL = ("17957002", "Skin structure of antecubital fossa")
POPLITEAL = ("84507004", "Skin structure of popliteal fossa")
TRUNK = ("22943007", "Trunk structure")
SCALP = ("41695006", "Scalp structure")
LOWER_LIMB = ("61685007", "Lower limb structure")
UPPER_LIMB = ("53120007", "Upper limb structure")
HAND = ("85562004", "Hand structure")

# Pre-treatment screening for oral JAK inhibitors (clinical-rules R-50): LOINC where
# well known (§2.4), the TB and hepatitis B core tests by the text the lab system sends.
JAK_LABS = (
    (None, "QuantiFERON-TB Gold Plus", "Negative"),
    ("5196-1", "Hepatitis B virus surface Ag [Presence] in Serum", "Negative"),
    (None, "Hepatitis B virus core Ab [Presence] in Serum", "Negative"),
    ("16128-1", "Hepatitis C virus Ab [Presence] in Serum", "Negative"),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "13.9"),
    ("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "6.8"),
    ("777-3", "Platelets [#/volume] in Blood by Automated count", "250"),
    ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "182"),
    ("13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation", "101"),
)
