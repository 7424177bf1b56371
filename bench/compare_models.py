"""Intent classifiers compared for danger triage (issue #12, section 7): an experiment, not a test.

Not part of `make test` or `make bench`: it takes tens of minutes and some candidates need
packages the project does not install. Run it from the project root:

    # the extra candidates, outside the project's venv and requirements (skipped when absent)
    .venv/bin/pip install --no-deps --target /tmp/cand fasttext-wheel==0.9.2 tokenizers
    .venv/bin/pip install --no-deps --target /tmp/cand wordllama==0.4.0.post1   # its files only
    PYTHONPATH=.:/tmp/cand nice -n 15 .venv/bin/python -m bench.compare_models --cache /tmp/cmp

    # one model at a time (results are cached per model, the report is built from the cache):
    ... -m bench.compare_models --cache /tmp/cmp --models baseline,fasttext
    ... -m bench.compare_models --cache /tmp/cmp --report-only

    # docs/triage-models.md was measured on commit 191919f; to reproduce it on a tree that has
    # moved on: git archive 191919f | tar -x -C /tmp/snap; cp bench/compare_models.py /tmp/snap/bench/
    # then run the above from /tmp/snap with PYTHONPATH=/tmp/snap:/tmp/cand

What it measures, for every candidate:
- k-fold cross-validation (5 by default, stratified by intent, identical folded texts kept in
  one fold) on the training data only (data/nlu/**): intent accuracy and macro F1, and the
  severity that bot.understanding.triage.classifier_severity decides from each out-of-fold
  ranking: critical recall, critical-or-high recall, harmless escalated, harmless paged critical.
- then, trained on all the training data, the held-out sets (eval/*.jsonl) for measurement only:
  the same figures, per kind of message, with the classifier alone and with the whole triage
  decision (bot.understanding.triage.assess: the safety net and its contexts on top). Nothing is
  chosen on them, and no held-out text is printed or stored: only counts and ratios.
- training time on all the data and latency of one message (p50, p99), single-threaded.

Texts go through what the live pipeline does before the classifier: the keyboard decoder and the
normaliser (NFC, lower case, diacritics folded). Severity-model candidates keep the intent model's
intents and rescale its ranking per severity to the severity model's probabilities, so the same
classifier_severity and assess run unchanged on their output.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
HARD_KINDS = ("negated", "past", "hypothetical_or_information", "figurative_or_media", "someone_else", "indirect", "everyday_opener")
SEED = 42


# ---------------------------------------------------------------- data, as the pipeline sees it

def prepare(text: str) -> str:
    from bot.nlu.normaliser import normalise
    from bot.understanding import keyboard

    return normalise(keyboard.decode(text))


def load_training() -> Tuple[List[str], List[str]]:
    """The intent examples of data/nlu/** (entity markup stripped by Rasa's own reader)."""
    import logging

    logging.getLogger("rasa").setLevel(logging.ERROR)
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(ROOT / "data" / "nlu"))
    examples = [(e.get("text"), e.get("intent")) for e in data.intent_examples if e.get("text") and e.get("intent")]
    return [prepare(t) for t, _ in examples], [i for _, i in examples]


def load_held_out(path: Path) -> List[Dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        row["prepared"] = prepare(row["text"])
    return rows


# ---------------------------------------------------------------- candidates

class FastTextClassifier:
    """fastText supervised, trained from scratch here (no pretrained vectors: those are a download),
    with word bigrams and character subwords (minn..maxn); softmax loss, so a full distribution."""

    def __init__(self, **params: Any) -> None:
        self.params = {"dim": 100, "epoch": 50, "lr": 0.5, "wordNgrams": 2, "minn": 2, "maxn": 5,
                       "loss": "softmax", "thread": 1, "verbose": 0, "seed": SEED, **params}

    @staticmethod
    def _tokens(text: str) -> str:
        return " ".join(re.findall(r"\w+|[^\w\s]", text))

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> FastTextClassifier:
        import fasttext

        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
            for text, label in zip(texts, labels):
                handle.write(f"__label__{label} {self._tokens(text)}\n")
        try:
            self.model = fasttext.train_supervised(input=handle.name, **self.params)
        finally:
            os.unlink(handle.name)
        self.classes_ = np.array(sorted(set(labels)))
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.classes_)}
        labels, probabilities = self.model.predict([self._tokens(t) for t in texts], k=-1)
        out = np.zeros((len(texts), len(self.classes_)))
        for row, (names, ps) in enumerate(zip(labels, probabilities)):
            for name, p in zip(names, ps):
                out[row, index[name[len("__label__"):]]] = p
        return out / out.sum(axis=1, keepdims=True)


def wordllama_files() -> Tuple[Path, Path]:
    """The weights and tokenizer inside the wordllama wheel, found without importing the package
    (its compiled helpers need numpy 2; the project has numpy 1.23 because of TensorFlow 2.12)."""
    spec = find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("wordllama is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    return package / "weights" / "l2_supercat_256.safetensors", package / "tokenizers" / "l2_supercat_tokenizer_config.json"


class WordLlamaEmbedder:
    """WordLlama's l2_supercat 256-d embedding (token embeddings from Llama 2's, average-pooled,
    L2-normalised), reproduced with safetensors + tokenizers, the way wordllama's embed() does it."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight
        self._table: Optional[np.ndarray] = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        if self._table is None:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer

            weights, tokenizer = wordllama_files()
            self._table = np.ascontiguousarray(load_file(str(weights))["embedding.weight"].astype(np.float32))
            self._tokenizer = Tokenizer.from_file(str(tokenizer))
            self._tokenizer.no_padding()
            self._tokenizer.no_truncation()

    def fit(self, texts: Sequence[str], labels: Any = None) -> WordLlamaEmbedder:
        self._load()
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        from scipy import sparse

        self._load()
        assert self._table is not None
        rows = np.zeros((len(texts), self._table.shape[1]), dtype=np.float32)
        for i, encoding in enumerate(self._tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            ids = np.clip(np.array(encoding.ids, dtype=np.int64), 0, self._table.shape[0] - 1)
            if len(ids):
                vector = self._table[ids].mean(axis=0)
                rows[i] = vector / (np.linalg.norm(vector) or 1.0)
        return sparse.csr_matrix(rows * self.weight)

    def fit_transform(self, texts: Sequence[str], labels: Any = None) -> Any:
        return self.fit(texts).transform(texts)

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        return {"weight": self.weight}

    def set_params(self, **params: Any) -> WordLlamaEmbedder:
        self.weight = params.get("weight", self.weight)
        return self


class ContextFeatures:
    """The safety net's danger cues as features, each with its context (bot.understanding.context):
    one column per (severity of the cue, stands / negated / past / hypothetical / figurative), so
    that the classifier itself sees "hit, but in the past" apart from "hit"."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    @staticmethod
    def _columns() -> List[str]:
        from bot.understanding.context import Context

        return [f"{s}:{c}" for s in ("critical", "high") for c in ["stands", *sorted(x.value for x in Context)]]

    def fit(self, texts: Sequence[str], labels: Any = None) -> ContextFeatures:
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        from scipy import sparse

        from bot.understanding.safety import scan_all

        index = {name: i for i, name in enumerate(self._columns())}
        rows = np.zeros((len(texts), len(index)), dtype=np.float32)
        for i, text in enumerate(texts):
            for hit in scan_all(text):
                if str(hit.severity) not in ("critical", "high"):
                    continue
                for context in (["stands"] if hit.stands else [c.value for c in hit.contexts]):
                    rows[i, index[f"{hit.severity}:{context}"]] = self.weight
        return sparse.csr_matrix(rows)

    def fit_transform(self, texts: Sequence[str], labels: Any = None) -> Any:
        return self.transform(texts)

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        return {"weight": self.weight}

    def set_params(self, **params: Any) -> ContextFeatures:
        self.weight = params.get("weight", self.weight)
        return self


def tfidf_with_context() -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    return make_pipeline(make_union(*tfidf_views(), ContextFeatures()),
                         LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced", random_state=SEED))


def baseline() -> Any:
    from bot.nlu.classifier import TfidfIntentClassifier, build_pipeline

    return build_pipeline(TfidfIntentClassifier.get_default_config())


def tfidf_views() -> List[Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)]


def wordllama_with_tfidf(weight: float) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    return make_pipeline(make_union(*tfidf_views(), WordLlamaEmbedder(weight)),
                         LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced", random_state=SEED))


def wordllama_alone() -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(WordLlamaEmbedder(), LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced", random_state=SEED))


def ensemble(first: Optional[Callable[[], Any]] = None) -> Any:
    """Soft vote of three views: today's LR (word 1-2 + char_wb 2-5), a linear SVM over char 1-4
    n-grams (within word boundaries and across them), and complement naive Bayes over word 1-3
    n-grams; the SVM and NB made probabilistic by sigmoid calibration on 3 inner folds."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import VotingClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    svm = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True, min_df=2),
        CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced", random_state=SEED), cv=3, method="sigmoid"),
    )
    nb = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True),
        CalibratedClassifierCV(ComplementNB(alpha=0.3), cv=3, method="sigmoid"),
    )
    return VotingClassifier([("lr", (first or baseline)()), ("svm", svm), ("nb", nb)], voting="soft")


class SeverityHead:
    """An intent model plus a model of severity itself (3 classes, same kind of features): the
    intent ranking is rescaled within each severity so that the severities' masses are the
    severity model's probabilities. classifier_severity then reads the severity model."""

    def __init__(self, intent_model: Callable[[], Any], severity_model: Callable[[], Any]) -> None:
        self._make_intent, self._make_severity = intent_model, severity_model

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> SeverityHead:
        from bot.understanding.intents import severity_of

        self.intent = self._make_intent().fit(texts, labels)
        self.severity = self._make_severity().fit(texts, [str(severity_of(label)) for label in labels])
        self.classes_ = np.asarray(self.intent.classes_)
        self._groups = np.array([str(severity_of(c)) for c in self.classes_])
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        intents = self.intent.predict_proba(texts)
        severities = self.severity.predict_proba(texts)
        out = np.zeros_like(intents)
        for column, name in enumerate(self.severity.classes_):
            members = self._groups == name
            mass = intents[:, members].sum(axis=1, keepdims=True)
            out[:, members] = intents[:, members] / np.maximum(mass, 1e-12) * severities[:, [column]]
        return out


def severity_lr() -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    return make_pipeline(make_union(*tfidf_views()),
                         LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced", random_state=SEED))


def calibrated_baseline() -> Any:
    """Today's features and LR, its probabilities calibrated (sigmoid, 3 inner folds)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    return make_pipeline(make_union(*tfidf_views()), CalibratedClassifierCV(
        LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced", random_state=SEED), cv=3, method="sigmoid"))


CANDIDATES: Dict[str, Tuple[str, Callable[[], Any], Tuple[str, ...]]] = {
    # name: (what it is, factory, packages it needs beyond the project's)
    "baseline": ("today: TF-IDF word 1-2 + char_wb 2-5, LR C=10 (bot/nlu/classifier.py)", baseline, ()),
    "fasttext": ("fastText supervised, dim 100, word bigrams, subwords 2-5, 50 epochs, lr 0.5",
                 lambda: FastTextClassifier(), ("fasttext",)),
    "fasttext_e25": ("fastText as above, 25 epochs, lr 1.0", lambda: FastTextClassifier(epoch=25, lr=1.0), ("fasttext",)),
    "fasttext_e100": ("fastText, dim 50, word bigrams, subwords 3-6, 100 epochs, lr 0.2",
                      lambda: FastTextClassifier(dim=50, epoch=100, lr=0.2, minn=3, maxn=6), ("fasttext",)),
    "ensemble": ("soft vote: today's LR + calibrated linear SVM (char 1-4) + calibrated complement NB (word 1-3)",
                 ensemble, ()),
    "wordllama": ("WordLlama l2_supercat 256-d mean-pooled embedding alone, LR C=10", wordllama_alone,
                  ("tokenizers", "wordllama")),
    "tfidf_wordllama": ("today's TF-IDF views + WordLlama 256-d embedding (weight 1), LR C=10",
                        lambda: wordllama_with_tfidf(1.0), ("tokenizers", "wordllama")),
    "tfidf_context": ("today's TF-IDF views + the safety net's cues with their ConText context as features, LR C=10",
                      tfidf_with_context, ()),
    "ensemble_context": ("the ensemble with tfidf_context in place of today's LR", lambda: ensemble(tfidf_with_context), ()),
    "severity_head": ("today's intent LR + a 3-class severity LR over the same features (severity from the latter)",
                      lambda: SeverityHead(baseline, severity_lr), ()),
    "calibrated": ("today's features and LR, sigmoid-calibrated on 3 inner folds", calibrated_baseline, ()),
}


# ---------------------------------------------------------------- measuring

def rankings(classes: Sequence[str], probabilities: np.ndarray) -> List[List[Dict[str, Any]]]:
    out = []
    for row in probabilities:
        order = np.argsort(-row)
        out.append([{"name": str(classes[i]), "confidence": float(row[i])} for i in order])
    return out


def severities(texts: Sequence[str], ranked: Sequence[Sequence[Dict[str, Any]]], with_safety_net: bool) -> List[str]:
    from bot.understanding.triage import assess, classifier_severity

    if not with_safety_net:
        return [str(classifier_severity(r)) for r in ranked]
    return [str(assess(t, r[0]["name"], r[0]["confidence"], r).severity) for t, r in zip(texts, ranked)]


def severity_figures(gold: Sequence[str], got: Sequence[str]) -> Dict[str, float]:
    from bot.cli.evaluate import severity_figures as figures

    return figures([{"severity": g} for g in gold], [{"severity": p} for p in got])


def intent_figures(gold: Sequence[str], predicted: Sequence[str]) -> Dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return {"intent_accuracy": float(accuracy_score(gold, predicted)),
            "intent_macro_f1": float(f1_score(gold, predicted, average="macro", zero_division=0))}


def cross_validate(make: Callable[[], Any], texts: List[str], labels: List[str], folds: int) -> Dict[str, Any]:
    from sklearn.model_selection import StratifiedGroupKFold

    from bot.understanding.intents import severity_of

    groups = {t: i for i, t in enumerate(dict.fromkeys(texts))}
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    predicted: List[Optional[str]] = [None] * len(texts)
    ranked: List[Any] = [None] * len(texts)
    fit_seconds = []
    for train, test in splitter.split(texts, labels, [groups[t] for t in texts]):
        started = time.perf_counter()
        model = make().fit([texts[i] for i in train], np.array([labels[i] for i in train]))  # arrays: sklearn 1.1's calibration counts classes with ==
        fit_seconds.append(time.perf_counter() - started)
        print(f"  fold {len(fit_seconds)}/{folds}: fitted in {fit_seconds[-1]:.0f} s", file=sys.stderr, flush=True)
        for i, r in zip(test, rankings(model.classes_, model.predict_proba([texts[i] for i in test]))):
            ranked[i], predicted[i] = r, r[0]["name"]
    gold_severity = [str(severity_of(label)) for label in labels]
    got = severities(texts, ranked, with_safety_net=False)
    return {**intent_figures(labels, [p or "" for p in predicted]), **severity_figures(gold_severity, got),
            "folds": folds, "fold_fit_seconds": [round(s, 1) for s in fit_seconds],
            "oof_masses": masses(ranked), "gold_severity": gold_severity}


def masses(ranked: Sequence[Sequence[Dict[str, Any]]]) -> List[List[float]]:
    """P(critical), P(high), P(none) per message: kept for choosing thresholds on training folds."""
    from bot.understanding.intents import severity_of
    from bot.understanding.severity import Severity

    out = []
    for r in ranked:
        sums = defaultdict(float)
        for entry in r:
            sums[severity_of(entry["name"])] += entry["confidence"]
        out.append([round(sums[Severity.critical], 5), round(sums[Severity.high], 5), round(sums[Severity.none], 5)])
    return out


def held_out(model: Any, rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    texts = [r["prepared"] for r in rows]
    ranked = rankings(model.classes_, model.predict_proba(texts))
    gold = [r["severity"] for r in rows]
    result: Dict[str, Any] = {}
    for mode, net in (("classifier", False), ("with_safety_net", True)):
        got = severities(texts, ranked, with_safety_net=net)
        figures: Dict[str, Any] = {"all": severity_figures(gold, got)}
        kinds: Dict[str, List[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            if row.get("kind"):
                kinds[row["kind"]].append(i)
        for kind, indexes in sorted(kinds.items()):
            figures[kind] = severity_figures([gold[i] for i in indexes], [got[i] for i in indexes])
        figures["everyday_openers_critical"] = sum(got[i] == "critical" for i in kinds.get("everyday_opener", []))
        result[mode] = figures
    with_intent = [(r["intent"], rk[0]["name"]) for r, rk in zip(rows, ranked) if "intent" in r]
    if with_intent:
        result["intent"] = intent_figures([g for g, _ in with_intent], [p for _, p in with_intent])
    result["masses"] = masses(ranked)
    result["classes"] = [str(c) for c in model.classes_]
    result["proba"] = np.round(model.predict_proba(texts), 5).tolist()
    return result


def latency(model: Any, texts: Sequence[str], count: int = 300) -> Dict[str, float]:
    """One message a call, as the live bot gets them; the model alone (the normaliser is shared)."""
    samples = []
    for text in list(texts)[:count]:
        started = time.perf_counter()
        model.predict_proba([text])
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 2), "p99_ms": round(samples[int(0.99 * (len(samples) - 1))], 2),
            "max_ms": round(samples[-1], 2)}


def run_candidate(name: str, texts: List[str], labels: List[str], sets: Dict[str, List[Dict[str, Any]]], folds: int) -> Dict[str, Any]:
    description, make, _ = CANDIDATES[name]
    result: Dict[str, Any] = {"name": name, "description": description}
    result["cv"] = cross_validate(make, texts, labels, folds)
    started = time.perf_counter()
    model = make().fit(texts, np.array(labels))
    result["train_seconds"] = round(time.perf_counter() - started, 1)
    rng = np.random.default_rng(SEED)
    result["latency"] = latency(model, [texts[i] for i in rng.permutation(len(texts))])
    result["held_out"] = {set_name: held_out(model, rows) for set_name, rows in sets.items()}
    return result


def missing_packages(name: str) -> List[str]:
    return [package for package in CANDIDATES[name][2] if find_spec(package) is None]


# ---------------------------------------------------------------- thresholds chosen on training folds

# The rule (section 6): thresholds by cross-validation on the training data. For each model,
# the three thresholds of classifier_severity are chosen on its out-of-fold masses: the fewest harmless
# messages escalated (paged critical counted twice) among those that keep critical recall and
# critical-or-high recall at least MIN_RECALL; ties go to more severities right.
MIN_RECALL = {"critical_recall": 0.95, "danger_recall": 0.95}
GRID_CRITICAL = np.round(np.arange(0.05, 0.951, 0.05), 2)
GRID_NONE = np.round(np.arange(0.20, 1.051, 0.05), 2)  # 1.05: a harmless reading never vetoes
GRID_DANGER = np.round(np.arange(0.30, 0.951, 0.05), 2)
RANK = {"none": 0, "high": 1, "critical": 2}
NAMES = {v: k for k, v in RANK.items()}


def decide(m: np.ndarray, critical: float, none: float, danger: float) -> np.ndarray:
    """classifier_severity, vectorised over rows of (P(critical), P(high), P(none))."""
    is_critical = (m[:, 0] >= critical) & (m[:, 2] < none)
    is_high = ~is_critical & (m[:, 0] + m[:, 1] >= danger)
    return np.where(is_critical, 2, np.where(is_high, 1, 0))


def choose_thresholds(oof_masses: Sequence[Sequence[float]], gold: Sequence[str]) -> Optional[Dict[str, Any]]:
    m = np.asarray(oof_masses)
    g = np.array([RANK[x] for x in gold])
    critical, danger, harmless = g == 2, g >= 1, g == 0
    best: Optional[Tuple[Tuple[float, float], Dict[str, Any]]] = None
    for c in GRID_CRITICAL:
        for n in GRID_NONE:
            for d in GRID_DANGER:
                got = decide(m, c, n, d)
                figures = {"critical_recall": float((got[critical] == 2).mean()), "danger_recall": float((got[danger] >= 1).mean())}
                if any(figures[k] < v for k, v in MIN_RECALL.items()):
                    continue
                figures["none_escalated"] = float((got[harmless] >= 1).mean())
                figures["none_paged_critical"] = float((got[harmless] == 2).mean())
                figures["severity_right"] = float((got == g).mean())
                key = (figures["none_escalated"] + figures["none_paged_critical"], -figures["severity_right"])
                if best is None or key < best[0]:
                    best = (key, {"critical": float(c), "none": float(n), "danger": float(d), "cv": figures})
    return best[1] if best else None


TODAY = {"critical": 0.3, "none": 0.4, "danger": 0.7}  # bot.understanding.triage's three constants


def held_out_severities(thresholds: Dict[str, Any], stored: Dict[str, Any], rows: List[Dict[str, Any]], net: bool) -> List[str]:
    """A held-out set's severities at given thresholds, from the stored probabilities, through the
    real classifier_severity or assess (safety net included), triage's constants set for the while."""
    import bot.understanding.triage as triage

    texts = [r["prepared"] for r in rows]
    ranked = rankings(stored["classes"], np.asarray(stored["proba"]))
    saved = triage.CRITICAL_MASS, triage.NONE_DOMINATES, triage.DANGER_MASS
    triage.CRITICAL_MASS, triage.NONE_DOMINATES, triage.DANGER_MASS = thresholds["critical"], thresholds["none"], thresholds["danger"]
    try:
        return severities(texts, ranked, with_safety_net=net)
    finally:
        triage.CRITICAL_MASS, triage.NONE_DOMINATES, triage.DANGER_MASS = saved


def held_out_at(thresholds: Dict[str, Any], stored: Dict[str, Any], rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    gold = [r["severity"] for r in rows]
    for mode, net in (("classifier", False), ("with_safety_net", True)):
        got = held_out_severities(thresholds, stored, rows, net)
        figures: Dict[str, Any] = {"all": severity_figures(gold, got)}
        for kind in sorted({r["kind"] for r in rows if r.get("kind")}):
            idx = [i for i, r in enumerate(rows) if r.get("kind") == kind]
            figures[kind] = severity_figures([gold[i] for i in idx], [got[i] for i in idx])
        figures["everyday_openers_critical"] = sum(got[i] == "critical" for i, r in enumerate(rows) if r.get("kind") == "everyday_opener")
        out[mode] = figures
    return out


def mcnemar(model_right: Sequence[bool], base_right: Sequence[bool]) -> Tuple[int, int, float]:
    """Messages only the model gets right, only the baseline gets right, and the exact two-sided p."""
    from scipy.stats import binom

    b = sum(m and not o for m, o in zip(model_right, base_right))
    c = sum(o and not m for m, o in zip(model_right, base_right))
    p = min(1.0, 2 * binom.cdf(min(b, c), b + c, 0.5)) if b + c else 1.0
    return b, c, float(p)


def paired_report(results: Dict[str, Dict[str, Any]], sets: Dict[str, List[Dict[str, Any]]]) -> str:
    """Each model against the baseline, message by message, severity right or wrong at today's
    thresholds (held-out: with the safety net). Kinds hold about 31 messages each: one message is
    0.03, so only the paired counts and pooled hard kinds can tell a model apart."""
    if "baseline" not in results:
        return ""
    lines = ["## Paired against the baseline (severity right, today's thresholds; held-out with the safety net)",
             "", "+n: messages only the model gets right; -n: only the baseline; p: exact McNemar.", "",
             "| model | CV training folds | " + " | ".join(sets) + " | situations, hard kinds pooled |",
             "|---|---|" + "---|" * len(sets) + "---|"]

    def right(r: Dict[str, Any]) -> Dict[str, List[bool]]:
        out = {"cv": list(decide(np.asarray(r["cv"]["oof_masses"]), 0.3, 0.4, 0.7) == np.array([RANK[g] for g in r["cv"]["gold_severity"]]))}
        for set_name, rows in sets.items():
            got = held_out_severities(TODAY, r["held_out"][set_name], rows, net=True)
            out[set_name] = [g == r_["severity"] for g, r_ in zip(got, rows)]
        if "situations" in sets:
            out["hard"] = [ok for ok, row in zip(out["situations"], sets["situations"]) if row.get("kind") in HARD_KINDS]
        return out

    base = right(results["baseline"])
    for name, r in results.items():
        if name == "baseline" or "gold_severity" not in r["cv"] or any("proba" not in r["held_out"].get(s, {}) for s in sets):
            continue
        mine = right(r)
        cells = []
        for key in ["cv", *sets, "hard"]:
            if key not in mine:
                cells.append("–")
                continue
            b, c, p = mcnemar(mine[key], base[key])
            cells.append(f"{np.mean(mine[key]):.3f} vs {np.mean(base[key]):.3f} (+{b} −{c}, p {p:.2f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def threshold_report(results: Dict[str, Dict[str, Any]], sets: Dict[str, List[Dict[str, Any]]]) -> str:
    lines = ["## Thresholds chosen by cross-validation on the training data, per model",
             f"(fewest harmless escalated with out-of-fold critical and critical-or-high recall ≥ {MIN_RECALL['critical_recall']}; "
             "held-out figures with the safety net, measurement only)", "",
             "| model | critical ≥ | unless none ≥ | high: danger ≥ | CV crit rec | CV c-or-h rec | CV harmless esc | CV paged crit | "
             + " | ".join(f"{s} crit rec | {s} c-or-h rec | {s} harmless esc | {s} paged crit" for s in sets) + " |",
             "|---|---|---|---|---|---|---|---|" + "---|---|---|---|" * len(sets)]
    kind_rows: Dict[str, Dict[str, str]] = defaultdict(dict)
    for name, r in results.items():
        if "gold_severity" not in r["cv"] or any("proba" not in r["held_out"].get(s, {}) for s in sets):
            continue
        chosen = choose_thresholds(r["cv"]["oof_masses"], r["cv"]["gold_severity"])
        if chosen is None:
            lines.append(f"| {name} | no thresholds reach the recall floor |")
            continue
        cells = [f"{chosen['critical']:.2f}", f"{chosen['none']:.2f}", f"{chosen['danger']:.2f}"]
        cells += [_f(chosen["cv"][k]) for k in ("critical_recall", "danger_recall", "none_escalated", "none_paged_critical")]
        for set_name, rows in sets.items():
            h = held_out_at(chosen, r["held_out"][set_name], rows)["with_safety_net"]
            cells += [_f(h["all"][k]) for k in ("critical_recall", "danger_recall", "none_escalated", "none_paged_critical")]
            for kind, figures in h.items():
                if kind in HARD_KINDS:
                    kind_rows[kind][name] = _f(figures["severity_right"])
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if kind_rows:
        names = list(results)
        lines += ["", "Severity right per hard kind at those thresholds (with the safety net):", "",
                  "| kind | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
        for kind in HARD_KINDS:
            if kind in kind_rows:
                lines.append(f"| {kind} | " + " | ".join(kind_rows[kind].get(n, "–") for n in names) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- report

def _f(value: float) -> str:
    return f"{value:.3f}"


def report(results: Dict[str, Dict[str, Any]]) -> str:
    lines = ["## Cross-validation on the training data (out-of-fold, classifier_severity at today's thresholds)", "",
             "| model | intent acc | macro F1 | critical recall | crit-or-high recall | harmless escalated | harmless paged critical | severity right | train s | p50 ms | p99 ms |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        cv = r["cv"]
        lines.append(f"| {name} | {_f(cv['intent_accuracy'])} | {_f(cv['intent_macro_f1'])} | {_f(cv['critical_recall'])} | "
                     f"{_f(cv['danger_recall'])} | {_f(cv['none_escalated'])} | {_f(cv['none_paged_critical'])} | "
                     f"{_f(cv['severity_right'])} | {r['train_seconds']} | {r['latency']['p50_ms']} | {r['latency']['p99_ms']} |")
    set_names = sorted({s for r in results.values() for s in r["held_out"]})
    for set_name in set_names:
        for mode in ("classifier", "with_safety_net"):
            lines += ["", f"## {set_name}: {mode.replace('_', ' ')} (measurement only)", "",
                      "| model | intent acc | critical recall | crit-or-high recall | harmless escalated | harmless paged critical | severity right | openers critical |",
                      "|---|---|---|---|---|---|---|---|"]
            for name, r in results.items():
                h = r["held_out"].get(set_name)
                if not h:
                    continue
                a = h[mode]["all"]
                intent = _f(h["intent"]["intent_accuracy"]) if "intent" in h else "–"
                lines.append(f"| {name} | {intent} | {_f(a['critical_recall'])} | {_f(a['danger_recall'])} | {_f(a['none_escalated'])} | "
                             f"{_f(a['none_paged_critical'])} | {_f(a['severity_right'])} | {h[mode]['everyday_openers_critical']} |")
            kinds = sorted({k for r in results.values() for k in (r["held_out"].get(set_name) or {}).get(mode, {})
                            if k not in ("all", "everyday_openers_critical")})
            if kinds:
                lines += ["", f"Severity right per kind ({set_name}, {mode.replace('_', ' ')}; hard kinds marked *):", "",
                          "| kind | " + " | ".join(results) + " |", "|---|" + "---|" * len(results)]
                for kind in kinds:
                    cells = [_f(r["held_out"][set_name][mode][kind]["severity_right"]) if kind in r["held_out"].get(set_name, {}).get(mode, {}) else "–"
                             for r in results.values()]
                    lines.append(f"| {kind}{' *' if kind in HARD_KINDS else ''} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare_models", description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(CANDIDATES), help=f"comma-separated, of: {', '.join(CANDIDATES)}")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=None, help="a directory for one JSON result per model (reused)")
    parser.add_argument("--report-only", action="store_true", help="build the report from the cache alone")
    parser.add_argument("--rerun", action="store_true", help="ignore cached results of the models named")
    args = parser.parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        parser.error(f"unknown models: {', '.join(unknown)}")
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    results: Dict[str, Dict[str, Any]] = {}
    texts: List[str] = []
    labels: List[str] = []
    sets: Dict[str, List[Dict[str, Any]]] = {}
    for name in names:
        cached = args.cache / f"{name}.json" if args.cache else None
        if cached and cached.exists() and not args.rerun:
            results[name] = json.loads(cached.read_text(encoding="utf-8"))
            continue
        if args.report_only:
            continue
        missing = missing_packages(name)
        if missing:
            print(f"{name}: skipped, not installed: {', '.join(missing)} (see this module's docstring)", file=sys.stderr)
            continue
        if not texts:
            texts, labels = load_training()
            sets = {p.stem: load_held_out(p) for p in sorted((ROOT / "eval").glob("*.jsonl"))}
            print(f"{len(texts)} training examples, {len(set(labels))} intents; held-out: "
                  + ", ".join(f"{k} {len(v)}" for k, v in sets.items()), file=sys.stderr)
        started = time.perf_counter()
        results[name] = run_candidate(name, texts, labels, sets, args.folds)
        print(f"{name}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if cached:
            cached.write_text(json.dumps(results[name], ensure_ascii=False), encoding="utf-8")
    if not results:
        print("No results.", file=sys.stderr)
        return 1
    print(report(results))
    print()
    if not sets:
        sets = {p.stem: load_held_out(p) for p in sorted((ROOT / "eval").glob("*.jsonl"))}
    print(paired_report(results, sets))
    print()
    print(threshold_report(results, sets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
