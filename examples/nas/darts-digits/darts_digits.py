"""A DARTS trial program on scikit-learn's digits (8x8 images), CPU-friendly: a supernet whose every edge is a
softmax-weighted mix of the candidate operations, trained by DARTS's bilevel updates (network weights on one half
of the training data, architecture weights on the other; first-order by default, the second-order approximation
with the `unrolled` setting). It reads the three parameters Katib's DARTS service (and `hpo`'s `darts`) hands a
trial: `--algorithm-settings` (a Python dict literal; values may be text), `--search-space` (operation names such as
`separable_convolution_3x3`, `max_pooling_3x3`, `skip_connection`) and `--num-layers`.

After every epoch it prints `Validation-Accuracy=<supernet accuracy on the held-out split>` and
`Best-Genotype=Genotype(normal=[...], normal_concat=range(2, 2+n), reduce=[...], reduce_concat=...)`, Katib's
genotype line: per intermediate node its two strongest incoming edges and their strongest operation ("none"
excluded). With `$HPO_ARTIFACTS_DIR` set it saves `supernet.pt` (weights, architecture weights, genotype) there.
"""
import argparse
import ast
import collections
import math
import os
import re
import sys

import torch
import torch.nn.functional as F
from torch import nn

Genotype = collections.namedtuple("Genotype", "normal normal_concat reduce reduce_concat")

DEFAULTS = {
    "num_epochs": 50,
    "w_lr": 0.025,
    "w_lr_min": 0.001,
    "w_momentum": 0.9,
    "w_weight_decay": 3e-4,
    "w_grad_clip": 5.0,
    "alpha_lr": 3e-4,
    "alpha_weight_decay": 1e-3,
    "batch_size": 128,
    "init_channels": 16,
    "num_nodes": 4,
    "stem_multiplier": 3,
    "unrolled": False,
}


def literal(text):
    """Katib's parameter text as a Python value; the double quotes a shell would have removed are dropped."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return ast.literal_eval(text)


def read_settings(text):
    """Katib's `algorithm-settings` dict over DARTS's defaults; Katib sends the user's values as text, None for
    "None" (which keeps the default). Unknown names are ignored, as Katib passes them through."""
    given = literal(text)
    out = dict(DEFAULTS)
    for name, default in DEFAULTS.items():
        value = given.get(name)
        if value is None:
            continue
        if isinstance(default, bool):
            out[name] = str(value).lower() in ("1", "true", "yes")
        else:
            out[name] = type(default)(float(value)) if isinstance(default, int) else float(value)
    return out


class Zero(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        return x[:, :, :: self.stride, :: self.stride] * 0.0


class FactorizedReduce(nn.Module):
    """Halves the map with two offset stride-2 1x1 convolutions (an identity that changes size)."""

    def __init__(self, c_in, c_out):
        super().__init__()
        self.a = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.b = nn.Conv2d(c_in, c_out - c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=False)

    def forward(self, x):
        x = F.relu(x)
        return self.bn(torch.cat([self.a(x), self.b(F.pad(x[:, :, 1:, 1:], (0, 1, 0, 1)))], dim=1))


def make_op(name, c, stride):
    """One candidate operation of Katib's DARTS vocabulary on `c` channels."""
    if name == "none":
        return Zero(stride)
    if name == "skip_connection":
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c)
    match = re.fullmatch(r"(\w+?)_(\d+)x\d+", name)
    if match is None:
        raise ValueError(f"unknown DARTS operation {name!r}")
    kind, k = match.group(1), int(match.group(2))
    if kind in ("max_pooling", "avg_pooling"):
        pool = nn.MaxPool2d if kind == "max_pooling" else nn.AvgPool2d
        return nn.Sequential(pool(k, stride=stride, padding=k // 2), nn.BatchNorm2d(c, affine=False))
    if kind == "separable_convolution":
        return nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(c, c, k, stride=stride, padding=k // 2, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False),
            nn.BatchNorm2d(c, affine=False),
        )
    if kind == "dilated_convolution":
        return nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(c, c, k, stride=stride, padding=k - 1, dilation=2, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False),
            nn.BatchNorm2d(c, affine=False),
        )
    if kind == "convolution":
        return nn.Sequential(
            nn.ReLU(), nn.Conv2d(c, c, k, stride=stride, padding=k // 2, bias=False), nn.BatchNorm2d(c, affine=False)
        )
    raise ValueError(f"unknown DARTS operation {name!r}")


class Cell(nn.Module):
    """A DARTS cell: `nodes` intermediate nodes, each the sum of mixed operations on every earlier state."""

    def __init__(self, ops, nodes, c_pp, c_p, c, reduction, reduction_prev):
        super().__init__()
        self.reduction = reduction
        self.pre0 = FactorizedReduce(c_pp, c) if reduction_prev else nn.Sequential(
            nn.ReLU(), nn.Conv2d(c_pp, c, 1, bias=False), nn.BatchNorm2d(c, affine=False)
        )
        self.pre1 = nn.Sequential(nn.ReLU(), nn.Conv2d(c_p, c, 1, bias=False), nn.BatchNorm2d(c, affine=False))
        self.nodes = nodes
        self.edges = nn.ModuleList()
        for i in range(nodes):
            for j in range(2 + i):
                stride = 2 if reduction and j < 2 else 1
                self.edges.append(nn.ModuleList(make_op(name, c, stride) for name in ops))

    def forward(self, s0, s1, weights):
        states = [self.pre0(s0), self.pre1(s1)]
        edge = 0
        for _ in range(self.nodes):
            total = 0
            for j, h in enumerate(states):
                total = total + sum(w * op(h) for w, op in zip(weights[edge], self.edges[edge]))
                edge += 1
            states.append(total)
        return torch.cat(states[2:], dim=1)


class Supernet(nn.Module):
    def __init__(self, ops, layers, settings, classes=10):
        super().__init__()
        self.ops = ["none"] + list(ops)
        nodes = settings["num_nodes"]
        c = settings["init_channels"]
        c_stem = c * settings["stem_multiplier"]
        self.stem = nn.Sequential(nn.Conv2d(1, c_stem, 3, padding=1, bias=False), nn.BatchNorm2d(c_stem))
        c_pp, c_p, reduction_prev = c_stem, c_stem, False
        self.cells = nn.ModuleList()
        for i in range(layers):
            # Reduction cells at a third and two thirds of the depth, as in DARTS.
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c *= 2
            self.cells.append(Cell(self.ops, nodes, c_pp, c_p, c, reduction, reduction_prev))
            c_pp, c_p, reduction_prev = c_p, c * nodes, reduction
        self.head = nn.Linear(c_p, classes)
        edges = sum(2 + i for i in range(nodes))
        self.alpha_normal = nn.Parameter(1e-3 * torch.randn(edges, len(self.ops)))
        self.alpha_reduce = nn.Parameter(1e-3 * torch.randn(edges, len(self.ops)))

    def alphas(self):
        return [self.alpha_normal, self.alpha_reduce]

    def weights(self):
        return [p for name, p in self.named_parameters() if not name.startswith("alpha_")]

    def forward(self, x):
        s0 = s1 = self.stem(x)
        normal = F.softmax(self.alpha_normal, dim=-1)
        reduce = F.softmax(self.alpha_reduce, dim=-1)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, reduce if cell.reduction else normal)
        return self.head(s1.mean(dim=(2, 3)))

    def genotype(self):
        nodes = self.cells[0].nodes

        def derive(alpha):
            weights = F.softmax(alpha, dim=-1).detach()
            out, start = [], 0
            for i in range(nodes):
                rows = weights[start : start + 2 + i]
                # Each incoming edge scored by its strongest operation other than "none"; the two best are kept.
                best = [(rows[j, 1:].max().item(), j, self.ops[1 + rows[j, 1:].argmax().item()]) for j in range(2 + i)]
                out.append([(name, j) for _, j, name in sorted(best, reverse=True)[:2]])
                start += 2 + i
            return out

        concat = range(2, 2 + nodes)
        return Genotype(derive(self.alpha_normal), concat, derive(self.alpha_reduce), concat)


def digits(seed=0):
    """Digits as (N, 1, 8, 8) in [0, 1]: the search half for weights, the half for alphas, a held-out split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x / 16.0, y, test_size=0.25, random_state=seed, stratify=y)

    def t(a, b):
        return torch.tensor(a, dtype=torch.float32).reshape(-1, 1, 8, 8), torch.tensor(b, dtype=torch.long)

    half = len(x_train) // 2
    return t(x_train[:half], y_train[:half]), t(x_train[half:], y_train[half:]), t(x_valid, y_valid)


def alpha_gradients_second_order(model, xt, yt, xv, yv, xi):
    """DARTS's second-order approximation: ∇α L_val(w − ξ∇w L_train) with the Hessian-vector product by finite
    differences. It sets the alphas' .grad; the network weights are left as they were."""
    weights, alphas = model.weights(), model.alphas()
    backup = [w.detach().clone() for w in weights]
    grads = torch.autograd.grad(F.cross_entropy(model(xt), yt), weights, allow_unused=True)
    with torch.no_grad():
        for w, g in zip(weights, grads):
            if g is not None:
                w.sub_(xi * g)
    found = torch.autograd.grad(F.cross_entropy(model(xv), yv), alphas + weights, allow_unused=True)
    d_alpha, d_w = found[: len(alphas)], found[len(alphas) :]
    norm = torch.sqrt(sum((g * g).sum() for g in d_w if g is not None))
    eps = 0.01 / (norm.item() + 1e-12)

    def alpha_grad_at(sign):
        with torch.no_grad():
            for w, b, g in zip(weights, backup, d_w):
                w.copy_(b if g is None else b + sign * eps * g)
        found = torch.autograd.grad(F.cross_entropy(model(xt), yt), alphas, allow_unused=True)
        return [torch.zeros_like(a) if g is None else g for a, g in zip(alphas, found)]

    plus, minus = alpha_grad_at(1.0), alpha_grad_at(-1.0)
    with torch.no_grad():
        for w, b in zip(weights, backup):
            w.copy_(b)
    for a, d, p, m in zip(alphas, d_alpha, plus, minus):
        # An alpha no cell uses (the normal cells' in a one-layer net) gets no gradient, as in first order.
        a.grad = None if d is None else d - xi * (p - m) / (2 * eps)


def search(ops, layers, settings, seed=0, report=None):
    """Runs the bilevel search; calls `report(epoch, accuracy, genotype)` after each epoch; returns the model."""
    torch.manual_seed(seed)
    (xw, yw), (xa, ya), valid = digits()
    model = Supernet(ops, layers, settings)
    w_opt = torch.optim.SGD(
        model.weights(), settings["w_lr"], momentum=settings["w_momentum"], weight_decay=settings["w_weight_decay"]
    )
    a_opt = torch.optim.Adam(
        model.alphas(), settings["alpha_lr"], betas=(0.5, 0.999), weight_decay=settings["alpha_weight_decay"]
    )
    epochs, batch = settings["num_epochs"], settings["batch_size"]
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        # Cosine annealing of the weights' learning rate from w_lr to w_lr_min.
        lr = settings["w_lr_min"] + 0.5 * (settings["w_lr"] - settings["w_lr_min"]) * (1 + math.cos(math.pi * epoch / epochs))
        for group in w_opt.param_groups:
            group["lr"] = lr
        model.train()
        order_w = torch.randperm(len(xw), generator=generator)
        order_a = torch.randperm(len(xa), generator=generator)
        for start in range(0, min(len(xw), len(xa)), batch):
            bw, ba = order_w[start : start + batch], order_a[start : start + batch]
            a_opt.zero_grad()
            if settings["unrolled"]:
                alpha_gradients_second_order(model, xw[bw], yw[bw], xa[ba], ya[ba], lr)
            else:
                F.cross_entropy(model(xa[ba]), ya[ba]).backward()
            a_opt.step()
            w_opt.zero_grad()
            F.cross_entropy(model(xw[bw]), yw[bw]).backward()
            nn.utils.clip_grad_norm_(model.weights(), settings["w_grad_clip"])
            w_opt.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(valid[0]).argmax(dim=1) == valid[1]).float().mean().item()
        if report is not None:
            report(epoch, accuracy, model.genotype())
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--algorithm-settings", required=True)
    parser.add_argument("--search-space", required=True)
    parser.add_argument("--num-layers", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        settings = read_settings(args.algorithm_settings)
        ops = list(literal(args.search_space))
        layers = int(literal(args.num_layers))
        for name in ops:
            make_op(name, 4, 1)
        if layers < 1 or not ops:
            raise ValueError("need at least one layer and one operation")
    except (ValueError, SyntaxError, TypeError) as error:
        print(f"darts-digits: bad trial parameters: {error}", file=sys.stderr)
        return 2
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))

    def report(epoch, accuracy, genotype):
        print(f"epoch {epoch + 1}/{settings['num_epochs']}")
        print(f"Validation-Accuracy={accuracy:.6f}")
        print(f"Best-Genotype={genotype}", flush=True)

    model = search(ops, layers, settings, seed=args.seed, report=report)
    artifacts = os.environ.get("HPO_ARTIFACTS_DIR")
    if artifacts:
        torch.save(
            {"state_dict": model.state_dict(), "genotype": tuple(model.genotype()), "search_space": ops},
            os.path.join(artifacts, "supernet.pt"),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
