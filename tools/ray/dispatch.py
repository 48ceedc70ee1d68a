"""Spread a Cellwise suite or an encrypted run over a Ray cluster: one Ray task per shard, then the merge.

    python tools/ray/dispatch.py --config configs/suites/default.toml --shards 8 [--address auto]
    python tools/ray/dispatch.py --shards 4 --memory-gb 20 -- ckks run --model M --plan P --samples 256 \
        --batch 64 --profile configs/profiles/openfhe-n65536-secure-b64.toml --out results/ckks/run

Suite: each task runs `cellwise suite run --config C --shard i/N --out OUT` on whichever node Ray
gives it; the run files land under OUT/suites/<name>/runs/. Any other command (after `--`): each
task runs `cellwise <command> --shard i/N`, and the merge is the command without --shard (for
`ckks run`: shard i computes ciphertexts i, i+N, ... with keys of its own; the merge reads every
ciphertext's result and writes the report). Either way the output folder must be one every node
sees (a shared file system), and the cellwise executable and the paths must be valid on every node
(run from the same checkout path). Finished work is kept: dispatching again makes only what is
missing. The merge runs in this process once every task has ended (a failed shard is named).
--memory-gb reserves memory per task so that Ray never starts more tasks on a node than fit (an
encrypted shard at N = 2^16 needs 10-18 GB). Exit status: 0 when every shard and the merge succeeded.
"""
import argparse
import json
import subprocess
import sys
import time

import ray


def shard(command, index, count, cwd):
    """Runs one shard's command; returns (index, exit status, last lines of stderr)."""
    started = time.time()
    result = subprocess.run(command + ["--shard", f"{index}/{count}"], cwd=cwd, capture_output=True, text=True)
    tail = result.stderr.strip().splitlines()[-3:]
    return {"shard": index, "status": result.returncode, "seconds": round(time.time() - started, 1),
            "node": ray.util.get_node_ip_address(), "stderr": tail}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", help="the suite config (.toml); or give a cellwise command after --")
    parser.add_argument("--shards", type=int, required=True, help="number of shards (Ray tasks)")
    parser.add_argument("--out", default="results", help="results directory every node sees")
    parser.add_argument("--cellwise", default=".build/release/cellwise", help="the cellwise executable")
    parser.add_argument("--address", default=None,
                        help="the Ray cluster (auto, ray://host:10001, ...); default: a local Ray")
    parser.add_argument("--jobs", type=int, default=1, help="runs at the same time within a shard")
    parser.add_argument("--cwd", default=None, help="working directory of the tasks (default: this one)")
    parser.add_argument("--memory-gb", type=float, default=0, help="memory Ray reserves per task (GB; 0: none)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- a cellwise command to shard (not a suite)")
    args = parser.parse_args()
    if args.shards < 1:
        parser.error("--shards must be at least 1")
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if bool(args.config) == bool(command):
        parser.error("give either --config (a suite) or a cellwise command after --")
    if "--shard" in command:
        parser.error("the command must not have --shard (each task adds its own)")
    import os
    cwd = os.path.abspath(args.cwd or os.getcwd())
    cellwise = os.path.abspath(args.cellwise)
    if args.config:
        task = [cellwise, "suite", "run", "--config", args.config, "--out", args.out, "--jobs", str(args.jobs)]
        merge = [cellwise, "suite", "report", "--config", args.config, "--out", args.out, "--quiet"]
    else:
        task = merge = [cellwise] + command
    options = {"num_cpus": 1}
    if args.memory_gb > 0:
        options["memory"] = int(args.memory_gb * 2**30)
    ray.init(address=args.address, log_to_driver=False)
    remote = ray.remote(**options)(shard)
    tasks = [remote.remote(task, i, args.shards, cwd) for i in range(args.shards)]
    failed = []
    pending = list(tasks)
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        result = ray.get(done[0])
        print(json.dumps(result), file=sys.stderr, flush=True)
        if result["status"] != 0:
            failed.append(result["shard"])
    ray.shutdown()
    if failed:
        print(f"dispatch: shard(s) {', '.join(map(str, sorted(failed)))} failed; dispatch again to make "
              "what they left", file=sys.stderr)
        if not args.config:
            sys.exit(1)  # an encrypted run merges only when complete
    report = subprocess.run(merge, cwd=cwd)
    sys.exit(1 if failed else report.returncode)


if __name__ == "__main__":
    main()
