"""Evaluate: metrics on held-out rows, and plots saved for the run's artifacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: training runs on servers and in CI without a display

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    PredictionErrorDisplay,
    RocCurveDisplay,
    accuracy_score,
    f1_score,
    mean_absolute_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
    root_mean_squared_error,
)

from {{ cookiecutter.package_name }}.models.spec import Task


def evaluate(model: Any, x: pd.DataFrame, y: pd.Series, *, task: Task) -> dict[str, float]:
    """Metrics of `model` on (x, y); the gate calls this for the champion too, on the same rows."""
    predicted = model.predict(x)
    if task == "regression":
        return {
            "r2": float(r2_score(y, predicted)),
            "rmse": float(root_mean_squared_error(y, predicted)),
            "mae": float(mean_absolute_error(y, predicted)),
        }
    metrics = {
        "accuracy": float(accuracy_score(y, predicted)),
        "f1": float(f1_score(y, predicted, average="macro")),
        "precision": float(precision_score(y, predicted, average="macro", zero_division=0)),
        "recall": float(recall_score(y, predicted, average="macro", zero_division=0)),
    }
    if hasattr(model, "predict_proba") and y.nunique() > 1:
        probabilities = model.predict_proba(x)
        binary = probabilities.shape[1] == 2
        metrics["roc_auc"] = float(
            roc_auc_score(y, probabilities[:, 1])
            if binary
            else roc_auc_score(y, probabilities, multi_class="ovr", labels=model.classes_)
        )
    return metrics


def plot(model: Any, x: pd.DataFrame, y: pd.Series, *, task: Task, directory: Path) -> list[Path]:
    """Diagnostic plots as PNG files in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    predicted = model.predict(x)
    figures: dict[str, Any] = {}
    if task == "classification":
        figures["confusion_matrix"] = ConfusionMatrixDisplay.from_predictions(y, predicted).figure_
        if hasattr(model, "predict_proba") and np.unique(y).size == 2:
            scores = model.predict_proba(x)[:, 1]
            figures["roc_curve"] = RocCurveDisplay.from_predictions(
                y, scores, pos_label=model.classes_[1]
            ).figure_
    else:
        figures["residuals"] = PredictionErrorDisplay.from_predictions(
            y, predicted, kind="residual_vs_predicted"
        ).figure_
        figures["predicted_vs_actual"] = PredictionErrorDisplay.from_predictions(
            y, predicted, kind="actual_vs_predicted"
        ).figure_
    paths = []
    for name, figure in figures.items():
        path = directory / f"{name}.png"
        figure.savefig(path, dpi=80, bbox_inches="tight")
        plt.close(figure)
        paths.append(path)
    return paths
