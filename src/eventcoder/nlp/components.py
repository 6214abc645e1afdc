"""eventcoder's own spaCy components, all registered here.

``paragraph_boundaries`` runs before the parser and starts a new sentence after every line
break. Scraped articles and transcripts put headlines, "Q:"/"A:" turns and paragraphs on their
own lines, often without final punctuation; the statistical parser would glue them to the next
sentence and the attribution of who-said-what would cross paragraph lines.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc
