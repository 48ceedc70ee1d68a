"""A scripted external strategy for ExternalStrategyTests: `fake_strategy.py MODE` misbehaves as MODE says."""
import json
import random
import sys
import time

mode = sys.argv[1]
problem = json.loads(sys.stdin.readline())
sites, choices = problem["sites"], len(problem["candidates"])
reference = problem["reference"]["genes"]


def send(message):
    sys.stdout.write((message if isinstance(message, str) else json.dumps(message)) + "\n")
    sys.stdout.flush()


def ask(plans):
    send({"type": "ask", "plans": plans})
    answer = json.loads(sys.stdin.readline())
    if answer["type"] == "results" and len(answer["results"]) < len(plans):
        answer = json.loads(sys.stdin.readline())
    return answer


if mode == "good":
    send({"type": "hello", "packages": {"python": sys.version.split()[0]}})
    rng = random.Random(problem["seed"])
    for _ in range(5):
        answer = ask([[rng.randrange(choices) for _ in range(sites)] for _ in range(3)])
        assert answer["type"] == "results" and len(answer["results"]) == 3, answer
        assert all(set(r) >= {"accuracy", "latency_seconds", "bootstraps", "cached", "within_tolerance"}
                   for r in answer["results"])
    send({"type": "done"})
elif mode == "overspend":
    rng = random.Random(problem["seed"])
    while True:
        answer = ask([[rng.randrange(choices) for _ in range(sites)] for _ in range(50)])
        if answer["type"] == "stop":
            print(f"stopped: {answer['reason']}", file=sys.stderr)
            break
    send({"type": "done"})
elif mode == "malformed":
    send("this is not JSON")
elif mode == "no-type":
    send({"plans": [reference]})
elif mode == "unknown":
    send({"type": "tell", "plans": [reference]})
elif mode == "wrong-length":
    send({"type": "ask", "plans": [reference + [0]]})
elif mode == "out-of-range":
    send({"type": "ask", "plans": [[choices] * sites]})
elif mode == "fraction":
    send({"type": "ask", "plans": [[0.5] * sites]})
elif mode == "boolean":
    send({"type": "ask", "plans": [[True] * sites]})
elif mode == "empty":
    send({"type": "ask", "plans": []})
elif mode == "crash":
    print("boom: the optimizer failed", file=sys.stderr)
    sys.exit(3)
elif mode == "hang":
    time.sleep(60)
elif mode == "repeat":
    while True:
        ask([reference])
