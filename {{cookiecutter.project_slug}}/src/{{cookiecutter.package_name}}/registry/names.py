"""The registry's vocabulary: alias names and the tag names the pipeline and gate write.

Defined once here; the pipeline, the quality gate, the API and the dashboard all read them.
No MLflow import, so the API and the dashboard can name an alias without loading MLflow.
"""

from __future__ import annotations

CHAMPION = "champion"
CHALLENGER = "challenger"

# Registered-model tags: every move of `champion`, newest last, and the last move's record.
CHAMPION_HISTORY_TAG = "champion.history"
CHAMPION_LAST_CHANGE_TAG = "champion.last_change"
# Version tags the quality gate writes: its verdict and the metric it compared.
GATE_DECISION_TAG = "gate.decision"
GATE_METRIC_TAG = "gate.metric"
# Run tag holding the location of the data set the run ingested.
DATASET_SOURCE_TAG = "dataset.source"
