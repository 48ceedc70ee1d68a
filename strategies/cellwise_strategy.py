"""The Cellwise external-strategy protocol, version 1: the loop every adapter shares.

Cellwise starts your script, writes one JSON object per line to its standard input and reads one
per line from its standard output (write logs to standard error, never to standard output):

    session = Session()            # reads the problem: session.problem.sites, .candidates, .seed, ...
    results = session.ask(plans)   # plans: lists of candidate indices, one per site; returns one dict each
    session.done()                 # the search is over

`ask` raises `Stop` when Cellwise ends the search (budget spent, interrupted); the results of the
plans evaluated before that are in `Stop.results`. See docs/external-strategies.md.
"""
import json
import sys

PROTOCOL = 1


class Stop(Exception):
    """Cellwise ended the search: `reason` is "budget" or "interrupted"; `results` what was evaluated."""

    def __init__(self, reason, results):
        super().__init__(reason)
        self.reason = reason
        self.results = results


class Problem:
    """The problem message: sites, site_names, candidates, reference, threshold, seed, budget, options."""

    def __init__(self, message):
        self.__dict__.update(message)

    @property
    def choices(self):
        return len(self.candidates)


class Session:
    def __init__(self, stdin=None, stdout=None, packages=None):
        self._in = stdin or sys.stdin
        self._out = stdout or sys.stdout
        message = self._read()
        if message.get("type") != "problem" or message.get("protocol") != PROTOCOL:
            raise SystemExit(f"expected a protocol {PROTOCOL} problem, got {message}")
        self.problem = Problem(message)
        if packages:
            self._write({"type": "hello", "packages": packages})

    def _read(self):
        line = self._in.readline()
        if not line:
            raise Stop("closed", [])
        return json.loads(line)

    def _write(self, message):
        self._out.write(json.dumps(message) + "\n")
        self._out.flush()

    def ask(self, plans):
        """Evaluates `plans` (each a list of `problem.sites` candidate indices); one result dict per plan:
        genes, accuracy, latency_seconds, bootstraps, within_tolerance, cached."""
        plans = [[int(g) for g in plan] for plan in plans]
        self._write({"type": "ask", "plans": plans})
        answer = self._read()
        results = answer.get("results", [])
        if answer.get("type") == "stop":
            raise Stop(answer.get("reason"), [])
        if len(results) < len(plans):
            stop = self._read()
            raise Stop(stop.get("reason"), results)
        return results

    def done(self):
        self._write({"type": "done"})


def penalised(result, threshold, penalty=1e4):
    """A single objective for optimizers without constraints: the latency, plus `penalty` seconds per
    accuracy point below the threshold (so every plan within tolerance beats every plan outside it)."""
    shortfall = max(0.0, threshold - result["accuracy"])
    return result["latency_seconds"] + penalty * 100 * shortfall


def optuna_loop(session, study, batch=1):
    """Drives an Optuna study until Cellwise stops it: one integer parameter per site, the reference
    enqueued first, the latency minimised under the constraint threshold - accuracy <= 0 (the sampler
    must be made with `constraints_func=lambda trial: trial.user_attrs["constraint"]`)."""
    problem = session.problem
    names = [f"site{i}" for i in range(problem.sites)]
    study.enqueue_trial(dict(zip(names, problem.reference["genes"])))
    try:
        while True:
            trials = [study.ask() for _ in range(batch)]
            plans = [[trial.suggest_int(name, 0, problem.choices - 1) for name in names] for trial in trials]
            for trial, result in zip(trials, session.ask(plans)):
                trial.set_user_attr("constraint", [problem.threshold - result["accuracy"]])
                study.tell(trial, result["latency_seconds"])
    except Stop:
        pass
    session.done()
