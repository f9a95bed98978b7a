"""The training service: worker processes shared by every session's live trainers (see pool.py, worker.py)."""

from core.training.pool import Pool, PoolSettings, TrainerHandle, get_pool, set_pool, usable_cores

__all__ = ["Pool", "PoolSettings", "TrainerHandle", "get_pool", "set_pool", "usable_cores"]
