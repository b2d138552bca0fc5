"""Triage from the words of a call: category, route, priority, confidence, and why.

The first layer of triage (issue 3, point 5) is a lexicon and a few rules, all of them
data a station edits (``data/lexicon.json``):

- **keywords** per category, each with a weight; a category's score is the sum of the
  weights of its keywords found in the text. A keyword may be a conjunction,
  ``电动车|摩托车+偷|被盗``: every ``+`` part must be present, ``|`` separates
  alternatives. A keyword found inside a longer keyword that was also found (盗窃 in
  入室盗窃) does not count; the longer one decides.
- **family keywords** (纠纷, 吵架 for disputes) add to every category of the family that
  has words of its own, or else to the family's fallback category (``dispute.other``).
- **negative keywords** take weight away from a category (a quarrel makes a noise
  complaint a dispute).
- words of one category that overlap count once, the heaviest (被骗了 is 被骗 or 骗了).
- **variants** (dialect and common variant forms, 遭人 → 被人, 屋头 → 家里) are rewritten
  to the standard word, in one pass, longest variant first, before anything is matched;
  a Chongqing station adds its own.
- ``min_score``: a station that wants weak calls judged by a person sets the score a
  category needs to be suggested; below it the call goes to the fallback category (the
  command room). Shipped as 0: on the test sets, weak words were right more often
  than not.
- **priority modifiers** make the category's default priority more urgent (刀 → 1) or less
  (昨天 → +1); **route overrides** escalate the route (a weapon or an injury in a dispute
  → case; 群体, 多人 → command). Routes only escalate, in the order transfer → community
  → case → command.

Negation is handled roughly: a word preceded in the same clause, within a few
characters, by 没有 / 没 / 未 / 无 / 不是 … does not count (没有受伤 is no injury),
except in fixed phrases such as 无法, 未成年 or the question forms 是不是 and 有没有.

Confidence comes from the margin between the best and the second-best category score:
``1 - exp(-margin / 3)``, so one decisive keyword of weight 3 alone gives about 0.63.
Ties go to the category listed first in the taxonomy, so the result is deterministic.

No Django import: tested alone and type-checked with ``mypy --strict``.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .taxonomy import (
    CASE,
    COMMAND,
    COMMUNITY,
    PRIORITIES,
    ROUTES,
    TRANSFER,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
    read_data_file,
)

DEFAULT_LEXICON_FILE = "lexicon.json"

# Routes only escalate: an override never sends a case back to the community officer.
ROUTE_ESCALATION: dict[str, int] = {TRANSFER: 0, COMMUNITY: 1, CASE: 2, COMMAND: 3}

# A confidence of 1 - exp(-margin / CONFIDENCE_SCALE).
CONFIDENCE_SCALE = 3.0

# Characters that end a clause: negation does not reach across them.
CLAUSE_BREAKS = frozenset("，,。.;；!！?？、:：\n\t ")

# Priority shifts from modifiers add up, but move at most one step either way.
MAX_SHIFT = 1

_SHIFT_REASON = {-1: "more urgent", 1: "less urgent"}


_LEXICON_FIELDS = (
    "version",
    "fallback",
    "min_score",
    "negation",
    "variants",
    "families",
    "categories",
    "priority_modifiers",
    "route_overrides",
)


class LexiconError(TaxonomyError):
    """Lexicon data that cannot be used; the message names the category and the field."""


# -- the rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A keyword as written in the lexicon: ``漏水`` or a conjunction ``电动车|摩托车+偷``."""

    text: str
    parts: tuple[tuple[str, ...], ...]  # every part must match; any alternative of a part

    @property
    def simple(self) -> bool:
        return len(self.parts) == 1 and len(self.parts[0]) == 1


@dataclass(frozen=True)
class WeightedTerm:
    term: Term
    weight: float


@dataclass(frozen=True)
class CategoryLexicon:
    """The words of one category (or of one family, for family keywords)."""

    code: str
    keywords: tuple[WeightedTerm, ...]
    negative: tuple[WeightedTerm, ...] = ()


@dataclass(frozen=True)
class FamilyLexicon:
    code: str
    keywords: tuple[WeightedTerm, ...]
    fallback: str  # the category that takes family words when no category has its own


@dataclass(frozen=True)
class PriorityModifier:
    """Words that change priority: `raise_to` sets "at least this urgent", `shift` moves it."""

    words: tuple[Term, ...]
    raise_to: int | None = None
    shift: int = 0
    families: frozenset[str] = frozenset()  # empty: every family
    categories: frozenset[str] = frozenset()

    def applies_to(self, category: str, family: str) -> bool:
        return _applies(self.families, self.categories, category, family)


@dataclass(frozen=True)
class RouteOverride:
    """Words that escalate the route (and optionally the priority) of some categories."""

    words: tuple[Term, ...]
    route: str
    raise_to: int | None = None
    families: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    def applies_to(self, category: str, family: str) -> bool:
        return _applies(self.families, self.categories, category, family)


def _applies(
    families: frozenset[str], categories: frozenset[str], category: str, family: str
) -> bool:
    if not families and not categories:
        return True
    return family in families or category in categories


@dataclass(frozen=True)
class Rules:
    """The taxonomy plus the lexicon: everything `triage` needs, all of it station data."""

    taxonomy: Taxonomy
    categories: tuple[CategoryLexicon, ...]
    families: tuple[FamilyLexicon, ...]
    modifiers: tuple[PriorityModifier, ...]
    overrides: tuple[RouteOverride, ...]
    negators: tuple[str, ...]
    negation_exceptions: tuple[str, ...]
    negation_window: int
    fallback: str  # the category when no word matched (other.other)
    variants: tuple[tuple[str, str], ...] = ()  # (variant, standard), longest variant first
    min_score: float = 2.0

    @functools.cached_property
    def keyword_index(self) -> tuple[tuple[tuple[str, WeightedTerm], ...], dict[str, tuple[int, ...]]]:
        """Every (owner, keyword) of the categories and then the families, in lexicon
        order, and for each word the positions of the keywords whose first part it is
        (a keyword is found only where its first part is)."""
        entries = tuple(
            [(lexicon.code, weighted) for lexicon in self.categories for weighted in lexicon.keywords]
            + [(f"family:{family.code}", weighted) for family in self.families for weighted in family.keywords]
        )
        by_word: dict[str, list[int]] = {}
        for position, (_owner, weighted) in enumerate(entries):
            for word in weighted.term.parts[0]:
                by_word.setdefault(word, []).append(position)
        return entries, {word: tuple(positions) for word, positions in by_word.items()}

    @functools.cached_property
    def category_order(self) -> dict[str, int]:
        return {category.code: position for position, category in enumerate(self.taxonomy.categories)}

    @functools.cached_property
    def word_lengths(self) -> frozenset[int]:
        """The lengths of the lexicon's category and family words (see `_Text.present`)."""
        lexicons: list[CategoryLexicon | FamilyLexicon] = [*self.categories, *self.families]
        return frozenset(
            len(word)
            for lexicon in lexicons
            for weighted in (*lexicon.keywords, *getattr(lexicon, "negative", ()))
            for part in weighted.term.parts
            for word in part
        )


# -- the result ------------------------------------------------------------------------


@dataclass(frozen=True)
class TriageResult:
    """A suggestion for the commander, with the words that decided it."""

    category: str
    category_label: str
    route: str
    priority: int
    confidence: float
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "category_label": self.category_label,
            "route": self.route,
            "priority": self.priority,
            "confidence": self.confidence,
            "reasons": list(self.reasons),
        }


# -- loading and validating the lexicon ------------------------------------------------


def load_rules(
    categories_path: str | Path | None = None, lexicon_path: str | Path | None = None
) -> Rules:
    """Read taxonomy and lexicon; without paths, the defaults shipped with Fengqiao."""
    taxonomy = load_taxonomy(categories_path)
    if lexicon_path is None:
        text = read_data_file(DEFAULT_LEXICON_FILE)
    else:
        text = Path(lexicon_path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LexiconError(f"not valid JSON: {error}") from error
    return parse_rules(taxonomy, data)


def parse_rules(taxonomy: Taxonomy, data: Any) -> Rules:
    """Validate lexicon data (as in ``lexicon.json``) against `taxonomy`."""
    if not isinstance(data, Mapping):
        raise LexiconError("the lexicon must be an object")
    for key in data:
        if key not in _LEXICON_FIELDS:
            raise LexiconError("unknown field", field=str(key))
    known = {category.code for category in taxonomy.categories}
    family_codes = {family.code for family in taxonomy.families}

    fallback = data.get("fallback")
    if fallback not in known:
        raise LexiconError(
            f"must be a category of the taxonomy, not {fallback!r}", field="fallback"
        )

    raw_categories = data.get("categories", {})
    if not isinstance(raw_categories, Mapping):
        raise LexiconError("must be an object keyed by category code", field="categories")
    categories: list[CategoryLexicon] = []
    for code, raw in raw_categories.items():
        if code not in known:
            raise LexiconError("not a category of the taxonomy", code=str(code))
        if not isinstance(raw, Mapping):
            raise LexiconError("must be an object", code=code)
        for key in raw:
            if key not in ("keywords", "negative"):
                raise LexiconError("unknown field", code=code, field=str(key))
        categories.append(
            CategoryLexicon(
                code=code,
                keywords=_weighted_terms(raw.get("keywords", {}), "", "keywords", code),
                negative=_weighted_terms(raw.get("negative", {}), "", "negative", code),
            )
        )

    raw_families = data.get("families", {})
    if not isinstance(raw_families, Mapping):
        raise LexiconError("must be an object keyed by family code", field="families")
    families: list[FamilyLexicon] = []
    for code, raw in raw_families.items():
        if code not in family_codes:
            raise LexiconError(f"unknown family {code!r}", field="families")
        if not isinstance(raw, Mapping):
            raise LexiconError(f"family {code!r} must be an object", field="families")
        family_fallback = raw.get("fallback")
        if family_fallback not in known or taxonomy.category(family_fallback).family != code:
            raise LexiconError(
                f"family {code!r}: the fallback must be a category of the family, "
                f"not {family_fallback!r}",
                field="families.fallback",
            )
        families.append(
            FamilyLexicon(
                code=code,
                keywords=_weighted_terms(raw.get("keywords", {}), f"family {code}", "keywords"),
                fallback=family_fallback,
            )
        )

    modifiers = [
        _modifier(raw, index, known, family_codes)
        for index, raw in enumerate(_list(data, "priority_modifiers"))
    ]
    overrides = [
        _override(raw, index, known, family_codes)
        for index, raw in enumerate(_list(data, "route_overrides"))
    ]

    negation = data.get("negation", {})
    if not isinstance(negation, Mapping):
        raise LexiconError("must be an object", field="negation")
    window = negation.get("window", 4)
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 20:
        raise LexiconError(
            f"must be an integer from 1 to 20, not {window!r}", field="negation.window"
        )
    min_score = data.get("min_score", 2.0)
    if isinstance(min_score, bool) or not isinstance(min_score, int | float) or min_score < 0:
        raise LexiconError(f"must be a number of at least 0, not {min_score!r}", field="min_score")
    return Rules(
        taxonomy=taxonomy,
        categories=tuple(categories),
        families=tuple(families),
        modifiers=tuple(modifiers),
        overrides=tuple(overrides),
        negators=_words(negation.get("negators", []), "negation.negators"),
        negation_exceptions=_words(negation.get("exceptions", []), "negation.exceptions"),
        negation_window=window,
        fallback=fallback,
        variants=_variants(data.get("variants", {})),
        min_score=float(min_score),
    )


def _variants(raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, Mapping):
        raise LexiconError("must be an object of variant → standard word", field="variants")
    pairs: list[tuple[str, str]] = []
    for variant, standard in raw.items():
        if not isinstance(variant, str) or not variant.strip() or not isinstance(standard, str):
            raise LexiconError(
                f"{variant!r} → {standard!r}: both must be texts, the variant non-empty",
                field="variants",
            )
        pairs.append((normalise(variant.strip()), normalise(standard.strip())))
    # Longest first, so 屋里头 is rewritten before 屋头 could be.
    pairs.sort(key=lambda pair: -len(pair[0]))
    return tuple(pairs)


def rewrite(text: str, rules: Rules) -> str:
    """The call text as the lexicon reads it: normalised, variants rewritten in one pass
    (a rewritten word is never rewritten again)."""
    text = normalise(text)
    if not rules.variants:
        return text
    standard = dict(rules.variants)
    return _variant_pattern(rules.variants).sub(lambda match: standard[match.group(0)], text)


@functools.lru_cache(maxsize=8)
def _variant_pattern(variants: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    # Alternatives are tried in order, and `variants` is longest first.
    return re.compile("|".join(re.escape(variant) for variant, _ in variants))


def normalise(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, Latin letters lower-cased."""
    return unicodedata.normalize("NFKC", text).lower()


def parse_term(raw: str) -> Term:
    """``电动车|摩托车+偷|被盗`` → parts ((电动车, 摩托车), (偷, 被盗))."""
    parts: list[tuple[str, ...]] = []
    for part in raw.split("+"):
        alternatives = tuple(normalise(word.strip()) for word in part.split("|"))
        if not all(alternatives):
            raise ValueError(f"empty word in {raw!r}")
        parts.append(alternatives)
    return Term(text=raw, parts=tuple(parts))


def _term(raw: Any, owner: str, field_name: str, code: str = "") -> Term:
    prefix = f"{owner}: " if owner else ""
    if not isinstance(raw, str) or not raw.strip():
        raise LexiconError(
            f"{prefix}words must be non-empty texts, not {raw!r}", code=code, field=field_name
        )
    try:
        return parse_term(raw.strip())
    except ValueError as error:
        raise LexiconError(f"{prefix}{error}", code=code, field=field_name) from error


def _weighted_terms(
    raw: Any, owner: str, field_name: str, code: str = ""
) -> tuple[WeightedTerm, ...]:
    prefix = f"{owner}: " if owner else ""
    if not isinstance(raw, Mapping):
        raise LexiconError(
            f"{prefix}must be an object of word → weight", code=code, field=field_name
        )
    terms: list[WeightedTerm] = []
    for word, weight in raw.items():
        term = _term(word, owner, field_name, code)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 10:
            raise LexiconError(
                f"{prefix}the weight of {word!r} must be a number above 0 and at most 10, "
                f"not {weight!r}",
                code=code,
                field=field_name,
            )
        terms.append(WeightedTerm(term=term, weight=float(weight)))
    return tuple(terms)


def _words(raw: Any, field_name: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(w, str) and w.strip() for w in raw):
        raise LexiconError("must be a list of non-empty texts", field=field_name)
    return tuple(normalise(w.strip()) for w in raw)


def _list(data: Mapping[str, Any], field_name: str) -> list[Any]:
    raw = data.get(field_name, [])
    if not isinstance(raw, list):
        raise LexiconError("must be a list", field=field_name)
    return raw


def _scope(
    raw: Mapping[str, Any], owner: str, known: set[str], family_codes: set[str]
) -> tuple[frozenset[str], frozenset[str]]:
    families = raw.get("families", [])
    categories = raw.get("categories", [])
    if not isinstance(families, list) or not all(f in family_codes for f in families):
        raise LexiconError(f"{owner}: unknown family in {families!r}", field="families")
    if not isinstance(categories, list) or not all(c in known for c in categories):
        raise LexiconError(f"{owner}: unknown category in {categories!r}", field="categories")
    return frozenset(families), frozenset(categories)


def _raise_to(raw: Mapping[str, Any], owner: str) -> int | None:
    value = raw.get("raise_to")
    if value is None:
        return None
    if isinstance(value, bool) or value not in PRIORITIES:
        raise LexiconError(
            f"{owner}: must be a priority from 1 to 4, not {value!r}", field="raise_to"
        )
    return int(value)


def _rule_words(raw: Mapping[str, Any], owner: str) -> tuple[Term, ...]:
    words = raw.get("words")
    if not isinstance(words, list) or not words:
        raise LexiconError(f"{owner}: needs a non-empty list of words", field="words")
    return tuple(_term(word, owner, "words") for word in words)


def _modifier(raw: Any, index: int, known: set[str], family_codes: set[str]) -> PriorityModifier:
    owner = f"priority_modifiers[{index}]"
    if not isinstance(raw, Mapping):
        raise LexiconError(f"{owner}: must be an object", field="priority_modifiers")
    for key in raw:
        if key not in ("words", "raise_to", "shift", "families", "categories", "note"):
            raise LexiconError(f"{owner}: unknown field", field=str(key))
    shift = raw.get("shift", 0)
    if isinstance(shift, bool) or shift not in (-1, 0, 1):
        raise LexiconError(f"{owner}: must be -1, 0 or 1, not {shift!r}", field="shift")
    raise_to = _raise_to(raw, owner)
    if raise_to is None and shift == 0:
        raise LexiconError(f"{owner}: needs raise_to or shift", field="priority_modifiers")
    families, categories = _scope(raw, owner, known, family_codes)
    return PriorityModifier(
        words=_rule_words(raw, owner),
        raise_to=raise_to,
        shift=int(shift),
        families=families,
        categories=categories,
    )


def _override(raw: Any, index: int, known: set[str], family_codes: set[str]) -> RouteOverride:
    owner = f"route_overrides[{index}]"
    if not isinstance(raw, Mapping):
        raise LexiconError(f"{owner}: must be an object", field="route_overrides")
    for key in raw:
        if key not in ("words", "route", "raise_to", "families", "categories", "note"):
            raise LexiconError(f"{owner}: unknown field", field=str(key))
    route = raw.get("route")
    if route not in ROUTES:
        raise LexiconError(
            f"{owner}: must be one of {', '.join(ROUTES)}, not {route!r}", field="route"
        )
    families, categories = _scope(raw, owner, known, family_codes)
    return RouteOverride(
        words=_rule_words(raw, owner),
        route=route,
        raise_to=_raise_to(raw, owner),
        families=families,
        categories=categories,
    )


# -- finding words in a text -----------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """Where a term was found: the span of its first part, and the word as it appears."""

    word: str
    start: int
    end: int


@dataclass
class _Text:
    """A normalised call text and the negation facts needed to read it."""

    text: str
    rules: Rules
    negated: list[str] = field(default_factory=list)  # reasons for words that did not count

    @functools.cached_property
    def present(self) -> frozenset[str]:
        """Every piece of the text as long as some lexicon word: a word of such a length
        that is not among them is not in the text, which spares a search for each of the
        lexicon's hundreds of words that a short call does not contain."""
        text = self.text
        return frozenset(
            text[start:start + length]
            for length in self.rules.word_lengths
            for start in range(len(text) - length + 1)
        )

    def occurrences(self, word: str) -> list[tuple[int, int, str | None]]:
        """Every (start, end, negator) of `word`; negator is None when it counts."""
        found: list[tuple[int, int, str | None]] = []
        start = self.text.find(word)
        while start != -1:
            found.append((start, start + len(word), self._negator_before(start)))
            start = self.text.find(word, start + 1)
        return found

    def _negator_before(self, start: int) -> str | None:
        clause_start = start
        window = self.rules.negation_window
        while clause_start > 0 and start - clause_start < window:
            if self.text[clause_start - 1] in CLAUSE_BREAKS:
                break
            clause_start -= 1
        for negator in self.rules.negators:
            position = self.text.find(negator, clause_start, start)
            while position != -1:
                if not self._in_exception(position, len(negator)):
                    return negator
                position = self.text.find(negator, position + 1, start)
        return None

    def _in_exception(self, position: int, length: int) -> bool:
        for exception in self.rules.negation_exceptions:
            begin = max(0, position - len(exception) + length)
            at = self.text.find(exception, begin, position + len(exception))
            while at != -1 and at <= position:
                if at + len(exception) >= position + length:
                    return True
                at = self.text.find(exception, at + 1, position + len(exception))
        return False

    def find(self, term: Term) -> Found | None:
        """The term if every part is present and not negated; negated finds are noted."""
        hits: list[Found] = []
        for part in term.parts:
            hit = self._find_part(part)
            if hit is None:
                return None
            hits.append(hit)
        if len(hits) == 1:
            return hits[0]
        # A conjunction is quoted by the words actually found: 电话+骗.
        return Found(word="+".join(h.word for h in hits), start=hits[0].start, end=hits[0].end)

    def _find_part(self, alternatives: tuple[str, ...]) -> Found | None:
        negated: tuple[str, str] | None = None
        present, lengths = self.present, self.rules.word_lengths
        for word in alternatives:
            if word not in present and len(word) in lengths:
                continue
            for start, end, negator in self.occurrences(word):
                if negator is None:
                    return Found(word=word, start=start, end=end)
                negated = (word, negator)
        if negated is not None:
            note = f"“{negated[0]}” negated by “{negated[1]}” — ignored"
            if note not in self.negated:
                self.negated.append(note)
        return None

    def first_word(self, terms: Iterable[Term]) -> str | None:
        """The first of `terms` found (longest first), as it appears in the text."""
        found = [hit for term in terms if (hit := self.find(term)) is not None]
        if not found:
            return None
        found.sort(key=lambda hit: (-(hit.end - hit.start), hit.start))
        return found[0].word


# -- scoring ---------------------------------------------------------------------------


@dataclass
class _Scored:
    code: str
    score: float = 0.0
    own: float = 0.0
    words: list[tuple[str, float]] = field(default_factory=list)
    against: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Hit:
    owner: str  # a category code, or "family:<code>"
    word: str
    weight: float
    start: int
    end: int
    simple: bool


def _hits(reader: _Text, rules: Rules) -> list[_Hit]:
    entries, by_word = rules.keyword_index
    # Only keywords whose first part is in the text can be found: a few of hundreds.
    candidates = sorted({position for word in reader.present & by_word.keys() for position in by_word[word]})
    hits: list[_Hit] = []
    for position in candidates:
        owner, weighted = entries[position]
        found = reader.find(weighted.term)
        if found is not None:
            hits.append(_Hit(owner, found.word, weighted.weight, found.start, found.end, weighted.term.simple))
    return _drop_contained(hits)


def _drop_contained(hits: list[_Hit]) -> list[_Hit]:
    """A word found inside a longer word that was also found does not count (盗窃 in 入室盗窃)."""
    kept: list[_Hit] = []
    simple = [hit for hit in hits if hit.simple]
    for hit in hits:
        if hit.simple and any(
            other.start <= hit.start
            and hit.end <= other.end
            and other.end - other.start > hit.end - hit.start
            for other in simple
        ):
            continue
        kept.append(hit)
    return kept


def _without_overlaps(hits: list[_Hit]) -> list[_Hit]:
    """Overlapping words of one owner count once, the heaviest: 被骗了 is 被骗 or 骗了."""
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.weight, h.start)):
        if hit.simple and any(
            other.owner == hit.owner
            and other.simple
            and other.start < hit.end
            and hit.start < other.end
            for other in kept
        ):
            continue
        kept.append(hit)
    kept.sort(key=lambda h: (h.start, -h.weight))
    return kept


def _score(reader: _Text, rules: Rules) -> dict[str, _Scored]:
    """The categories some word speaks for (or against); every other one scores 0."""
    taxonomy = rules.taxonomy
    scored: dict[str, _Scored] = {}

    def entry_of(code: str) -> _Scored:
        found = scored.get(code)
        if found is None:
            found = scored[code] = _Scored(code)
        return found

    family_words: dict[str, list[tuple[str, float]]] = {}
    for hit in _without_overlaps(_hits(reader, rules)):
        if hit.owner.startswith("family:"):
            family_words.setdefault(hit.owner.removeprefix("family:"), []).append(
                (hit.word, hit.weight)
            )
        else:
            entry = entry_of(hit.owner)
            if all(word != hit.word for word, _ in entry.words):
                entry.words.append((hit.word, hit.weight))
                entry.own += hit.weight
    for entry in scored.values():
        entry.score = entry.own

    for family in rules.families:
        words = family_words.get(family.code, [])
        if not words:
            continue
        bonus = sum(weight for _, weight in words)
        members = [c.code for c in taxonomy.in_family(family.code) if c.code in scored and scored[c.code].own > 0]
        for code in members or [family.fallback]:
            entry = entry_of(code)
            entry.score += bonus
            entry.words.extend(words)

    for lexicon in rules.categories:
        against = scored.get(lexicon.code)
        if against is None or against.score <= 0:
            continue
        for weighted in lexicon.negative:
            found = reader.find(weighted.term)
            if found is not None:
                against.score = max(0.0, against.score - weighted.weight)
                against.against.append(found.word)
    return scored


def _confidence(best: float, second: float) -> float:
    return round(1.0 - math.exp(-(best - second) / CONFIDENCE_SCALE), 2)


# -- deciding --------------------------------------------------------------------------


def triage(text: str, rules: Rules) -> TriageResult:
    """Suggest category, route, priority and confidence for a call `text`, with reasons."""
    reader = _Text(rewrite(text, rules), rules)
    scored = _score(reader, rules)
    # Highest score first; of equal scores the category that comes first in the taxonomy.
    # A category no word spoke for scores 0, as does an empty `_Scored`.
    order = rules.category_order
    ranked = sorted((entry for entry in scored.values() if entry.score > 0), key=lambda e: (-e.score, order[e.code]))
    best = ranked[0] if ranked else _Scored("")
    second = ranked[1] if len(ranked) > 1 else _Scored("")

    taxonomy = rules.taxonomy
    reasons: list[str] = []
    if best.score <= 0:
        code = rules.fallback
        confidence = 0.0
        reasons.append(f"no keyword matched → {taxonomy.full_label(code)}")
    elif best.score < rules.min_score:
        code = rules.fallback
        confidence = 0.0
        words = "、".join(f"“{word}”" for word, _weight in best.words)
        reasons.append(
            f"too little to go on ({words} → {taxonomy.full_label(best.code)}, "
            f"score {best.score:g} < {rules.min_score:g}) → {taxonomy.full_label(code)}"
        )
    else:
        code = best.code
        confidence = _confidence(best.score, second.score)
        label = taxonomy.full_label(code)
        for word, _weight in sorted(best.words, key=lambda item: -item[1]):
            reasons.append(f"“{word}” → {label}")
        for word in best.against:
            reasons.append(f"“{word}” counts against {label}")
        if second.score > 0:
            reasons.append(
                f"score {best.score:g} vs {second.score:g} for {taxonomy.full_label(second.code)}"
            )
    return _route_and_priority(reader, rules, code, confidence, reasons)


def triage_as(
    text: str, rules: Rules, category: str, confidence: float, reason: str
) -> TriageResult:
    """The result for a category decided elsewhere (the classifier), with the same rules
    for route and priority as `triage` applies."""
    reader = _Text(rewrite(text, rules), rules)
    return _route_and_priority(reader, rules, category, confidence, [reason])


def _route_and_priority(
    reader: _Text, rules: Rules, code: str, confidence: float, reasons: list[str]
) -> TriageResult:
    category = rules.taxonomy.category(code)
    priority = category.priority
    route = category.route

    shift = 0
    for modifier in rules.modifiers:
        if not modifier.applies_to(category.code, category.family):
            continue
        word = reader.first_word(modifier.words)
        if word is None:
            continue
        if modifier.raise_to is not None and modifier.raise_to < priority:
            priority = modifier.raise_to
            reasons.append(f"“{word}” → priority {modifier.raise_to}")
        if modifier.shift:
            shift += modifier.shift
            reasons.append(
                f"“{word}” → priority {modifier.shift:+d} ({_SHIFT_REASON[modifier.shift]})"
            )

    for override in rules.overrides:
        if not override.applies_to(category.code, category.family):
            continue
        word = reader.first_word(override.words)
        if word is None:
            continue
        if ROUTE_ESCALATION[override.route] > ROUTE_ESCALATION[route]:
            route = override.route
            reasons.append(f"“{word}” → route {override.route}")
        if override.raise_to is not None and override.raise_to < priority:
            priority = override.raise_to
            reasons.append(f"“{word}” → priority {override.raise_to}")

    shift = max(-MAX_SHIFT, min(MAX_SHIFT, shift))
    priority = max(PRIORITIES[0], min(PRIORITIES[-1], priority + shift))
    reasons.extend(reader.negated)
    return TriageResult(
        category=category.code,
        category_label=category.label_zh,
        route=route,
        priority=priority,
        confidence=confidence,
        reasons=reasons,
    )


# -- the test set and its figures ------------------------------------------------------


@dataclass(frozen=True)
class CallRow:
    """One call of a test set with what a station's commander would decide."""

    text: str
    category: str
    route: str
    priority: int


def load_calls(path: str | Path) -> list[CallRow]:
    """Read a test set CSV with the columns text, category, route, priority."""
    rows: list[CallRow] = []
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            try:
                priority = int(record["priority"])
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"{path}, line {line}: priority must be 1–4") from error
            route = record.get("route") or ""
            if route not in ROUTES or priority not in PRIORITIES:
                raise ValueError(f"{path}, line {line}: bad route {route!r} or priority {priority}")
            rows.append(
                CallRow(
                    text=record["text"],
                    category=record["category"],
                    route=route,
                    priority=priority,
                )
            )
    return rows


def load_shipped_calls(name: str) -> list[CallRow]:
    """A test set shipped in ``data/`` (``calls_lexicon.csv`` or ``calls_heldout.csv``)."""
    text = read_data_file(name)
    rows: list[CallRow] = []
    for record in csv.DictReader(text.splitlines()):
        rows.append(
            CallRow(
                text=record["text"],
                category=record["category"],
                route=record["route"],
                priority=int(record["priority"]),
            )
        )
    return rows


Judge = Callable[[str], TriageResult]


def evaluate(rows: Sequence[CallRow], rules: Rules, judge: Judge | None = None) -> dict[str, Any]:
    """Route, category and priority accuracy of `judge` (the rules by default) on `rows`,
    overall and per expected family, with the route misses listed."""
    judge_call: Judge = judge if judge is not None else functools.partial(_triage_with, rules)
    taxonomy = rules.taxonomy
    totals = _Tally()
    by_family: dict[str, _Tally] = {family.code: _Tally() for family in taxonomy.families}
    misses: list[dict[str, str]] = []
    for row in rows:
        result = judge_call(row.text)
        family = row.category.split(".", 1)[0]
        for tally in (totals, by_family.setdefault(family, _Tally())):
            tally.add(row, result)
        if result.route != row.route:
            misses.append(
                {
                    "text": row.text,
                    "expected": f"{row.category} / {row.route}",
                    "got": f"{result.category} / {result.route}",
                }
            )
    figures: dict[str, Any] = totals.figures()
    figures["by_family"] = {code: tally.figures() for code, tally in by_family.items() if tally.n}
    figures["route_misses"] = misses
    return figures


def _triage_with(rules: Rules, text: str) -> TriageResult:
    return triage(text, rules)


@dataclass
class _Tally:
    n: int = 0
    route: int = 0
    category: int = 0
    family: int = 0
    priority: int = 0
    priority_within_one: int = 0

    def add(self, row: CallRow, result: TriageResult) -> None:
        self.n += 1
        self.route += result.route == row.route
        self.category += result.category == row.category
        self.family += result.category.split(".", 1)[0] == row.category.split(".", 1)[0]
        self.priority += result.priority == row.priority
        self.priority_within_one += abs(result.priority - row.priority) <= 1

    def figures(self) -> dict[str, Any]:
        def share(count: int) -> float:
            return round(count / self.n, 3) if self.n else 0.0

        return {
            "n": self.n,
            "route_accuracy": share(self.route),
            "category_accuracy": share(self.category),
            "family_accuracy": share(self.family),
            "priority_accuracy": share(self.priority),
            "priority_within_one": share(self.priority_within_one),
        }
