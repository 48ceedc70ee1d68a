"""SciPy's and statsmodels' answers to the statistics Cellwise computes (Tests/CellwiseStatisticsTests).

Reads {"friedman": [matrix, ...], "wilcoxon": [[x, y], ...], "holm": [pvalues, ...],
"studentized": [k, ...], "normal_quantile": [p, ...]} as JSON on standard input and prints the same keys
with the results.
"""
import json
import sys

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests

cases = json.load(sys.stdin)
out = {"versions": {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__}}
out["friedman"] = []
for matrix in cases.get("friedman", []):
    columns = np.array(matrix, dtype=float).T
    result = stats.friedmanchisquare(*columns)
    ranks = np.array([stats.rankdata(row) for row in matrix]).mean(axis=0)
    out["friedman"].append({"statistic": float(result.statistic), "pvalue": float(result.pvalue),
                            "mean_ranks": ranks.tolist()})
out["wilcoxon"] = []
for x, y in cases.get("wilcoxon", []):
    result = stats.wilcoxon(x, y)
    out["wilcoxon"].append({"statistic": float(result.statistic), "pvalue": float(result.pvalue)})
out["holm"] = [multipletests(p, method="holm")[1].tolist() for p in cases.get("holm", [])]
out["studentized"] = [float(stats.studentized_range.ppf(0.95, k, np.inf) / np.sqrt(2))
                      for k in cases.get("studentized", [])]
out["normal_quantile"] = [float(stats.norm.ppf(p)) for p in cases.get("normal_quantile", [])]
json.dump(out, sys.stdout)
