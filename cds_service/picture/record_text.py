"""Whether a care plan's or referral's text names what a value set asks for as done or
planned. Text names one that is not as often as one that is: 'No dermatology referral
needed', 'Referral to dermatology declined', 'Eczema action plan not given'."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cds_service.terminology.mentions import Mention
from cds_service.terminology.valuesets import MAX_TEXT

if TYPE_CHECKING:
    from cds_service.terminology import Terminology

# Said of the plan or referral itself: it was not made, or not taken up.
_NOT_DONE = re.compile(
    r"(?<![a-z])(?:declined|refused|cancel+ed|withdrawn|not\s+(?:needed|required|indicated|"
    r"given|done|wanted|offered|made|sent|provided|issued|appropriate))(?![a-z])"
)


def names(terminology: Terminology, value_set: str, texts: Iterable[str]) -> bool:
    """A text names the set's plan or referral, neither negated ('no dermatology referral')
    nor said not to have been made ('... declined', '... not given')."""
    vs = terminology.value_set(value_set)
    return any(
        vs.matches_text(text)
        and vs.mention(text) is not Mention.NEGATED
        and _NOT_DONE.search(text[:MAX_TEXT].lower()) is None
        for text in texts
    )
