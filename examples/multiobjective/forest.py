"""Trains scikit-learn's random forest on the digits data set that ships with scikit-learn and prints two
objectives for Katib's StdOut collector: `accuracy=<validation accuracy>` (more is better) and
`latency_ms=<milliseconds to predict the validation set>` (less is better). More and deeper trees buy accuracy
with latency, so no single trial wins both: `hpo best` shows the Pareto front of the trade-off."""
import argparse
import time

from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--n-estimators", type=int, required=True)
parser.add_argument("--max-depth", type=int, required=True)
args = parser.parse_args()

X, y = load_digits(return_X_y=True)
X_train, X_valid, y_train, y_valid = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
model = RandomForestClassifier(
    n_estimators=args.n_estimators, max_depth=args.max_depth, n_jobs=1, random_state=0
).fit(X_train, y_train)

# The best of three timed predictions: the least disturbed by other processes on a shared machine.
latencies = []
for _ in range(3):
    start = time.perf_counter()
    predicted = model.predict(X_valid)
    latencies.append((time.perf_counter() - start) * 1000)
print(f"accuracy={(predicted == y_valid).mean():.6f}")
print(f"latency_ms={min(latencies):.3f}")
