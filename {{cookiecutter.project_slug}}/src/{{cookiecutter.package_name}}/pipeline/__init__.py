"""Training pipeline.

ingest -> validate -> clean -> features -> split -> train -> evaluate -> register -> gate
"""
