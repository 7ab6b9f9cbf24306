"""Scores of multi-task models per task, and scorers averaged over tasks."""

from ._task_scores import TaskScorer, make_task_scorer, per_task_scores

__all__ = ["TaskScorer", "make_task_scorer", "per_task_scores"]
