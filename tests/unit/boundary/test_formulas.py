"""Each model's decision written out by hand (core/boundary/formulas.py) against scikit-learn's own numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.metrics import hinge_loss
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from core.boundary import data as ds
from core.boundary import formulas as fm
from core.boundary import models as clf

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
TWO, THREE = "moons", "three-class blobs"
TOL = {"rtol": 1e-9, "atol": 1e-10}
"""Hand formulas in float64 against scikit-learn's float64: only rounding separates them."""


@pytest.fixture(scope="module", params=[TWO, THREE, "blobs (correlated)"])
def data(request):
    return ds.make_dataset(ds.DataSettings(dataset=request.param, seed=3))


def points(data):
    return np.vstack([data.X_test[:5], data.X_train[:3]])


def test_shown_point_is_the_first_test_point_or_else_the_first_training_point(data):
    p = fm.shown_point(data)
    assert_allclose(p.x, data.X_test[0]) and p.source == "the first test point" and p.label == data.y_test[0]
    no_test = ds.Dataset(data.X_train, data.y_train, data.X_test[:0], data.y_test[:0], data.class_names)
    p = fm.shown_point(no_test)
    assert_allclose(p.x, data.X_train[0]) and p.source == "the first training point"


@pytest.mark.parametrize("C", [0.1, 1.0, 100.0])
def test_linear_svm_score_margin_and_hinge(data, C):
    pipe = clf.fit("Linear SVM", data.X_train, data.y_train, clf.Hyperparameters(linsvm_C=C))
    svm = pipe[-1].calibrated_classifiers_[0].estimator
    Z = pipe[0].transform(data.X_train)
    for x in points(data):
        w = fm.linear_svm(pipe, data.X_train, data.y_train, x)
        scores = svm.decision_function(pipe[0].transform(x[None]))[0]
        col = 0 if data.n_classes == 2 else int(np.argmax(scores))
        assert_allclose(w.f, np.atleast_1d(scores)[col], **TOL)
        assert_allclose(w.f, w.f_library, **TOL)
        assert_allclose(w.margin, 2 / np.linalg.norm(svm.coef_[col]), **TOL)
        y_pm = np.where(data.y_train == w.positive, 1, -1)
        train_scores = svm.decision_function(Z) if data.n_classes == 2 else svm.decision_function(Z)[:, col]
        assert_allclose(w.hinge, hinge_loss(y_pm, train_scores), **TOL)
        assert w.inside_margin == int(np.sum(y_pm * train_scores < 1))
        assert w.C == C


@pytest.mark.parametrize("gamma", [0.1, 1.0, 10.0])
def test_rbf_svm_score_from_its_support_vectors(data, gamma):
    hp = clf.Hyperparameters(rbf_gamma=gamma, rbf_C=3.0)
    pipe = clf.fit("RBF SVM", data.X_train, data.y_train, hp)
    Z = pipe[0].transform(data.X_train)
    ovo = SVC(C=3.0, gamma=gamma, decision_function_shape="ovo").fit(Z, data.y_train)  # the same problem, refitted
    for x in points(data):
        w = fm.rbf_svm(pipe, data.X_train, data.y_train, x)
        z = pipe[0].transform(x[None])
        assert_allclose(w.f, w.f_library, rtol=1e-9, atol=1e-9)
        first_pair = ovo.decision_function(z)[0] if data.n_classes == 2 else ovo.decision_function(z)[0, 0]
        assert_allclose(w.f, first_pair, rtol=1e-6, atol=1e-6)  # an independent fit: solver tolerance
        assert_allclose(w.kernel, rbf_kernel(w.support, z, gamma=gamma)[:, 0], **TOL)
        assert_allclose(w.margin, 2 / np.sqrt(w.coef @ rbf_kernel(w.support, gamma=gamma) @ w.coef), **TOL)
        assert w.kernel[w.nearest] == w.kernel.max()
    pair = np.isin(data.y_train, (w.positive, w.negative))
    y_pm = np.where(data.y_train[pair] == w.positive, 1, -1)
    svc = pipe[-1].calibrated_classifiers_[0].estimator
    scores = svc.decision_function(Z[pair]) if data.n_classes == 2 else None
    if scores is not None:
        assert_allclose(w.hinge, hinge_loss(y_pm, scores), **TOL)
        assert np.sign(w.f_library) == (1 if pipe.predict(x[None])[0] == w.positive else -1)
    else:
        ovo_scores = ovo.decision_function(Z[pair])[:, 0]
        assert_allclose(w.hinge, hinge_loss(y_pm, ovo_scores), rtol=1e-5, atol=1e-6)
        assert w.positive == 0 and w.negative == 1  # libsvm's pair (0, 1): f > 0 means class 0


def test_impurity_closed_forms():
    assert fm.impurity([5, 5]) == pytest.approx(0.5)
    assert fm.impurity([10, 0]) == 0.0
    assert fm.impurity([1, 1, 1]) == pytest.approx(2 / 3)
    assert fm.impurity([5, 5], "entropy") == pytest.approx(1.0)
    assert fm.impurity([1, 1, 1, 1], "entropy") == pytest.approx(2.0)


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_root_split_counts_and_impurities_against_the_tree(data, criterion):
    tree = DecisionTreeClassifier(max_depth=3, criterion=criterion, random_state=0).fit(data.X_train, data.y_train)
    s = fm.root_split(tree, data.X_train, data.y_train, data.X_test[0])
    t = tree.tree_
    nodes = [0, t.children_left[0], t.children_right[0]]
    assert (s.feature, s.threshold) == (t.feature[0], t.threshold[0])
    assert_allclose(s.impurities, t.impurity[nodes], rtol=1e-12, atol=1e-15)
    assert_allclose(s.counts, t.value[nodes, 0] * t.weighted_n_node_samples[nodes, None], rtol=1e-12)
    assert_allclose(s.counts.sum(axis=1), t.n_node_samples[nodes])
    stump = DecisionTreeClassifier(max_depth=1, criterion=criterion, random_state=0).fit(data.X_train, data.y_train)
    s1 = fm.root_split(stump, data.X_train, data.y_train, data.X_test[0])
    # For a single split, the unnormalised importance of its feature is the weighted impurity decrease.
    assert_allclose(s1.decrease, stump.tree_.compute_feature_importances(normalize=False)[s1.feature], **TOL)
    assert s.goes_left == (tree.apply(data.X_test[:1])[0] in _subtree(t, t.children_left[0]))


def _subtree(t, node):
    out, stack = set(), [node]
    while stack:
        n = stack.pop()
        out.add(n)
        stack += [c for c in (t.children_left[n], t.children_right[n]) if c >= 0]
    return out


def test_a_tree_that_is_one_leaf_has_no_split():
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    assert fm.root_split(DecisionTreeClassifier().fit(X, y), X, y, X[0]) is None


@pytest.mark.parametrize("trees", [1, 7, 50])
def test_forest_is_the_average_of_its_trees(data, trees):
    model = clf.fit("Random forest", data.X_train, data.y_train, clf.Hyperparameters(forest_trees=trees))
    for x in points(data):
        w = fm.forest(model, x)
        assert w.per_tree.shape == (trees, data.n_classes)
        assert_allclose(w.average, model.predict_proba(x[None])[0], **TOL)
        assert_allclose(w.average, w.library, **TOL)


@pytest.mark.parametrize("k", [1, 4, 15])
def test_knn_vote_is_its_neighbours_labels(data, k):
    pipe = clf.fit("k-NN", data.X_train, data.y_train, clf.Hyperparameters(knn_k=k))
    Z = pipe[0].transform(data.X_train)
    for x in points(data):
        w = fm.knn(pipe, data.y_train, x)
        assert_allclose(w.vote, pipe.predict_proba(x[None])[0], **TOL)
        brute = np.sort(np.linalg.norm(Z - pipe[0].transform(x[None]), axis=1))[:k]
        assert_allclose(w.distances, brute, rtol=1e-9, atol=1e-12)
        assert len(w.labels) == k and w.vote.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["LDA", "QDA"])
def test_discriminants_against_scikit_learn(data, name):
    model = clf.fit(name, data.X_train, data.y_train)
    reference = (LinearDiscriminantAnalysis() if name == "LDA" else QuadraticDiscriminantAnalysis()).fit(
        data.X_train, data.y_train)
    fn = fm.lda if name == "LDA" else fm.qda
    for x in points(data):
        w = fn(model, x)
        lib = np.atleast_1d(reference.decision_function(x[None])[0])
        expected = lib if data.n_classes == 2 else lib - lib.mean()
        assert_allclose(w.hand_decision, expected, rtol=1e-7, atol=1e-9)
        assert_allclose(w.posterior, reference.predict_proba(x[None])[0], rtol=1e-7, atol=1e-12)
        if data.n_classes == 2:
            assert_allclose(w.delta[1] - w.delta[0], lib[0], rtol=1e-7, atol=1e-9)
    if data.n_classes == 2:  # a shifted prior moves every δₖ by ln πₖ, and the posterior with it, no refit
        prior = np.array([0.9, 0.1])
        x = data.X_test[0]
        shifted, fitted = fn(model, x, prior), fn(model, x)
        assert_allclose(shifted.delta - fitted.delta, np.log(prior) - np.log(model.prior_), **TOL)
        assert_allclose(shifted.posterior, model.predict_proba(x[None], prior)[0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("degree", [1, 3])
def test_logistic_regression_is_sigma_of_its_weights(data, degree):
    pipe = clf.fit("Logistic regression", data.X_train, data.y_train, clf.Hyperparameters(lr_degree=degree))
    for x in points(data):
        w = fm.logistic(pipe, x)
        assert_allclose(w.proba, pipe.predict_proba(x[None])[0], **TOL)
        assert_allclose(w.logits, pipe[-1].decision_function(w.phi[None])[0], **TOL)
        assert len(w.phi) == (2 if degree == 1 else 9)


def _panels(data, names=fm.WORKED_MODELS):
    grid = clf.Grid(*ds.bounds(data.X_all), n=12)
    return clf.evaluate_many(names, data.fingerprint(), data.X_train, data.y_train, data.X_test, data.y_test, grid,
                             parallel=False)


def test_every_worked_model_renders_numbers_that_agree(data):
    written = fm.worked_all(_panels(data), data)
    assert [w.model for w in written] == list(fm.WORKED_MODELS)
    for w in written:
        text = " ".join((*w.notes, *w.lines, w.check))
        assert w.lines and not re.search(r"\b(nan|inf|undefined)\b", text.lower()), (w.model, text)
        assert "(agree" in w.check and "differ" not in w.check, (w.model, w.check)
        assert "the first test point" in w.notes[0] + w.notes[-1]
    assert fm.worked_all(_panels(data), data)[0] is written[0]  # remembered per fitted panel


def test_models_without_a_formula_and_failed_fits_are_left_out(data):
    panels = _panels(data, ("Gaussian naive Bayes", "Neural net", "k-NN"))
    assert [w.model for w in fm.worked_all(panels, data)] == ["k-NN"]
    failed = clf.Panel("QDA", True, np.array([0, 1]), error="QDA needs more training points")
    assert fm.worked(failed, data) is None
    empty = ds.Dataset(np.zeros((0, 2)), np.zeros(0, int), np.zeros((0, 2)), np.zeros(0, int), data.class_names)
    assert fm.worked_all(panels, empty) == []


def test_identical_points_give_a_zero_weight_svm_and_say_so_instead_of_dividing_by_zero():
    X = np.array([[0.4, 1.3]] * 4)
    y = np.array([0, 1, 0, 1])
    data = ds.Dataset(X, y, X[:0], y[:0], ("0", "1"))
    (panel,) = clf.evaluate_many(["Linear SVM"], data.fingerprint(), X, y, X[:0], y[:0], clf.Grid((0, 1), (0, 2), 8),
                                 parallel=False)
    w = fm.linear_svm(panel.model, X, y, X[0])
    assert w.margin == np.inf and w.hinge == pytest.approx(1.0)  # f = 0 everywhere: every point pays 1
    text = " ".join(fm.worked(panel, data).lines)
    assert "unbounded margin" in text and not re.search(r"\b(nan|inf|undefined)\b", text)
