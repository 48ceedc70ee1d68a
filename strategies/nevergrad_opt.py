"""Nevergrad optimizers as a Cellwise strategy: NGOpt by default, or any registered name.

    [strategies.ngopt]
    command = ["{python}", "strategies/nevergrad_opt.py"]
    # optimizer = "DiscreteLenglerOnePlusOne"   # any name in nevergrad's optimizer registry

Each site is a `TransitionChoice` over the candidates (ordered: neighbouring degrees are close), the
reference plan is suggested first, and the tolerance is folded into the loss as a penalty (the
latency plus 10,000 s per accuracy point below the threshold: every plan within tolerance beats
every plan outside it), since not every Nevergrad optimizer handles constraints.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nevergrad as ng  # noqa: E402
import numpy as np  # noqa: E402
from cellwise_strategy import Session, Stop, penalised  # noqa: E402

session = Session(packages={"nevergrad": ng.__version__, "numpy": np.__version__})
problem = session.problem
name = problem.options.get("optimizer", "NGOpt")
budget = (problem.budget["evaluations"] or 100_000) - problem.budget["used"]
parametrization = ng.p.Tuple(*[ng.p.TransitionChoice(list(range(problem.choices))) for _ in range(problem.sites)])
parametrization.random_state = np.random.RandomState(problem.seed)
optimizer = ng.optimizers.registry[name](parametrization=parametrization, budget=max(1, budget), num_workers=1)
optimizer.suggest(tuple(problem.reference["genes"]))
first = True
try:
    while True:
        candidate = optimizer.ask()
        if first and hasattr(optimizer, "optim"):
            # NGOpt delegates: on this kind of problem it picks DiscreteLenglerOnePlusOne.
            print(f"{name} selected {optimizer.optim.name}", file=sys.stderr)
        first = False
        result = session.ask([list(candidate.value)])[0]
        optimizer.tell(candidate, penalised(result, problem.threshold))
except Stop:
    pass
session.done()
