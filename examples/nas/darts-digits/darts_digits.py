"""A DARTS trial program on scikit-learn's digits (8x8 images), CPU-friendly: a supernet whose every edge is a
softmax-weighted mix of the candidate operations, trained by DARTS's bilevel updates (network weights on one half
of the training data, architecture weights on the other; first-order by default, the second-order approximation
with the `unrolled` setting; `warmup_epochs` trains only the network weights for that many first epochs, 0 by
default as in DARTS). It reads the three parameters Katib's DARTS service (and `hpo`'s `darts`) hands a
trial: `--algorithm-settings` (a Python dict literal; values may be text), `--search-space` (operation names such as
`separable_convolution_3x3`, `max_pooling_3x3`, `skip_connection`) and `--num-layers`.

After every epoch it prints `Validation-Accuracy=<supernet accuracy on the held-out split>` and
`Best-Genotype=Genotype(normal=[...], normal_concat=range(2, 2+n), reduce=[...], reduce_concat=...)`, Katib's
genotype line: per intermediate node its two strongest incoming edges and their strongest operation ("none"
excluded). With `$HPO_ARTIFACTS_DIR` set it saves `supernet.pt` (weights, architecture weights, genotype) there.
train_genotype.py retrains such a genotype from scratch on the same network code (DerivedNetwork below).
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
    "warmup_epochs": 0,
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


def preprocess(c_pp, c_p, c, reduction_prev):
    """A cell's two input adapters: the state two cells back (halved when the previous cell reduced) and the
    previous state, each to `c` channels."""
    pre0 = FactorizedReduce(c_pp, c) if reduction_prev else nn.Sequential(
        nn.ReLU(), nn.Conv2d(c_pp, c, 1, bias=False), nn.BatchNorm2d(c, affine=False)
    )
    pre1 = nn.Sequential(nn.ReLU(), nn.Conv2d(c_p, c, 1, bias=False), nn.BatchNorm2d(c, affine=False))
    return pre0, pre1


class Cell(nn.Module):
    """A DARTS cell: `nodes` intermediate nodes, each the sum of mixed operations on every earlier state."""

    def __init__(self, ops, nodes, c_pp, c_p, c, reduction, reduction_prev):
        super().__init__()
        self.reduction = reduction
        self.pre0, self.pre1 = preprocess(c_pp, c_p, c, reduction_prev)
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


class DerivedCell(nn.Module):
    """A cell of a derived genotype: each intermediate node the sum of its two chosen operations on their inputs
    (the discrete network DARTS retrains from scratch), the `concat` states concatenated."""

    def __init__(self, nodes, concat, c_pp, c_p, c, reduction, reduction_prev):
        super().__init__()
        self.reduction = reduction
        self.pre0, self.pre1 = preprocess(c_pp, c_p, c, reduction_prev)
        self.inputs = [[j for _, j in node] for node in nodes]
        self.concat = list(concat)
        self.ops = nn.ModuleList(
            nn.ModuleList(make_op(name, c, 2 if reduction and j < 2 else 1) for name, j in node) for node in nodes
        )

    def forward(self, s0, s1):
        states = [self.pre0(s0), self.pre1(s1)]
        for inputs, ops in zip(self.inputs, self.ops):
            states.append(sum(op(states[j]) for j, op in zip(inputs, ops)))
        return torch.cat([states[k] for k in self.concat], dim=1)


class CellStack(nn.Module):
    """The network around the cells, the same for the search and the retraining: a 3x3 stem, `layers` cells with
    reduction cells (which double the channels) at a third and two thirds of the depth, as in DARTS, global
    pooling and a linear head. `make_cell(c_pp, c_p, c, reduction, reduction_prev)` builds each cell, whose
    output has `multiplier` * c channels."""

    def __init__(self, make_cell, layers, settings, multiplier, classes=10):
        super().__init__()
        c = settings["init_channels"]
        c_stem = c * settings["stem_multiplier"]
        self.stem = nn.Sequential(nn.Conv2d(1, c_stem, 3, padding=1, bias=False), nn.BatchNorm2d(c_stem))
        c_pp, c_p, reduction_prev = c_stem, c_stem, False
        self.cells = nn.ModuleList()
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c *= 2
            self.cells.append(make_cell(c_pp, c_p, c, reduction, reduction_prev))
            c_pp, c_p, reduction_prev = c_p, c * multiplier, reduction
        self.head = nn.Linear(c_p, classes)

    def run(self, x, cell_forward):
        """The logits of `x`, each cell applied as `cell_forward(cell, s0, s1)`."""
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell_forward(cell, s0, s1)
        return self.head(s1.mean(dim=(2, 3)))


class Supernet(CellStack):
    """The search network: mixed-operation cells (the search space plus "none") and the architecture weights."""

    def __init__(self, ops, layers, settings, classes=10):
        with_none = ["none"] + list(ops)
        nodes = settings["num_nodes"]

        def make_cell(c_pp, c_p, c, reduction, reduction_prev):
            return Cell(with_none, nodes, c_pp, c_p, c, reduction, reduction_prev)

        super().__init__(make_cell, layers, settings, nodes, classes)
        self.ops = with_none
        edges = sum(2 + i for i in range(nodes))
        self.alpha_normal = nn.Parameter(1e-3 * torch.randn(edges, len(self.ops)))
        self.alpha_reduce = nn.Parameter(1e-3 * torch.randn(edges, len(self.ops)))

    def alphas(self):
        return [self.alpha_normal, self.alpha_reduce]

    def weights(self):
        return [p for name, p in self.named_parameters() if not name.startswith("alpha_")]

    def forward(self, x):
        normal = F.softmax(self.alpha_normal, dim=-1)
        reduce = F.softmax(self.alpha_reduce, dim=-1)
        return self.run(x, lambda cell, s0, s1: cell(s0, s1, reduce if cell.reduction else normal))

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


class DerivedNetwork(CellStack):
    """A genotype's discrete network on the search's macro-structure (`layers` cells, the same channels), trained
    from scratch to judge the genotype, as DARTS does after its search."""

    def __init__(self, genotype, layers, settings, classes=10):
        def make_cell(c_pp, c_p, c, reduction, reduction_prev):
            cell = genotype.reduce if reduction else genotype.normal
            concat = genotype.reduce_concat if reduction else genotype.normal_concat
            return DerivedCell(cell, concat, c_pp, c_p, c, reduction, reduction_prev)

        # Both cell kinds must concatenate as many states: the next cell's adapters are sized before it is known
        # which kind comes next (parse_genotype checks it).
        super().__init__(make_cell, layers, settings, len(genotype.normal_concat), classes)

    def forward(self, x):
        return self.run(x, lambda cell, s0, s1: cell(s0, s1))


def parse_genotype(text, ops=None):
    """Katib's `Genotype(normal=[[('op', input), ...], ...], normal_concat=range(2, n), reduce=..., reduce_concat=...)`
    text as a Genotype, read as literals (never evaluated). Node i's inputs must be earlier states (< 2 + i), its
    operations in `ops` when given (never "none"), and both cells must concatenate as many states. Raises
    ValueError saying what is wrong."""
    text = text.strip()
    if text.startswith("Best-Genotype="):
        text = text[len("Best-Genotype=") :]
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as error:
        raise ValueError(f"genotype is not Python literal text: {error.msg}") from None
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "Genotype"):
        raise ValueError("genotype must be Genotype(normal=..., normal_concat=..., reduce=..., reduce_concat=...)")
    if tree.args or sorted(k.arg or "" for k in tree.keywords) != sorted(Genotype._fields):
        raise ValueError(f"genotype needs exactly the keywords {', '.join(Genotype._fields)}")
    def value_of(name, node):
        try:
            return ast.literal_eval(node)
        except ValueError:
            raise ValueError(f"{name} must be written with literals only") from None

    fields = {}
    for keyword in tree.keywords:
        value = keyword.value
        if keyword.arg.endswith("_concat"):
            if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "range"):
                raise ValueError(f"{keyword.arg} must be range(a, b)")
            bounds = [value_of(keyword.arg, a) for a in value.args]
            if len(bounds) != 2 or value.keywords or not all(type(b) is int for b in bounds):
                raise ValueError(f"{keyword.arg} must be range(a, b) of two integers")
            fields[keyword.arg] = range(*bounds)
        else:
            fields[keyword.arg] = value_of(keyword.arg, value)
    for cell in ("normal", "reduce"):
        nodes, concat = fields[cell], fields[cell + "_concat"]
        if not isinstance(nodes, list) or not nodes:
            raise ValueError(f"{cell} must be a non-empty list of nodes")
        for i, node in enumerate(nodes):
            if not isinstance(node, list) or not node:
                raise ValueError(f"{cell}[{i}] must be a non-empty list of (operation, input) pairs")
            for edge in node:
                if not (isinstance(edge, tuple) and len(edge) == 2 and isinstance(edge[0], str) and type(edge[1]) is int):
                    raise ValueError(f"{cell}[{i}] has {edge!r}, not an (operation, input) pair")
                name, j = edge
                if not 0 <= j < 2 + i:
                    raise ValueError(f"{cell}[{i}] takes input {j}; node {i} can only use states 0..{1 + i}")
                if name == "none" or (ops is not None and name not in ops):
                    raise ValueError(f"{cell}[{i}] uses {name!r}, not an operation of the search space")
                make_op(name, 4, 1)
        if len(concat) == 0 or concat.start < 0 or concat.stop > 2 + len(nodes):
            raise ValueError(f"{cell}_concat {concat} must name states 0..{1 + len(nodes)}")
    if len(fields["normal_concat"]) != len(fields["reduce_concat"]):
        raise ValueError("normal_concat and reduce_concat must concatenate as many states")
    return Genotype(**fields)


def cosine_lr(settings, epoch, epochs):
    """DARTS's weight learning rate at `epoch`: cosine annealing from w_lr to w_lr_min."""
    low, high = settings["w_lr_min"], settings["w_lr"]
    return low + 0.5 * (high - low) * (1 + math.cos(math.pi * epoch / epochs))


def accuracy(model, data):
    """The model's accuracy on (x, y), in eval mode."""
    model.eval()
    with torch.no_grad():
        return (model(data[0]).argmax(dim=1) == data[1]).float().mean().item()


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
        lr = cosine_lr(settings, epoch, epochs)
        for group in w_opt.param_groups:
            group["lr"] = lr
        model.train()
        order_w = torch.randperm(len(xw), generator=generator)
        order_a = torch.randperm(len(xa), generator=generator)
        for start in range(0, min(len(xw), len(xa)), batch):
            bw, ba = order_w[start : start + batch], order_a[start : start + batch]
            # During the warm-up the architecture weights stay uniform while the operations' weights train: alphas
            # updated against untrained convolutions favour the parameter-free operations (pooling, skip), which
            # fit fastest (the warm-up of P-DARTS and most DARTS follow-ups).
            if epoch >= settings["warmup_epochs"]:
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
        if report is not None:
            report(epoch, accuracy(model, valid), model.genotype())
    return model


def add_search_arguments(parser):
    """Katib's three DARTS trial parameters, as the search and the retraining program both take them."""
    parser.add_argument("--algorithm-settings", required=True)
    parser.add_argument("--search-space", required=True)
    parser.add_argument("--num-layers", required=True)


def search_inputs(args):
    """The parameters of add_search_arguments read (as literals, never executed) and checked: (settings, operations,
    layers); ValueError, SyntaxError or TypeError say what is wrong."""
    settings = read_settings(args.algorithm_settings)
    ops = list(literal(args.search_space))
    layers = int(literal(args.num_layers))
    for name in ops:
        make_op(name, 4, 1)
    if layers < 1 or not ops:
        raise ValueError("need at least one layer and one operation")
    return settings, ops, layers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_search_arguments(parser)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        settings, ops, layers = search_inputs(args)
    except (ValueError, SyntaxError, TypeError) as error:
        print(f"darts-digits: bad trial parameters: {error}", file=sys.stderr)
        return 2
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))

    def report(epoch, accuracy, genotype):
        print(f"epoch {epoch + 1}/{settings['num_epochs']}")
        print(f"Validation-Accuracy={accuracy:.6f}")
        print(f"Best-Genotype={genotype}", flush=True)

    model = search(ops, layers, settings, seed=args.seed, report=report)
    # A KFP retraining step names the model's file (HPO_MODEL_PATH); a trial has an artifacts folder.
    artifacts = os.environ.get("HPO_ARTIFACTS_DIR")
    model_path = os.environ.get("HPO_MODEL_PATH") or (os.path.join(artifacts, "supernet.pt") if artifacts else None)
    if model_path:
        torch.save(
            {"state_dict": model.state_dict(), "genotype": tuple(model.genotype()), "search_space": ops},
            model_path,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
