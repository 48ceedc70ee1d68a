#!/bin/bash
# A Cellwise suite as a Slurm job array: one array task per shard, then the report.
#
#   sbatch --array=0-7 tools/slurm/suite-array.sh configs/suites/default.toml 8
#   # when every task has ended (or as a dependent job: sbatch --dependency=afterany:<jobid> ...):
#   .build/release/cellwise suite report --config configs/suites/default.toml
#
# Submit from the repository root on a shared file system: every task writes its runs under
# results/suites/<name>/runs/ and reads the same configs and models. A task that dies keeps the runs it
# finished; resubmitting the array makes only the missing ones. Runs are independent, so the merged
# report is the one a single machine makes (apart from timings).
#SBATCH --job-name=cellwise-suite
#SBATCH --cpus-per-task=2
#SBATCH --time=01:00:00
#SBATCH --output=cellwise-suite-%A_%a.log
set -euo pipefail
config=${1:?usage: suite-array.sh SUITE.toml SHARDS}
shards=${2:?usage: suite-array.sh SUITE.toml SHARDS}
index=${SLURM_ARRAY_TASK_ID:?run through sbatch --array=0-$((shards - 1))}
exec .build/release/cellwise suite run --config "$config" --shard "$index/$shards" --jobs "${SLURM_CPUS_PER_TASK:-1}"
