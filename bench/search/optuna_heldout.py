"""Optuna 3.1's figures on the held-out functions of bench/search/functions.ts (levy4, styblinski5, camel,
rastrigin4, ellipsoid6 and issue #18's multimodal set in more dimensions: Levy 2/8, Rastrigin 2/8,
Styblinski-Tang 3/8, Ackley 2/10), which shared/bench/functions.py does not define.

  /usr/bin/python3 bench/search/optuna_heldout.py --seeds 20 > bench/results/optuna-heldout.json

(`--functions` and `--samplers` take comma lists; `--merge A.json,B.json` joins the outputs of runs split by
function into one document, so the studies can run as several processes.)

The formulas, bounds and optima mirror heldOutFunctions in functions.ts; the studies run through
shared/bench/optuna_reference.py's own `run` (same samplers, same JSON), with this table in place of its
development set. The output is read by bench/search/targetsTpe.ts.
"""
import argparse
import json
import math
import os
import sys


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    total = math.sin(math.pi * w[0]) ** 2
    for v in w[:-1]:
        total += (v - 1) ** 2 * (1 + 10 * math.sin(math.pi * v + 1) ** 2)
    return total + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


def styblinski_tang(x):
    return sum((v ** 4 - 16 * v ** 2 + 5 * v) / 2 for v in x)


def six_hump_camel(x):
    a, b = x
    return (4 - 2.1 * a ** 2 + a ** 4 / 3) * a ** 2 + a * b + (-4 + 4 * b ** 2) * b ** 2


def rastrigin(x):
    return 10 * len(x) + sum(v * v - 10 * math.cos(2 * math.pi * v) for v in x)


def ellipsoid(x):
    d = len(x)
    return sum(10 ** (6 * i / max(1, d - 1)) * v * v for i, v in enumerate(x))


def ackley(x):
    d = len(x)
    s1 = sum(v * v for v in x)
    s2 = sum(math.cos(2 * math.pi * v) for v in x)
    return -20 * math.exp(-0.2 * math.sqrt(s1 / d)) - math.exp(s2 / d) + 20 + math.e


ST_MIN = -39.16616570377


HELD_OUT = {
    "levy4": ([(-10.0, 10.0)] * 4, 0.0, levy),
    "styblinski5": ([(-5.0, 5.0)] * 5, -195.83082851885, styblinski_tang),
    "camel": ([(-3.0, 3.0), (-2.0, 2.0)], -1.0316284534899, six_hump_camel),
    "rastrigin4": ([(-5.12, 5.12)] * 4, 0.0, rastrigin),
    "ellipsoid6": ([(-5.0, 5.0)] * 6, 0.0, ellipsoid),
    "levy2": ([(-10.0, 10.0)] * 2, 0.0, levy),
    "levy8": ([(-10.0, 10.0)] * 8, 0.0, levy),
    "rastrigin2": ([(-5.12, 5.12)] * 2, 0.0, rastrigin),
    "rastrigin8": ([(-5.12, 5.12)] * 8, 0.0, rastrigin),
    "styblinski3": ([(-5.0, 5.0)] * 3, 3 * ST_MIN, styblinski_tang),
    "styblinski8": ([(-5.0, 5.0)] * 8, 8 * ST_MIN, styblinski_tang),
    "ackley2": ([(-15.0, 30.0)] * 2, 0.0, ackley),
    "ackley10": ([(-15.0, 30.0)] * 10, 0.0, ackley),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "..", "shared", "bench"))
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--functions", default=",".join(HELD_OUT))
    ap.add_argument("--samplers", default="tpe,tpe-multivariate,cmaes,random")
    ap.add_argument("--merge")
    a = ap.parse_args()
    if a.merge:
        docs = []
        for path in a.merge.split(","):
            with open(path) as f:
                docs.append(json.load(f))
        merged = {"optuna": docs[0]["optuna"], "trials": docs[0]["trials"], "results": {}}
        for d in docs:
            merged["results"].update(d["results"])
        print(json.dumps(merged))
        return
    sys.path.insert(0, a.shared)
    import optuna
    import optuna_reference as ref

    ref.FUNCTIONS = HELD_OUT
    out = {"optuna": optuna.__version__, "trials": a.trials, "results": {}}
    for name in a.functions.split(","):
        out["results"][name] = {"optimum": HELD_OUT[name][1], "samplers": {}}
        for s in a.samplers.split(","):
            out["results"][name]["samplers"][s] = [ref.run(name, s, seed, a.trials) for seed in range(a.seeds)]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
