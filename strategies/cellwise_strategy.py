"""The Cellwise external-strategy protocol, version 1: the loop every adapter shares.

Cellwise starts your script, writes one JSON object per line to its standard input and reads one
per line from its standard output (write logs to standard error, never to standard output):

    session = Session()            # reads the problem: session.problem.sites, .candidates, .seed, ...
    results = session.ask(plans)   # plans: lists of candidate indices, one per site; returns one dict each
    session.done()                 # the search is over

`ask` raises `Stop` when Cellwise ends the search (budget spent, interrupted); the results of the
plans evaluated before that are in `Stop.results`. Every message from Cellwise is checked against the
protocol's JSON Schema (protocol.schema.json, beside this file). See docs/external-strategies.md.
"""
import json
import os
import sys

PROTOCOL = 1
SCHEMA = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "protocol.schema.json")))
FROM_CELLWISE = ("problem", "results", "stop")


class ProtocolError(Exception):
    """A message that does not match the protocol's schema: `str(error)` says where and how."""


def _is(value, kind):
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, {"string": str, "array": list, "object": dict}[kind])


def check(value, schema, path="message"):
    """Raises ProtocolError unless `value` matches `schema` (the subset of JSON Schema the protocol's
    schema uses: $ref, type, const, enum, required, properties, additionalProperties, items,
    minItems, maxItems, minimum, maximum)."""
    if "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is(value, kind) for kind in kinds):
            raise ProtocolError(f"{path} is {json.dumps(value)[:60]}, not {' or '.join(kinds)}")
    if "const" in schema and value != schema["const"]:
        raise ProtocolError(f"{path} is {json.dumps(value)[:60]}, not {json.dumps(schema['const'])}")
    if "enum" in schema and value not in schema["enum"]:
        raise ProtocolError(f"{path} is {json.dumps(value)[:60]}, not one of {schema['enum']}")
    if _is(value, "number") and value is not None:
        if "minimum" in schema and value < schema["minimum"]:
            raise ProtocolError(f"{path} is {value}, below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise ProtocolError(f"{path} is {value}, above {schema['maximum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                raise ProtocolError(f"{path} has no {key!r}")
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                check(item, properties[key], f"{path}.{key}")
            elif extra is False:
                raise ProtocolError(f"{path} has an unexpected {key!r}")
            elif isinstance(extra, dict):
                check(item, extra, f"{path}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            raise ProtocolError(f"{path} has {len(value)} items")
        if "items" in schema:
            for index, item in enumerate(value):
                check(item, schema["items"], f"{path}[{index}]")


def validate(message, sender="cellwise"):
    """Checks one decoded message against the schema of its type; `sender` "cellwise" accepts only
    what Cellwise sends (problem, results, stop), "strategy" only hello, ask and done."""
    allowed = FROM_CELLWISE if sender == "cellwise" else ("hello", "ask", "done")
    kind = message.get("type") if isinstance(message, dict) else None
    if kind not in allowed:
        raise ProtocolError(f"message type {json.dumps(kind)} is not one of {', '.join(allowed)}")
    check(message, {"$ref": f"#/$defs/{kind}"}, kind)


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
        message = json.loads(line)
        try:
            validate(message, "cellwise")
        except ProtocolError as error:
            raise SystemExit(f"cellwise_strategy: a message from Cellwise does not match protocol.schema.json: {error}")
        return message

    def _write(self, message):
        validate(message, "strategy")
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
