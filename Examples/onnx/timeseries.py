"""Reads a UEA/UCR .ts problem the way Cellwise does, for the example export scripts.

Labels are indices into @classLabel; the archive's TEST file is the test split; series are
pre-padded to the longest case of both files. Standardisation uses the real steps of the
training file, and a padded step is given the per-channel mean, so that the model's own
(x - mean) / std makes it exactly zero, as Cellwise's input transform does.
"""
import gzip
import numpy as np


def read_ts(path):
    opener = gzip.open if path.endswith(".gz") else open
    classes, cases, labels, in_data = None, [], [], False
    with opener(path, "rt") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not in_data:
                lower = line.lower()
                if lower.startswith("@classlabel"):
                    classes = line.split()[2:]
                elif lower.startswith("@data"):
                    in_data = True
                continue
            *channels, label = line.split(":")
            cases.append(np.array([[float(v) for v in c.split(",")] for c in channels], dtype=np.float64).T)
            labels.append(classes.index(label.strip()))
    return cases, np.array(labels, dtype=np.int64), classes


def load(directory, name):
    train, y_train, classes = read_ts(f"{directory}/{name}_TRAIN.ts.gz")
    test, y_test, _ = read_ts(f"{directory}/{name}_TEST.ts.gz")
    steps = max(len(c) for c in train + test)
    real = np.concatenate(train)
    mean, std = real.mean(axis=0), real.std(axis=0)
    std[std <= 1e-6] = 1.0

    def pad(cases):
        x = np.tile(mean, (len(cases), steps, 1))
        for i, c in enumerate(cases):
            x[i, steps - len(c):] = c
        return x.astype(np.float32)

    return pad(train), y_train, pad(test), y_test, mean.astype(np.float32), std.astype(np.float32), len(classes)
