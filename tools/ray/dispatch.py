"""Spread a Cellwise suite over a Ray cluster: one Ray task per shard, then the merged report.

    python tools/ray/dispatch.py --config configs/suites/default.toml --shards 8 [--address auto]

Each task runs `cellwise suite run --config C --shard i/N --out OUT` on whichever node Ray gives it;
the run files land under OUT/suites/<name>/runs/, so OUT must be a directory every node sees (a
shared file system) and the cellwise executable and the instance configs' paths must be valid on
every node (run from the same checkout path). Finished runs are kept: dispatching again makes only
the missing ones. The report is written by this process once every task has ended (a failed shard
is named; the report is then partial). Exit status: 0 when every shard succeeded.
"""
import argparse
import json
import subprocess
import sys
import time

import ray


@ray.remote(num_cpus=1)
def shard(cellwise, config, out, index, count, jobs, cwd):
    """Runs one shard; returns (index, exit status, last lines of stderr)."""
    started = time.time()
    command = [cellwise, "suite", "run", "--config", config, "--out", out, "--shard", f"{index}/{count}",
               "--jobs", str(jobs)]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    tail = result.stderr.strip().splitlines()[-3:]
    return {"shard": index, "status": result.returncode, "seconds": round(time.time() - started, 1),
            "node": ray.util.get_node_ip_address(), "stderr": tail}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True, help="the suite config (.toml)")
    parser.add_argument("--shards", type=int, required=True, help="number of shards (Ray tasks)")
    parser.add_argument("--out", default="results", help="results directory every node sees")
    parser.add_argument("--cellwise", default=".build/release/cellwise", help="the cellwise executable")
    parser.add_argument("--address", default=None,
                        help="the Ray cluster (auto, ray://host:10001, ...); default: a local Ray")
    parser.add_argument("--jobs", type=int, default=1, help="runs at the same time within a shard")
    parser.add_argument("--cwd", default=None, help="working directory of the tasks (default: this one)")
    args = parser.parse_args()
    if args.shards < 1:
        parser.error("--shards must be at least 1")
    import os
    cwd = os.path.abspath(args.cwd or os.getcwd())
    cellwise = os.path.abspath(args.cellwise)
    ray.init(address=args.address, log_to_driver=False)
    tasks = [shard.remote(cellwise, args.config, args.out, i, args.shards, args.jobs, cwd) for i in range(args.shards)]
    failed = []
    pending = list(tasks)
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        result = ray.get(done[0])
        print(json.dumps(result), file=sys.stderr, flush=True)
        if result["status"] != 0:
            failed.append(result["shard"])
    ray.shutdown()
    report = subprocess.run([cellwise, "suite", "report", "--config", args.config, "--out", args.out, "--quiet"],
                            cwd=cwd)
    if failed:
        print(f"dispatch: shard(s) {', '.join(map(str, sorted(failed)))} failed; dispatch again to make "
              "their missing runs", file=sys.stderr)
        sys.exit(1)
    sys.exit(report.returncode)


if __name__ == "__main__":
    main()
