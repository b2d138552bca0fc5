"""Which department a non-police matter goes to (pure, no Django).

A station's routing is data: rows of (category or family code, department, hours for the
result). The most specific row wins — the category's own code (`non_police.noise`), then
its family (`non_police`, the part before the first dot), then the blank catch-all row.

New stations start from `DEFAULT_PLAN`: the shipped non-police categories mapped to a
kind of department (urban management, utilities, market regulation …). The services pick
an active department of that kind; when the city has none, the matter goes to the 12345
hotline, which takes what no one else does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Department kinds (organisation.Department.Kind values).
HOTLINE = "hotline"
URBAN_MANAGEMENT = "urban_management"
MARKET_REGULATION = "market_regulation"
HOUSING = "housing"
EMERGENCY = "emergency"
UTILITIES = "utilities"
ENVIRONMENT = "environment"

DEFAULT_RESULT_HOURS = 72  # when no rule names the matter (the hotline's usual answer time)


@dataclass(frozen=True)
class Rule:
    """One routing row: `category` is a category code, a family code or "" for any."""

    category: str
    department_id: int
    result_hours: int = DEFAULT_RESULT_HOURS


@dataclass(frozen=True)
class Planned:
    """A default row: the kind of department a category goes to and how long it has."""

    kind: str
    result_hours: int


# The shipped non-police categories (intake/data/categories.json, route "transfer") and
# the department kinds that own them in a Chinese city. The hours follow the urgency of
# the matter: a blocked fire lane within hours, a leak within a day, an illegal building
# within a week.
DEFAULT_PLAN: dict[str, Planned] = {
    "non_police.noise": Planned(URBAN_MANAGEMENT, 24),
    "non_police.parking": Planned(URBAN_MANAGEMENT, 4),
    "non_police.market": Planned(URBAN_MANAGEMENT, 48),  # street vending, market disorder
    "non_police.construction": Planned(URBAN_MANAGEMENT, 168),
    "non_police.sanitation": Planned(URBAN_MANAGEMENT, 48),
    "non_police.animal": Planned(URBAN_MANAGEMENT, 48),
    "non_police.leak": Planned(UTILITIES, 24),
    "non_police.utilities": Planned(UTILITIES, 24),
    "non_police.smell": Planned(ENVIRONMENT, 48),
}
CATCH_ALL = Planned(HOTLINE, DEFAULT_RESULT_HOURS)

# Categories a station adds itself (`non_police.food`, `non_police.lift` …) are mapped by
# the words in their code; the first group whose word appears wins (food safety is market
# regulation's, other safety hazards emergency management's).
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (MARKET_REGULATION, ("food", "shop", "consumer", "price", "product", "restaurant", "drug")),
    (EMERGENCY, ("fire", "hazard", "safety", "gas_leak", "chemical")),
    (UTILITIES, ("leak", "utilit", "water", "power", "electric", "gas", "heating", "pipe")),
    (HOUSING, ("property", "housing", "house", "estate", "lift", "elevator", "rental")),
    (ENVIRONMENT, ("smell", "pollution", "environment", "smoke", "dust")),
    (URBAN_MANAGEMENT, ("noise", "parking", "vending", "street", "market", "construction", "sanitation",
                        "rubbish", "animal", "dog", "advert", "sign")),
)


def family_of(category: str) -> str:
    """`non_police.noise` → `non_police`."""
    return category.split(".", 1)[0]


def pick(rules: Iterable[Rule], category: str) -> Rule | None:
    """The rule for `category`: its own code, then its family, then the catch-all."""
    by_key = {rule.category: rule for rule in rules}
    for key in (category, family_of(category), ""):
        if key in by_key:
            return by_key[key]
    return None


def planned_for(category: str) -> Planned:
    """The default kind of department and hours for a non-police category."""
    if category in DEFAULT_PLAN:
        return DEFAULT_PLAN[category]
    name = category.split(".", 1)[1] if "." in category else category
    for kind, words in _KIND_WORDS:
        if any(word in name for word in words):
            return Planned(kind, DEFAULT_RESULT_HOURS)
    return CATCH_ALL


def choose_department(kind: str, departments_by_kind: dict[str, list[int]]) -> int | None:
    """An active department of `kind`, else the hotline, else none (department ids in order)."""
    for wanted in (kind, HOTLINE):
        found = departments_by_kind.get(wanted) or []
        if found:
            return found[0]
    return None
