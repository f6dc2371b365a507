"""newswire extractor: entities, quotes and typed events from clean article text.

The public API is in ``newswire_extractor.extract`` (imported lazily: spaCy is heavy).
"""
