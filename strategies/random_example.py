"""The tutorial's external strategy: random plans near the reference, in a dozen lines.

    cellwise search --model results/models/paper-mnist5k.json --strategy external \
        --option command='["python3", "strategies/random_example.py"]' --budget 500
"""
import random
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from cellwise_strategy import Session, Stop  # noqa: E402

session = Session()
problem = session.problem
rng = random.Random(problem.seed)
highest = problem.choices - 1
try:
    while True:
        # Lower a random handful of sites from the reference (the highest candidate everywhere).
        plans = []
        for _ in range(8):
            genes = [highest] * problem.sites
            for site in rng.sample(range(problem.sites), rng.randint(1, max(1, problem.sites // 3))):
                genes[site] = rng.randrange(problem.choices)
            plans.append(genes)
        session.ask(plans)
except Stop:
    pass
session.done()
