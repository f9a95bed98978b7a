"""Two-feature labelled datasets for the decision-boundary explorer: built-in generators, CSV, clicks.

Every generator takes an explicit ``np.random.Generator``: the same settings give the same data.
Noise is Gaussian: for the blob datasets it is part of each cluster's spread (standard deviation
0.5 + noise, correlation ρ between the two features); for the others it is N(0, noise²) added to
each coordinate of a point on the clean shape.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from core.memo import fingerprint

BLOBS = "blobs (correlated)"
THREE_BLOBS = "three-class blobs"
CUSTOM = "your data (CSV or clicks)"
BUILTIN = ("moons", "circles", "xor", "spirals", BLOBS, THREE_BLOBS)
DATASETS = (*BUILTIN, CUSTOM)
"""Options of the dataset selector, in order."""

MAX_BYTES = 5 * 2**20
MAX_ROWS = 20_000
MAX_CLASSES = 4
FEATURE_NAMES = ("x1", "x2")
LABEL_NAME = "label"
LABEL_ALIASES = ("label", "y", "class", "target")


@dataclass(frozen=True)
class DataSettings:
    """What the built-in generator makes: which shape, how many points, how noisy, how it is split."""

    dataset: str = "moons"
    n_samples: int = 300
    noise: float = 0.25
    balance: float = 0.5  # share of class 1 (two-class datasets)
    correlation: float = 0.0  # between x1 and x2 within each blob
    test_fraction: float = 0.3
    seed: int = 0


@dataclass(frozen=True)
class Dataset:
    """A train/test split with class names; labels are 0..K-1 (``class_names[k]`` is shown for k)."""

    X_train: np.ndarray  # (n_train, 2)
    y_train: np.ndarray  # (n_train,)
    X_test: np.ndarray  # (n_test, 2)
    y_test: np.ndarray  # (n_test,)
    class_names: tuple[str, ...]

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def X_all(self) -> np.ndarray:
        return np.vstack([self.X_train, self.X_test])

    @property
    def y_all(self) -> np.ndarray:
        return np.concatenate([self.y_train, self.y_test])

    def fingerprint(self) -> str:
        """A short hash of every array and the class names (cache key for fits on this data)."""
        return fingerprint(self.X_train, self.y_train, self.X_test, self.y_test, self.class_names)


# --------------------------------------------------------------------------------------------------
# Built-in generators
# --------------------------------------------------------------------------------------------------
def class_counts(n: int, balance: float, n_classes: int = 2) -> np.ndarray:
    """Points per class: class 1 gets ``balance`` of n for two classes, equal shares for more; ≥ 1 each."""
    n = max(int(n), n_classes)
    if n_classes == 2:
        n1 = int(np.clip(round(n * balance), 1, n - 1))
        return np.array([n - n1, n1])
    counts = np.full(n_classes, n // n_classes)
    counts[: n - counts.sum()] += 1
    return counts


def _blob_cov(noise: float, correlation: float) -> np.ndarray:
    s = 0.5 + noise
    rho = float(np.clip(correlation, -0.99, 0.99))
    return s**2 * np.array([[1.0, rho], [rho, 1.0]])


BLOB_MEANS = np.array([[-1.0, 0.0], [1.0, 0.0]])
THREE_BLOB_MEANS = np.array([[0.0, 1.2], [-1.1, -0.6], [1.1, -0.6]])


def _shape(dataset: str, k: int, m: int, rng: np.random.Generator, noise: float, correlation: float) -> np.ndarray:
    """m clean points of class k on the dataset's shape, noise included where it belongs to the shape."""
    if dataset in (BLOBS, THREE_BLOBS):
        means = BLOB_MEANS if dataset == BLOBS else THREE_BLOB_MEANS
        return rng.multivariate_normal(means[k], _blob_cov(noise, correlation), size=m)
    if dataset == "moons":
        t = rng.uniform(0.0, np.pi, m)
        if k == 0:
            pts = np.column_stack([np.cos(t), np.sin(t)])
        else:
            pts = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
        pts = pts - np.array([0.5, 0.25])
    elif dataset == "circles":
        t = rng.uniform(0.0, 2 * np.pi, m)
        r = 1.0 if k == 0 else 0.4
        pts = r * np.column_stack([np.cos(t), np.sin(t)])
    elif dataset == "xor":
        # class 1 in quadrants (+,+) and (-,-), class 0 in (+,-) and (-,+)
        u = rng.uniform(0.1, 1.0, (m, 2))
        sign = rng.choice([-1.0, 1.0], m)
        pts = u * np.column_stack([sign, sign if k == 1 else -sign])
    elif dataset == "spirals":
        t = rng.uniform(0.0, 1.0, m)
        r = 0.15 + 1.35 * t
        angle = 3.0 * np.pi * t + k * np.pi
        pts = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    else:
        raise ValueError(f"unknown dataset {dataset!r}")
    return pts + rng.normal(0.0, noise, pts.shape)


def n_classes_of(dataset: str) -> int:
    """How many classes a built-in dataset has."""
    return 3 if dataset == THREE_BLOBS else 2


def generate(dataset: str, n: int, *, noise: float, balance: float, correlation: float,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """X (n, 2) and y (n,) from a built-in dataset, classes in blocks of ``class_counts``."""
    counts = class_counts(n, balance, n_classes_of(dataset))
    X = np.vstack([_shape(dataset, k, int(m), rng, noise, correlation) for k, m in enumerate(counts)])
    y = np.repeat(np.arange(len(counts)), counts)
    return X, y


def split(X: np.ndarray, y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, ...]:
    """Stratified train/test split (every class on both sides when it has ≥ 2 points)."""
    counts = np.bincount(y)
    stratify = y if counts[counts > 0].min() >= 2 else None
    n_test = max(int(round(len(y) * test_fraction)), len(np.unique(y)) if stratify is not None else 1)
    n_test = min(n_test, len(y) - len(np.unique(y)))
    return train_test_split(X, y, test_size=n_test, random_state=seed, stratify=stratify)


def make_dataset(settings: DataSettings) -> Dataset:
    """The built-in dataset for ``settings``, split into train and test (deterministic in the seed)."""
    rng = np.random.default_rng(settings.seed)
    X, y = generate(settings.dataset, settings.n_samples, noise=settings.noise, balance=settings.balance,
                    correlation=settings.correlation, rng=rng)
    X_train, X_test, y_train, y_test = split(X, y, settings.test_fraction, settings.seed)
    names = tuple(str(k) for k in range(n_classes_of(settings.dataset)))
    return Dataset(X_train, y_train, X_test, y_test, names)


def generator_for(settings: DataSettings) -> Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]:
    """``draw(m, rng) -> (X, y)``: m fresh points from the same generator (for learning curves)."""
    def draw(m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return generate(settings.dataset, m, noise=settings.noise, balance=settings.balance,
                        correlation=settings.correlation, rng=rng)
    return draw


# --------------------------------------------------------------------------------------------------
# Your own data: CSV and clicked points
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LabelledPoints:
    """Points with integer labels 0..K-1 and the names of the classes as they were in the file."""

    X: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]


class CsvError(ValueError):
    """A CSV that cannot be used; the message says exactly why, for the student."""


def _rows(mask: np.ndarray, limit: int = 5) -> str:
    """File line numbers (header is line 1) of the rows in ``mask``, at most ``limit`` of them."""
    lines = [str(i + 2) for i in np.flatnonzero(mask)]
    more = f" and {len(lines) - limit} more" if len(lines) > limit else ""
    return ", ".join(lines[:limit]) + more


def parse_csv(data: bytes) -> LabelledPoints:
    """Read a CSV of two numeric feature columns and a label column; CsvError says what is wrong.

    The label column is the one named label / y / class / target, else the last of the three.
    Limits: 5 MB, 20,000 rows, 2 to 4 classes with at least 2 points each (one to train, one to test).
    """
    if len(data) > MAX_BYTES:
        raise CsvError(f"The file is {len(data) / 2**20:.1f} MB; the limit is 5 MB.")
    if not data.strip():
        raise CsvError("The file is empty.")
    try:
        if b"\x00" in data:
            raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL byte")
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError("The file is not text: upload a comma-separated .csv file (UTF-8).") from None
    try:
        df = pd.read_csv(io.StringIO(text), skipinitialspace=True, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CsvError(f"The file could not be read as CSV: {first}.") from None
    columns = [str(c).strip() for c in df.columns]
    if len(columns) != 3:
        raise CsvError(f"Expected 3 columns (two numeric features and a label), found {len(columns)}: "
                       f"{', '.join(repr(c) for c in columns)}.")
    df.columns = columns
    if len(df) == 0:
        raise CsvError("The file has a header but no data rows.")
    if len(df) > MAX_ROWS:
        raise CsvError(f"The file has {len(df):,} rows; the limit is {MAX_ROWS:,}.")
    label_col = next((c for c in columns if c.lower() in LABEL_ALIASES), columns[-1])
    feature_cols = [c for c in columns if c != label_col]
    problems: list[str] = []
    values = []
    for col in [*feature_cols, label_col]:
        cells = df[col].astype(str).str.strip()
        blank = (cells == "") | cells.str.lower().isin(("nan", "na", "n/a", "null", "none"))
        if blank.any():
            problems.append(f"Column '{col}' has missing (NaN or blank) cells in line(s) {_rows(blank.to_numpy())}.")
        if col == label_col:
            continue
        numbers = pd.to_numeric(cells.where(~blank), errors="coerce")
        bad = numbers.isna() & ~blank
        if bad.any():
            example = cells[bad].iloc[0]
            problems.append(f"Column '{col}' has non-numeric cells in line(s) {_rows(bad.to_numpy())} "
                            f"(for example {example!r}).")
        elif not blank.any() and not np.isfinite(numbers.to_numpy(dtype=float)).all():
            problems.append(f"Column '{col}' has infinite values in line(s) "
                            f"{_rows(~np.isfinite(numbers.to_numpy(dtype=float)))}.")
        values.append(numbers.to_numpy(dtype=float))
    if problems:
        raise CsvError(" ".join(problems))
    labels = df[label_col].astype(str).str.strip()
    names, y = np.unique(labels.to_numpy(), return_inverse=True)
    if len(names) < 2:
        raise CsvError(f"The label column '{label_col}' has only one class ({names[0]!r}): "
                       "a classifier needs at least two.")
    if len(names) > MAX_CLASSES:
        raise CsvError(f"The label column '{label_col}' has {len(names)} different values; "
                       f"at most {MAX_CLASSES} classes are supported.")
    counts = np.bincount(y)
    if counts.min() < 2:
        lonely = ", ".join(repr(str(n)) for n, c in zip(names, counts, strict=True) if c < 2)
        raise CsvError(f"Class {lonely} has only 1 point; each class needs at least 2 "
                       "(one to train on, one to test on).")
    return LabelledPoints(np.column_stack(values), y.astype(int), tuple(str(n) for n in names))


def dataset_from_points(points: LabelledPoints | None, test_fraction: float, seed: int) -> Dataset:
    """Split your own points into train and test (an empty dataset when there are none)."""
    if points is None or len(points.y) == 0:
        empty = np.empty((0, 2))
        return Dataset(empty, np.empty(0, int), empty, np.empty(0, int), ("0", "1"))
    X_train, X_test, y_train, y_test = split(points.X, points.y, test_fraction, seed)
    return Dataset(X_train, y_train, X_test, y_test, points.class_names)


def class_name(names: Sequence[str], k: int) -> str:
    """The name of class k: its own if it has one, else its number, primed until no other class has it."""
    if k < len(names):
        return str(names[k])
    name = str(k)
    while name in names:
        name += "′"
    return name


def with_added(data: Dataset, added: Sequence[Sequence[float]]) -> Dataset:
    """``data`` with clicked points ``[(x1, x2, label), ...]`` appended to the training set."""
    if not len(added):
        return data
    pts = np.asarray(added, dtype=float).reshape(-1, 3)
    labels = pts[:, 2].astype(int)
    n_classes = max(data.n_classes, int(labels.max()) + 1)
    names = list(data.class_names)
    for k in range(data.n_classes, n_classes):
        names.append(class_name(names, k))
    names = tuple(names)
    return Dataset(np.vstack([data.X_train, pts[:, :2]]), np.concatenate([data.y_train, labels]),
                   data.X_test, data.y_test, names)


def to_csv(data: Dataset) -> bytes:
    """All points (train and test) as CSV with columns x1, x2, label (labels by their class names)."""
    names = np.asarray(data.class_names, dtype=object)
    df = pd.DataFrame({FEATURE_NAMES[0]: data.X_all[:, 0], FEATURE_NAMES[1]: data.X_all[:, 1],
                       LABEL_NAME: names[data.y_all] if len(data.y_all) else []})
    return df.to_csv(index=False, float_format="%.6g").encode()


def clicked_positions(picked: Sequence[dict]) -> list[tuple[float, float]]:
    """The (x1, x2) of every click-grid point in a chart selection (rows of ``gx``, ``gy``); others are skipped."""
    out = []
    for p in picked:
        x, y = p.get("gx"), p.get("gy")
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and math.isfinite(x) and math.isfinite(y):
            out.append((float(x), float(y)))
    return out


def add_clicks(added: Sequence[Sequence[float]], clicks: Sequence[tuple[float, float]], label: int,
               max_points: int = 2_000) -> list[list[float]]:
    """``added`` plus one point of class ``label`` per click (oldest dropped beyond ``max_points``)."""
    out = [list(map(float, p)) for p in added]
    out += [[x1, x2, float(label)] for x1, x2 in clicks]
    return out[-max_points:]


def bounds(X: np.ndarray, pad: float = 0.15, default: float = 2.0) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis ranges covering X with a margin of ``pad`` × its extent (a square [-2, 2]² when X is empty)."""
    if len(X) == 0:
        return (-default, default), (-default, default)
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.maximum(hi - lo, 1e-3 * np.maximum(1.0, np.abs(hi)))
    lo, hi = lo - pad * span, hi + pad * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))
