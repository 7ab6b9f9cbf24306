"""
====================================================
Classifier chains on emotions: one fit, three losses
====================================================

*Mechanism: eavesdropping between labels.*

The MULAN ``emotions`` data tags music clips with any of six emotions, and
the emotions go together: a *quiet-still* clip is rarely *angry-aggresive*
(MULAN's spelling). **Binary relevance**, one classifier per emotion on the
audio features alone (scikit-learn's
:class:`~sklearn.multioutput.MultiOutputClassifier`), cannot use that. In a
chain, each label's classifier listens in on the others: link ``k`` sees the
features *and* the labels before it in the chain.

* :class:`~skmtl.multilabel.ClassifierChain` decides the labels one after
  the other, each decision taken as the truth by the next links;
* :class:`~skmtl.multilabel.EnsembleClassifierChain` averages ten chains on
  random label orders;
* :class:`~skmtl.multilabel.ProbabilisticClassifierChain` reads the chain
  as a model of the joint distribution of the labels and predicts the label
  vector that is best on average for the loss it will be scored on.

Every link is a ``LogisticRegression`` with default parameters.
"""

# %%
# Fit on the official training part, score on the test part
# ----------------------------------------------------------
# Subset accuracy counts a clip as right only when all six labels are;
# the Hamming loss is the fraction of wrong labels (lower is better); F1 is
# the instance-wise F-measure, averaged over the test clips.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, hamming_loss
from sklearn.multioutput import MultiOutputClassifier
from sklearn.preprocessing import StandardScaler

from skmtl.datasets import load_mulan
from skmtl.multilabel import (
    ClassifierChain,
    EnsembleClassifierChain,
    ProbabilisticClassifierChain,
)

train = load_mulan("emotions", subset="train")
X_train, Y_train, labels = train.data, train.target, train.target_names
X_test, Y_test = load_mulan("emotions", subset="test", return_X_y=True)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
print(f"{len(X_train)} training and {len(X_test)} test clips, {len(labels)} labels")
quiet = Y_train[:, labels.index("quiet-still")] == 1
angry = Y_train[:, labels.index("angry-aggresive")] == 1
print(
    f"angry-aggresive: {angry.mean():.0%} of the training clips, "
    f"{angry[quiet].sum()} of the {quiet.sum()} quiet-still ones"
)

link = LogisticRegression()
models = {
    "binary relevance": MultiOutputClassifier(link),
    "chain": ClassifierChain(link),
    "ensemble of chains": EnsembleClassifierChain(link, n_chains=10, random_state=0),
}
predictions = {
    name: m.fit(X_train, Y_train).predict(X_test) for name, m in models.items()
}

# %%
# The probabilistic chain: one fit, a decision per loss
# -----------------------------------------------------
# ``loss`` changes only the decision, not the links: the chain is fitted
# once, and ``set_params(loss=...)`` picks the joint mode (subset), the
# thresholded marginals (Hamming) or the general F-measure maximiser (F1).
pcc = ProbabilisticClassifierChain(link).fit(X_train, Y_train)
for loss in ["subset", "hamming", "f1"]:
    predictions[f"PCC, loss={loss}"] = pcc.set_params(loss=loss).predict(X_test)
print(f"PCC inference: {pcc.inference_}")


def scores(Y_pred):
    return {
        "subset accuracy": accuracy_score(Y_test, Y_pred),
        "Hamming loss": hamming_loss(Y_test, Y_pred),
        "F1 (samples)": f1_score(Y_test, Y_pred, average="samples", zero_division=1),
    }


table = {name: scores(Y_pred) for name, Y_pred in predictions.items()}
print(f"{'':<20}{'subset acc.':>12}{'Hamming':>9}{'F1':>7}{'labels':>8}")
for name, row in table.items():
    values = "".join(
        f"{v:>{w}.3f}" for v, w in zip(row.values(), [12, 9, 7], strict=True)
    )
    print(f"{name:<20}{values}{predictions[name].sum():>8}")
print(f"{'(true labels)':<20}{'':>28}{Y_test.sum():>8}")

# %%
# Which prediction wins where
# ---------------------------
# The probabilistic chain's joint mode has the best subset accuracy and its
# F1 decision the best F1, which it buys by predicting more labels than the
# test clips carry. The lowest Hamming loss is the ensemble's: the
# probabilistic chain's Hamming decision is Bayes-optimal for the
# distribution the chain estimates, not for the true one, and here it does
# worse than binary relevance, and even than the same chain's F1 decision.
for metric in ["subset accuracy", "Hamming loss", "F1 (samples)"]:
    pick = min if metric == "Hamming loss" else max
    print(f"best {metric}: {pick(table, key=lambda name: table[name][metric])}")
for a, b in [("subset", "hamming"), ("subset", "f1"), ("hamming", "f1")]:
    P, Q = predictions[f"PCC, loss={a}"], predictions[f"PCC, loss={b}"]
    print(f"PCC loss={a} and loss={b} differ on {np.any(P != Q, axis=1).sum()} clips")

# %%
# The three scores side by side
# -----------------------------
fig, ax = plt.subplots(figsize=(9, 4.5))
names = list(table)
metrics = list(table[names[0]])
width = 0.8 / len(metrics)
for i, metric in enumerate(metrics):
    x = np.arange(len(names)) + (i - 1) * width
    label = metric + (" (lower is better)" if metric == "Hamming loss" else "")
    bars = ax.bar(x, [table[n][metric] for n in names], width, label=label)
    ax.bar_label(bars, fmt="%.2f", fontsize=7)
ax.set_xticks(np.arange(len(names)), [n.replace(", ", "\n") for n in names])
ax.set_ylabel(f"score on the {len(X_test)} test clips")
ax.set_title("emotions: binary relevance and classifier chains")
ax.set_ylim(0, 0.8)
ax.legend(fontsize=8, loc="upper left", ncols=3)
plt.tight_layout()
