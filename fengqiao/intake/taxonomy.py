"""The incident category taxonomy (警情类别) as data: families, categories, and their defaults.

Two levels: a family (刑事 criminal, 治安 public order, 交通 traffic, 火灾灾害 fire and
disaster, 纠纷 disputes, 求助 assistance, 非警务 non-police, 举报线索 tip-offs, 其他 other)
and a category inside it, coded ``<family>.<name>`` (``dispute.neighbour``). Each category
carries its Chinese and English label, the route it takes by default (DESIGN.md §3),
a default priority from 1 (most urgent) to 4, and whether it is *repeat-prone* — crimes
such as burglary that tend to strike again nearby soon after, for near-repeat alerts.

The shipped ``data/categories.json`` seeds a station's own, editable copy in the
database; `parse_taxonomy` validates either. Validation is strict because a station's
edits end up here: an unknown family, a duplicate code, a bad route or priority, a
misspelt field — each raises `TaxonomyError` naming the category and the field.

No Django import: this module is tested alone and type-checked with ``mypy --strict``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

# Routes of DESIGN.md §3: community officer of the beat, case team, the command room
# itself (complex or major incidents), transfer to a partner department (non-police).
COMMUNITY = "community"
CASE = "case"
COMMAND = "command"
TRANSFER = "transfer"
ROUTES: tuple[str, ...] = (COMMUNITY, CASE, COMMAND, TRANSFER)

PRIORITIES: tuple[int, ...] = (1, 2, 3, 4)  # 1 is the most urgent

DEFAULT_CATEGORIES_FILE = "categories.json"

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_CATEGORY_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_FAMILY_FIELDS = ("code", "label_zh", "label_en")
_CATEGORY_FIELDS = (
    "code",
    "label_zh",
    "label_en",
    "family",
    "route",
    "priority",
    "repeat_prone",
)


class TaxonomyError(ValueError):
    """A taxonomy that cannot be used; `code` and `field` say where the problem is."""

    def __init__(self, message: str, *, code: str = "", field: str = "") -> None:
        where = ""
        if code and field:
            where = f"category {code!r}, field {field!r}: "
        elif code:
            where = f"category {code!r}: "
        elif field:
            where = f"field {field!r}: "
        super().__init__(where + message)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Family:
    """A first-level category (大类), e.g. ``dispute`` 纠纷."""

    code: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class Category:
    """A second-level category (小类) with its routing and urgency defaults."""

    code: str
    label_zh: str
    label_en: str
    family: str
    route: str
    priority: int
    repeat_prone: bool


@dataclass(frozen=True)
class Taxonomy:
    """Families and categories in their file order (the order breaks ties in triage)."""

    families: tuple[Family, ...]
    categories: tuple[Category, ...]

    def category(self, code: str) -> Category:
        """The category with `code`; `KeyError` naming the code when there is none."""
        for category in self.categories:
            if category.code == code:
                return category
        raise KeyError(f"unknown category {code!r}")

    def family(self, code: str) -> Family:
        """The family with `code`; `KeyError` naming the code when there is none."""
        for family in self.families:
            if family.code == code:
                return family
        raise KeyError(f"unknown family {code!r}")

    def has_category(self, code: str) -> bool:
        return any(category.code == code for category in self.categories)

    def in_family(self, family: str) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if c.family == family)

    def full_label(self, code: str) -> str:
        """``纠纷·邻里纠纷``: the family and category labels, as reasons show them."""
        category = self.category(code)
        return f"{self.family(category.family).label_zh}·{category.label_zh}"

    def to_data(self) -> dict[str, Any]:
        """The taxonomy as JSON-ready data, the inverse of `parse_taxonomy`."""
        return {
            "version": 1,
            "families": [
                {"code": f.code, "label_zh": f.label_zh, "label_en": f.label_en}
                for f in self.families
            ],
            "categories": [
                {
                    "code": c.code,
                    "label_zh": c.label_zh,
                    "label_en": c.label_en,
                    "family": c.family,
                    "route": c.route,
                    "priority": c.priority,
                    "repeat_prone": c.repeat_prone,
                }
                for c in self.categories
            ],
        }


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and validate a taxonomy file; without `path`, the one shipped with Fengqiao."""
    if path is None:
        text = read_data_file(DEFAULT_CATEGORIES_FILE)
    else:
        text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TaxonomyError(f"not valid JSON: {error}") from error
    return parse_taxonomy(data)


def read_data_file(name: str) -> str:
    """The text of a file shipped in ``fengqiao/intake/data/`` (works from a wheel too)."""
    return resources.files("fengqiao.intake").joinpath("data", name).read_text(encoding="utf-8")


def parse_taxonomy(data: Any) -> Taxonomy:
    """Validate taxonomy data (as in ``categories.json``) and build the `Taxonomy`."""
    if not isinstance(data, Mapping):
        raise TaxonomyError("the taxonomy must be an object with 'families' and 'categories'")
    families = _parse_families(data.get("families"))
    family_codes = {family.code for family in families}
    raw_categories = data.get("categories")
    if not isinstance(raw_categories, list) or not raw_categories:
        raise TaxonomyError("must be a non-empty list", field="categories")
    categories: list[Category] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_categories):
        category = _parse_category(raw, index, family_codes)
        if category.code in seen:
            raise TaxonomyError("duplicate code", code=category.code, field="code")
        seen.add(category.code)
        categories.append(category)
    return Taxonomy(families=families, categories=tuple(categories))


def _parse_families(raw_families: Any) -> tuple[Family, ...]:
    if not isinstance(raw_families, list) or not raw_families:
        raise TaxonomyError("must be a non-empty list", field="families")
    families: list[Family] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_families):
        if not isinstance(raw, Mapping):
            raise TaxonomyError(f"family #{index + 1} must be an object", field="families")
        code = raw.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise TaxonomyError(
                f"family #{index + 1} needs a code of lower-case letters, digits and '_', "
                f"not {code!r}",
                field="families.code",
            )
        for key in raw:
            if key not in _FAMILY_FIELDS:
                raise TaxonomyError(f"family {code!r} has an unknown field", field=str(key))
        if code in seen:
            raise TaxonomyError(f"duplicate family {code!r}", field="families.code")
        seen.add(code)
        families.append(
            Family(
                code=code,
                label_zh=_label(raw, "label_zh", f"family {code!r}"),
                label_en=_label(raw, "label_en", f"family {code!r}"),
            )
        )
    return tuple(families)


def _label(raw: Mapping[str, Any], field: str, owner: str) -> str:
    value = raw.get(field)
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{owner} needs a non-empty label", field=field)
    return value.strip()


def _parse_category(raw: Any, index: int, family_codes: set[str]) -> Category:
    if not isinstance(raw, Mapping):
        raise TaxonomyError(f"category #{index + 1} must be an object", field="categories")
    code = raw.get("code")
    if not isinstance(code, str) or not _CATEGORY_CODE.match(code):
        raise TaxonomyError(
            f"category #{index + 1} needs a code like 'dispute.neighbour', not {code!r}",
            field="code",
        )
    for key in raw:
        if key not in _CATEGORY_FIELDS:
            raise TaxonomyError("unknown field", code=code, field=str(key))
    for key in _CATEGORY_FIELDS:
        if key not in raw:
            raise TaxonomyError("missing", code=code, field=key)

    family = raw["family"]
    if family not in family_codes:
        raise TaxonomyError(f"unknown family {family!r}", code=code, field="family")
    if code.split(".", 1)[0] != family:
        raise TaxonomyError(
            f"the code must start with its family, '{family}.'", code=code, field="code"
        )
    route = raw["route"]
    if route not in ROUTES:
        raise TaxonomyError(
            f"must be one of {', '.join(ROUTES)}, not {route!r}", code=code, field="route"
        )
    priority = raw["priority"]
    # bool is an int in Python; `true` as a priority is a mistake, not 1.
    if isinstance(priority, bool) or priority not in PRIORITIES:
        raise TaxonomyError(
            f"must be an integer from 1 (most urgent) to 4, not {priority!r}",
            code=code,
            field="priority",
        )
    repeat_prone = raw["repeat_prone"]
    if not isinstance(repeat_prone, bool):
        raise TaxonomyError(
            f"must be true or false, not {repeat_prone!r}", code=code, field="repeat_prone"
        )
    return Category(
        code=code,
        label_zh=_category_label(raw, code, "label_zh"),
        label_en=_category_label(raw, code, "label_en"),
        family=family,
        route=route,
        priority=priority,
        repeat_prone=repeat_prone,
    )


def _category_label(raw: Mapping[str, Any], code: str, field: str) -> str:
    value = raw.get(field)
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError("must be a non-empty text", code=code, field=field)
    return value.strip()
