"""Trains scikit-learn's SVC on the digits data set that ships with scikit-learn and prints
`accuracy=<validation accuracy>` for Katib's StdOut collector.

The fitted model is saved with joblib as `model.joblib`, the file KServe's sklearn server loads: to
`$HPO_MODEL_PATH` when a KFP retraining step gives one, else into the trial's artifacts folder
`$HPO_ARTIFACTS_DIR` (hpo records it with its sha256; `hpo export --to kserve` and `hpo serve` use it)."""
import argparse
import os

import joblib

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

parser = argparse.ArgumentParser()
parser.add_argument("--C", type=float, required=True)
parser.add_argument("--gamma", type=float, required=True)
parser.add_argument("--kernel", default="rbf")
args = parser.parse_args()

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_valid, y_train, y_valid = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
model = SVC(C=args.C, gamma=args.gamma, kernel=args.kernel).fit(X_train, y_train)
print(f"train_accuracy={model.score(X_train, y_train):.6f}")
print(f"accuracy={model.score(X_valid, y_valid):.6f}")

model_path = os.environ.get("HPO_MODEL_PATH")
artifacts = os.environ.get("HPO_ARTIFACTS_DIR")
if not model_path and artifacts:
    model_path = os.path.join(artifacts, "model.joblib")
if model_path:
    joblib.dump(model, model_path)
