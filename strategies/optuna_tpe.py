"""Optuna's TPESampler as a Cellwise strategy (`{python}` installs optuna from strategies/requirements.txt).

    [strategies.optuna-tpe]
    command = ["{python}", "strategies/optuna_tpe.py"]
    # batch = 1                 # plans asked per message (TPE proposes one at a time by default)

Each site is an integer in 0..candidates-1; the reference plan is the first trial (enqueued); the
objective is the latency and the tolerance a constraint (threshold - accuracy <= 0), which TPE
supports natively (constraints_func). The sampler is seeded with the problem's seed.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optuna  # noqa: E402
from cellwise_strategy import Session, optuna_loop  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)
session = Session(packages={"optuna": optuna.__version__})
problem = session.problem
batch = int(problem.options.get("batch", "1"))
sampler = optuna.samplers.TPESampler(
    seed=problem.seed, constraints_func=lambda trial: trial.user_attrs["constraint"])
study = optuna.create_study(direction="minimize", sampler=sampler)
optuna_loop(session, study, batch)
