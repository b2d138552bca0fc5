"""The second layer of triage: a classifier trained on the station's own closed incidents.

Character n-grams (1–3 characters, TF-IDF) and a multinomial logistic regression. Chinese
is written without spaces, so characters and their short runs are the words; this also
copes with typos and dialect forms that the lexicon has never seen. Logistic regression
gives probabilities directly from its log-loss fit; they are not re-calibrated, because a
calibration fold needs several incidents of every category, which a station's first
months will not have. Treat them as scores that rank, not as exact chances.

`combine` uses the classifier's category only when its probability is higher than the
rules' confidence; route and priority of that category then follow the same modifiers
and overrides as the rules (a weapon still makes a dispute a case), so the classifier
chooses *what* it is, the station's rules still decide *how urgent* and *who*.

Model files are pickles (joblib). Unpickling runs code chosen by whoever wrote the file:
load only model files the station wrote itself with `save`, never one received from
elsewhere. `load` refuses a file made with a different scikit-learn minor version
(retrain instead), because estimators do not unpickle safely across versions.

No Django import. scikit-learn ships no type information, so the estimator is typed `Any`
here; the module passes ``mypy --strict`` with the sklearn imports marked as untyped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .triage import Rules, TriageResult, normalise, triage, triage_as

# scikit-learn and joblib are imported where they are used: importing them takes about
# 1.8 s, which every command and server start would pay for a classifier most stations
# have not trained yet.

MODEL_FORMAT = 1


class ModelError(ValueError):
    """A model that cannot be trained or used; the message says what to do."""


@dataclass(frozen=True)
class Prediction:
    category: str
    probability: float


@dataclass(frozen=True)
class Model:
    """A trained classifier and what it was trained on."""

    pipeline: Any  # sklearn Pipeline: TfidfVectorizer → LogisticRegression
    categories: tuple[str, ...]
    samples: int
    sklearn_version: str
    format: int = MODEL_FORMAT


def train(pairs: Iterable[tuple[str, str]], *, regularisation: float = 10.0) -> Model:
    """Train on (call text, category code) pairs, e.g. the station's closed incidents.

    Deterministic: the same pairs in the same order give the same model.
    """
    texts: list[str] = []
    labels: list[str] = []
    for text, category in pairs:
        if text.strip() and category:
            texts.append(normalise(text))
            labels.append(category)
    counts = Counter(labels)
    if len(counts) < 2:
        raise ModelError(
            f"training needs incidents of at least two categories, got {len(counts)} "
            f"from {len(texts)} texts"
        )
    import sklearn  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]

    pipeline = Pipeline(
        [
            (
                "ngrams",
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
            ),
            ("classes", LogisticRegression(C=regularisation, max_iter=5000)),
        ]
    )
    pipeline.fit(texts, labels)
    return Model(
        pipeline=pipeline,
        categories=tuple(str(c) for c in pipeline.classes_),
        samples=len(texts),
        sklearn_version=sklearn.__version__,
    )


def predict(model: Model, text: str) -> Prediction:
    """The most likely category of `text` and its probability."""
    probabilities = model.pipeline.predict_proba([normalise(text)])[0]
    best = max(range(len(probabilities)), key=lambda i: (probabilities[i], -i))
    return Prediction(category=model.categories[best], probability=float(probabilities[best]))


def save(model: Model, path: str | Path) -> None:
    """Write the model to `path` (a pickle: see the module docstring on safety)."""
    import joblib  # type: ignore[import-untyped]

    joblib.dump(model, Path(path))


def load(path: str | Path) -> Model:
    """Read a model the station wrote itself with `save`. Never load a file from elsewhere."""
    import joblib
    import sklearn

    model = joblib.load(Path(path))  # noqa: S301 — our own file, see the module docstring
    if not isinstance(model, Model) or model.format != MODEL_FORMAT:
        raise ModelError(f"{path} is not a Fengqiao triage model of format {MODEL_FORMAT}")
    if _minor(model.sklearn_version) != _minor(sklearn.__version__):
        raise ModelError(
            f"{path} was trained with scikit-learn {model.sklearn_version}, this is "
            f"{sklearn.__version__}: train the model again"
        )
    return model


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def combine(
    rule_result: TriageResult, prediction: Prediction, *, text: str, rules: Rules
) -> TriageResult:
    """The rules' result, unless the classifier is more confident about another category.

    `text` and `rules` are needed to apply the station's priority modifiers and route
    overrides to the classifier's category.
    """
    p = round(prediction.probability, 2)
    if not rules.taxonomy.has_category(prediction.category):
        return _with_reason(
            rule_result,
            f"classifier suggested {prediction.category!r}, which is not in the taxonomy — ignored",
        )
    if prediction.category == rule_result.category:
        agreed = _with_reason(rule_result, f"classifier agrees, p={p:.2f}")
        return TriageResult(
            category=agreed.category,
            category_label=agreed.category_label,
            route=agreed.route,
            priority=agreed.priority,
            confidence=max(agreed.confidence, p),
            reasons=agreed.reasons,
        )
    label = rules.taxonomy.full_label(prediction.category)
    if prediction.probability > rule_result.confidence:
        result = triage_as(text, rules, prediction.category, p, f"classifier, p={p:.2f} → {label}")
        rules_label = rules.taxonomy.full_label(rule_result.category)
        return _with_reason(
            result, f"rules suggested {rules_label} with confidence {rule_result.confidence:.2f}"
        )
    return _with_reason(
        rule_result, f"classifier suggested {label}, p={p:.2f} — the rules are more confident"
    )


def _with_reason(result: TriageResult, reason: str) -> TriageResult:
    return TriageResult(
        category=result.category,
        category_label=result.category_label,
        route=result.route,
        priority=result.priority,
        confidence=result.confidence,
        reasons=[*result.reasons, reason],
    )


def triage_with_model(text: str, rules: Rules, model: Model) -> TriageResult:
    """Both layers: the rules, and the classifier where it is more confident."""
    return combine(triage(text, rules), predict(model, text), text=text, rules=rules)


def classify(text: str, rules: Rules, model: Model) -> TriageResult:
    """The classifier alone (for measuring it): its category, the rules' route and priority."""
    prediction = predict(model, text)
    if not rules.taxonomy.has_category(prediction.category):
        return triage(text, rules)
    p = round(prediction.probability, 2)
    return triage_as(text, rules, prediction.category, p, f"classifier, p={p:.2f}")
