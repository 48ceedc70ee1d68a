"""pymoo's GA with integer variables as a Cellwise strategy.

    [strategies.pymoo-ga]
    command = ["{python}", "strategies/pymoo_ga.py"]
    # population = "50"

Integer sampling, simulated binary crossover and polynomial mutation rounded to integers (pymoo's
recipe for integer variables), duplicates eliminated; the reference plan is seeded into the first
population; the tolerance is a constraint (threshold - accuracy <= 0), which pymoo's GA handles by
feasibility first. Each generation is asked for in one message and its scores handed back through
a StaticProblem (pymoo's ask/tell interface).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import pymoo  # noqa: E402
from pymoo.algorithms.soo.nonconvex.ga import GA  # noqa: E402
from pymoo.core.evaluator import Evaluator  # noqa: E402
from pymoo.core.population import Population  # noqa: E402
from pymoo.core.problem import Problem  # noqa: E402
from pymoo.problems.static import StaticProblem  # noqa: E402
from pymoo.operators.crossover.sbx import SBX  # noqa: E402
from pymoo.operators.mutation.pm import PM  # noqa: E402
from pymoo.operators.repair.rounding import RoundingRepair  # noqa: E402
from pymoo.operators.sampling.rnd import IntegerRandomSampling  # noqa: E402
from cellwise_strategy import Session, Stop  # noqa: E402

session = Session(packages={"pymoo": pymoo.__version__, "numpy": np.__version__})
problem = session.problem
size = int(problem.options.get("population", "50"))
space = Problem(n_var=problem.sites, n_obj=1, n_ieq_constr=1, xl=0, xu=problem.choices - 1, vtype=int)
rng = np.random.default_rng(problem.seed)
initial = IntegerRandomSampling()(space, size, random_state=rng).get("X")
initial[0] = problem.reference["genes"]
algorithm = GA(
    pop_size=size, sampling=Population.new(X=initial.astype(int)),
    crossover=SBX(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()),
    mutation=PM(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()), eliminate_duplicates=True)
algorithm.setup(space, termination=("n_gen", 10**9), seed=problem.seed, verbose=False)
try:
    while True:
        population = algorithm.ask()
        genes = np.clip(np.round(population.get("X")), 0, problem.choices - 1).astype(int)
        results = session.ask(genes.tolist())
        scored = StaticProblem(
            space, F=np.array([[r["latency_seconds"]] for r in results]),
            G=np.array([[problem.threshold - r["accuracy"]] for r in results]))
        Evaluator().eval(scored, population)
        algorithm.tell(infills=population)
except Stop:
    pass
session.done()
