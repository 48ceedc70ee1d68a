"""Optuna's NSGAIISampler as a Cellwise strategy.

    [strategies.optuna-nsga2]
    command = ["{python}", "strategies/optuna_nsga2.py"]
    # population = "50"          # NSGA-II's population size (Optuna's default 50)

Each site is an integer in 0..candidates-1; the reference plan is the first trial; the latency is
minimised under the constraint threshold - accuracy <= 0 (NSGA-II's constrained domination). A
generation's trials are asked for in one message.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optuna  # noqa: E402
from cellwise_strategy import Session, optuna_loop  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)
session = Session(packages={"optuna": optuna.__version__})
problem = session.problem
population = int(problem.options.get("population", "50"))
sampler = optuna.samplers.NSGAIISampler(
    population_size=population, seed=problem.seed, constraints_func=lambda trial: trial.user_attrs["constraint"])
study = optuna.create_study(direction="minimize", sampler=sampler)
optuna_loop(session, study, population)
