"""Keep finished Docs small: `release_tensors(nlp)`, applied to every pipeline by nlp.loading, appends the
"fabula_release_tensor" component, which drops `doc.tensor` after the last component.
"""

from __future__ import annotations

import numpy
from spacy.language import Language
from spacy.tokens import Doc

COMPONENT = "fabula_release_tensor"


@Language.component(COMPONENT)
def release_tensor(doc: Doc) -> Doc:
    doc.tensor = numpy.zeros((0,), dtype="float32")
    return doc


def release_tensors(nlp: Language) -> Language:
    # A long story's windows are all held until extract() has seen the whole story; the tok2vec output
    # kept on each Doc (96 floats per token in en_core_web_sm) is about a third of that memory, and
    # nothing after the pipeline reads it.
    if COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT, last=True)
    return nlp
