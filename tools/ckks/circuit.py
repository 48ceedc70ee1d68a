"""A recurrent model's circuit on packed slots, as Cellwise's encrypted job describes it
(docs/encrypted-job.md): the operations of the job's ciphertext graph, each a node of the job's cell
graph, evaluated with any object that offers OpenFHE's CryptoContext calls used here (EvalAdd,
EvalSub, EvalMult, EvalNegate, EvalRotate, EvalChebyshevSeries, EvalBootstrap,
MakeCKKSPackedPlaintext, GetBatchSize): OpenFHE's own (cellwise_ckks.py), or the NumPy slot
simulator (simulate.py) that runs the same circuit without encryption.
"""
import json
import os
import sys
import time

WINDOW = 64  # the window of a probe (format-2 jobs, which carry none, had this one)
JOB_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "job.schema.json")


def baby_steps(window):
    """Baby steps g of the BSGS matrix-vector product over a window of d slots (giant steps d / g):
    2^ceil(log2(d) / 2), as Cellwise's cost model counts them (MatrixVectorAlgorithm.bsgs): 8 for
    64, 16 for 128 and 256, 32 for 512."""
    log = window.bit_length() - 1
    return 1 << ((log + 1) // 2)


def rotations(batch, window):
    """The rotations of the BSGS matrix-vector product for `batch` interleaved images."""
    g = baby_steps(window)
    return [batch * i for i in range(1, g)] + [batch * g * j for j in range(1, window // g)]


def plaintext(cc, values, level=0):
    """Values padded with zeros to the context's slot count, encoded for ciphertexts at `level`
    (levels consumed) or deeper: fewer RNS towers than a top-level plaintext."""
    slots = cc.GetBatchSize()
    padded = list(values) + [0.0] * (slots - len(values))
    return cc.MakeCKKSPackedPlaintext(padded, 1, level) if level else cc.MakeCKKSPackedPlaintext(padded)


def interleave(vectors, batch, window):
    """One vector of at most `window` features per image (at most `batch` images) -> window * batch
    slots, feature j of image b at j * batch + b."""
    out = [0.0] * (window * batch)
    for b, vector in enumerate(vectors):
        for j, value in enumerate(vector):
            out[j * batch + b] = value
    return out


def repeated(vector, batch, window):
    """The same vector for every image of the batch."""
    return interleave([vector] * batch, batch, window)


def openfhe_series(coefficients):
    """Chebyshev coefficients c_0..c_d of p = sum c_k T_k (NumPy's and Cellwise's convention) in
    OpenFHE's, whose EvalChebyshevSeries evaluates c_0 / 2 + sum_{k>0} c_k T_k: c_0 doubled. (A tanh
    fit has c_0 = 0 and is the same either way; a sigmoid's c_0 is about 1.)"""
    return [2 * coefficients[0]] + list(coefficients[1:])


def diagonals(matrix):
    """BSGS diagonals of a d x d matrix M (d the window) for y = x M (y[s] = sum_i x[i] M[i][s]):
    y = sum_j rot(sum_i rot(diag_{gj+i}, -gj) * rot(x, i), gj), diag_k[s] = M[(s + k) % d][s].
    Diagonals that are zero everywhere are left out (no multiplication, no plaintext)."""
    d = len(matrix)
    g = baby_steps(d)
    result = {}
    for k in range(d):
        diag = [matrix[(s + k) % d][s] for s in range(d)]
        if not any(diag):
            continue
        shift = g * (k // g)
        result[k] = [diag[(s - shift) % d] for s in range(d)]  # rotated by -shift
    return result


def matvec(cc, ct, plaintexts, batch, window):
    """x M for every image of the batch (rotations by multiples of `batch`; `plaintexts` repeated per image)."""
    d, g = window, baby_steps(window)
    babies = [ct] + [cc.EvalRotate(ct, i * batch) for i in range(1, g)]
    total = None
    for j in range(d // g):
        inner = None
        for i in range(g):
            if g * j + i not in plaintexts:
                continue
            term = cc.EvalMult(babies[i], plaintexts[g * j + i])
            inner = term if inner is None else cc.EvalAdd(inner, term)
        if inner is None:
            continue
        if j > 0:
            inner = cc.EvalRotate(inner, g * j * batch)
        total = inner if total is None else cc.EvalAdd(total, inner)
    return total


def parse_value(text):
    """A cell-graph value as the job writes it: "x" -> ("x", 0), "s1" -> ("s", 1), "n4" -> ("n", 4)."""
    return ("x", 0) if text == "x" else (text[0], int(text[1:]))


def pack_offsets(group):
    """Where each member of a pack starts in the window: after the widths of those before it."""
    offsets, start = [], 0
    for width in group["widths"]:
        offsets.append(start)
        start += width
    return offsets


def extra_rotations(job, batch):
    """The rotations beyond the BSGS ones: a lower layer's h moved to the input features of the
    layer above, a bidirectional layer's backward h moved beside the forward one, and each packed
    member moved to its features in the pack and back."""
    layers = job["layers"]
    moves = {-layers[l]["units"] * batch for l in range(1, len(layers))}
    moves |= {-layer["units"] * batch for layer in layers if layer.get("backward") and layer.get("merge") == "concat"}
    for op in job["operations"]:
        for group in op.get("pack", []):
            moves |= {sign * offset * batch for offset in pack_offsets(group) if offset for sign in (1, -1)}
    return sorted(moves)


def layer_graph(job, l):
    """The cell graph layer `l` runs: its own in a stack of different kinds, else the job's."""
    return job["layers"][l].get("cell") or job["cell"]


class Circuit:
    """A recurrent model's encrypted evaluation: the operations of Cellwise's ciphertext graph
    (CiphertextGraph.swift) in order, with the bootstraps of its placement. Nothing here knows a
    cell kind: every layer runs its cell graph (the job's, or the layer's own in a mixed stack;
    CellGraph.swift, docs/encrypted-job.md), and each operation evaluates the graph node it names
    from the values it reads, through the unlabelled nodes between them.

    Every value of a layer (a state, a gate, a product) sits in features 0..u-1 of each image's
    window (the job's `window` slots, a power of two); the step's input x_t is encrypted into
    features u..u+n-1 of layer 0, and a lower layer's new h is rotated there for the layer above.
    Products by weights are BSGS matrix-vector products over the window:

      add(input_product(k), recurrent_product(v, k))   one product of [v | x] by M_k (the
                       recurrent block in rows 0..u-1, the input block below it), plus b_k
      input_product(k)                                  x by the input block alone, plus b_k
      recurrent_product(v, k[, with_bias])              v by the recurrent block alone (plus b_r)

    Features outside 0..u-1 of every product are exactly zero, so a sigmoid holds p(0) = 0.5 there
    and a tanh p(0) = 0; every product that follows multiplies such a slot by a zero, so no mask is
    needed. A zero initial state is kept as None (no ciphertext): sums and products with it are
    simplified away. The Dense operation computes h D + d.

    A pack (an operation's `pack`) puts several ciphertexts side by side in one before a single
    bootstrap: member i rotated to features offset_i.. (the widths before it), a member that is not
    zero past its width masked to it first; after the bootstrap each is rotated back, and a
    zero-padded one masked again (the others keep their neighbours' values past their width, which
    only products with zero-padded values read, as their 0.5 before).
    """

    def __init__(self, cc, job, batch, level=0):
        self.cc, self.job, self.batch, self.level = cc, job, batch, level
        self.window = window = job["window"]
        self.nodes, self.combined, self.masks = [], [], {}
        # Weights as diagonals and bias values, encoded per scale on first use (``matrix``, ``bias``):
        # a folded interval map needs them scaled. Without folds, all are encoded here, as before.
        self.diagonals, self.biases, self.encoded = {}, {}, {}
        folds = any(op.get("fold") for op in job["operations"])
        for l, layer in enumerate(job["layers"]):
            graph = layer_graph(job, l)
            nodes, blocks = graph["nodes"], graph["blocks"]
            # Sums of an input product and a recurrent product of the same block (no recurrent bias):
            # one product of [v | x].
            combined = {}
            for n, node in enumerate(nodes):
                if node["op"] != "add":
                    continue
                a, b = (parse_value(v) for v in node["of"])
                if a[0] != "n" or b[0] != "n":
                    continue
                first, second = nodes[a[1]], nodes[b[1]]
                if first["op"] == "recurrent_product":
                    first, second = second, first
                if (first["op"] == "input_product" and second["op"] == "recurrent_product"
                        and first["block"] == second["block"] and not second.get("with_bias")
                        and "label" not in first and "label" not in second):
                    combined[n] = (first["block"], second["of"])
            absorbed = {parse_value(v)[1] for n in combined for v in nodes[n]["of"]}
            needs = {"both": {k for k, _ in combined.values()}, "input": set(), "recurrent": set()}
            for n, node in enumerate(nodes):
                if n not in absorbed and node["op"] in ("input_product", "recurrent_product"):
                    needs[node["op"].split("_")[0]].add(node["block"])
            self.nodes.append(nodes)
            self.combined.append(combined)
            u, w = layer["units"], layer["input_size"]  # within the window: check_job says so
            # A bidirectional layer's second pass has weights of its own.
            for p, weights in enumerate([layer] + ([layer["backward"]] if layer.get("backward") else [])):
                kernel, recurrent = weights["kernel"], weights["recurrent_kernel"]
                for part, ks in needs.items():
                    for k in ks:
                        matrix = [[0.0] * window for _ in range(window)]
                        if part != "input":
                            for i in range(u):
                                for j in range(u):
                                    matrix[i][j] = recurrent[i * blocks * u + k * u + j]
                        if part != "recurrent":
                            for i in range(w):
                                for j in range(u):
                                    matrix[u + i][j] = kernel[i * blocks * u + k * u + j]
                        self.diagonals[(l, p, part, k)] = diagonals(matrix)
                for k in needs["both"] | needs["input"]:
                    self.biases[(l, p, k)] = weights["bias"][k * u:(k + 1) * u]
                if weights.get("recurrent_bias"):
                    self.biases[(l, p, "recurrent")] = weights["recurrent_bias"]
        if not folds:
            for key in self.diagonals:
                self.matrix(key)
            for key in self.biases:
                self.bias(key)
        classes = job["classes"]
        last = len(job["dense_kernel"]) // classes  # the last layer's output: 2 u for passes side by side
        dense = [[0.0] * window for _ in range(window)]
        for i in range(last):
            for j in range(classes):
                dense[i][j] = job["dense_kernel"][i * classes + j]
        self.dense = self.encode(diagonals(dense))
        self.dense_bias = self.vector(job["dense_bias"])

    def encode(self, diagonal_map):
        return {k: plaintext(self.cc, repeated(v, self.batch, self.window), self.level)
                for k, v in diagonal_map.items()}

    def vector(self, values):
        return plaintext(self.cc, repeated(values, self.batch, self.window), self.level)

    def matrix(self, key, scale=1.0):
        """The BSGS plaintexts of a weight matrix (layer, pass, part, block) times `scale`."""
        if ("matrix", key, scale) not in self.encoded:
            self.encoded[("matrix", key, scale)] = self.encode(
                {d: [scale * v for v in values] for d, values in self.diagonals[key].items()})
        return self.encoded[("matrix", key, scale)]

    def bias(self, key, scale=1.0):
        """A bias (layer, pass, block or "recurrent") times `scale`; None for a layer without one."""
        if key not in self.biases:
            return None
        if ("bias", key, scale) not in self.encoded:
            self.encoded[("bias", key, scale)] = self.vector([scale * v for v in self.biases[key]])
        return self.encoded[("bias", key, scale)]

    def mask(self, width):
        """1 in features 0..width-1 of every image, 0 elsewhere."""
        if width not in self.masks:
            self.masks[width] = self.vector([1.0] * width)
        return self.masks[width]

    def refresh_packed(self, cts, group):
        """Bootstraps the group's members as one ciphertext (see the class); returns 1, or 0 when
        every member is a zero state (None)."""
        cc, batch = self.cc, self.batch
        members = list(zip(group["ciphertexts"], group["widths"], group["zero_padded"], pack_offsets(group)))
        packed = None
        for c, width, padded, offset in members:
            if cts[c] is None:
                continue
            value = cts[c] if padded else cc.EvalMult(cts[c], self.mask(width))
            if offset:
                value = cc.EvalRotate(value, -offset * batch)
            packed = value if packed is None else cc.EvalAdd(packed, value)
        if packed is None:
            return 0
        packed = cc.EvalBootstrap(packed)
        for c, width, padded, offset in members:
            if cts[c] is None:
                continue
            value = cc.EvalRotate(packed, offset * batch) if offset else packed
            cts[c] = cc.EvalMult(value, self.mask(width)) if padded else value
        return 1

    def evaluate(self, inputs, name="batch"):
        """Runs the operations on one batch's input ciphertexts (one per step); returns the logits
        ciphertext and the number of bootstraps. A progress line at most once a minute says how far
        `name` has come."""
        cc, job = self.cc, self.job
        cts, bootstraps = {}, 0
        started = reported = time.perf_counter()
        for fresh in job["fresh"]:
            cts[fresh["id"]] = inputs[fresh["input"]] if "input" in fresh else None  # None: a zero state
        last_use = {}
        for index, op in enumerate(job["operations"]):
            for c in op["inputs"]:
                last_use[c] = index
        for index, op in enumerate(job["operations"]):
            try:
                for group in op.get("pack", []):
                    bootstraps += self.refresh_packed(cts, group)
                for c in op.get("refresh", []):
                    if cts[c] is not None:
                        cts[c] = cc.EvalBootstrap(cts[c])
                        bootstraps += 1
                args = [cts[c] for c in op["inputs"]]
                cts[op["output"]] = self.operation(op, args)
            except Exception as error:
                raise RuntimeError(f"{op['label']}: {str(error).splitlines()[0]}") from error
            for c in op["inputs"]:
                if last_use[c] == index and c != job["logits"]:
                    cts.pop(c, None)
            now = time.perf_counter()
            if now - reported >= 60:
                reported = now
                progress(f"{name}: operation {index + 1} of {len(job['operations'])} ({op['label']}), "
                         f"{bootstraps} bootstraps, {now - started:.0f} s")
        return cts[job["logits"]], bootstraps

    def place(self, below, layer):
        """The layer's input in features u..u+w-1: x_t is encrypted there; a lower layer's h is rotated."""
        if layer == 0 or below is None:
            return below
        return self.cc.EvalRotate(below, -self.job["layers"][layer]["units"] * self.batch)

    def polynomial(self, op, ct):
        if ct is None:
            raise ValueError("an activation of a value that is zero in every slot")
        a, b = op["interval"]
        return self.cc.EvalChebyshevSeries(ct, openfhe_series(op["chebyshev"]), a, b)

    def add(self, x, y):
        return y if x is None else x if y is None else self.cc.EvalAdd(x, y)

    def subtract(self, x, y):
        return x if y is None else self.cc.EvalNegate(y) if x is None else self.cc.EvalSub(x, y)

    def mult(self, x, y):
        return None if x is None or y is None else self.cc.EvalMult(x, y)

    def product(self, v, layer, p, part, k, scale=1.0):
        """v times a weight matrix of pass p, times `scale` (None for a zero v)."""
        if v is None:
            return None
        return matvec(self.cc, v, self.matrix((layer, p, part, k), scale), self.batch, self.window)

    def operation(self, op, args):
        """The operation's result from its input ciphertexts (in `op["inputs"]` order)."""
        l, p = op["layer"], op.get("pass", 0)
        if op["kind"] == "dense":
            return self.cc.EvalAdd(matvec(self.cc, args[0], self.dense, self.batch, self.window), self.dense_bias)
        if op["kind"] == "merge":
            # A bidirectional layer's h of each pass in features 0..u-1: side by side (the backward
            # one moved to u..2u-1) or added.
            forward, backward = args
            if self.job["layers"][l].get("merge", "concat") == "concat" and backward is not None:
                backward = self.cc.EvalRotate(backward, -self.job["layers"][l]["units"] * self.batch)
            return self.add(forward, backward)
        known = dict(zip(op["reads"], args))

        def value(text):
            if text in known:
                return known[text]
            kind, n = parse_value(text)
            if kind != "n":
                raise ValueError(f"the operation does not read {text}")
            known[text] = node(n)
            return known[text]

        nodes = self.nodes[l]

        def scaled(text, scale):
            """A value times `scale` through its weights (folded interval maps); `scale` 1: as it is."""
            if scale == 1.0:
                return value(text)
            _, n = parse_value(text)
            if not scalable(nodes, text):
                raise ValueError(f"a folded interval map reaches {text}, which is not made of products by weights")
            return node(n, scale)

        def node(n, scale=1.0):
            spec = nodes[n]
            kind = spec["op"]
            if n in self.combined[l]:
                k, recurrent = self.combined[l][n]
                v = self.add(value(recurrent), self.place(value("x"), l))
                return self.cc.EvalAdd(self.product(v, l, p, "both", k, scale), self.bias((l, p, k), scale))
            if kind == "input_product":
                k = spec["block"]
                return self.cc.EvalAdd(
                    self.product(self.place(value("x"), l), l, p, "input", k, scale), self.bias((l, p, k), scale))
            if kind == "recurrent_product":
                y = self.product(value(spec["of"]), l, p, "recurrent", spec["block"], scale)
                return self.add(y, self.bias((l, p, "recurrent"), scale)) if spec.get("with_bias") else y
            if kind == "activate":
                if not op.get("fold"):
                    return self.polynomial(op, value(spec["of"]))
                # s x + t maps the interval onto [-1, 1]: s through the weights, t added (no level).
                a, b = op["interval"]
                argument = scaled(spec["of"], 2.0 / (b - a))
                if argument is None:
                    raise ValueError("an activation of a value that is zero in every slot")
                argument = self.cc.EvalAdd(argument, -(a + b) / (b - a))
                return self.cc.EvalChebyshevSeries(argument, openfhe_series(op["chebyshev"]), -1.0, 1.0)
            x, y = spec["of"]
            if kind == "multiply" and scale != 1.0:
                # One factor carries the scale: one made of products by weights.
                if scalable(nodes, y):
                    return self.mult(value(x), scaled(y, scale))
                return self.mult(scaled(x, scale), value(y))
            a, b = scaled(x, scale), scaled(y, scale)
            return {"add": self.add, "subtract": self.subtract, "multiply": self.mult}[kind](a, b)

        return node(op["node"])


def scalable(nodes, text):
    """Whether a value is an unlabelled node made of products by weights, through sums, differences
    and element-wise products by other values (CellGraph.scalable in Cellwise): scaling its weights
    and biases scales it."""
    kind, n = parse_value(text)
    if kind != "n" or "label" in nodes[n]:
        return False
    op = nodes[n]["op"]
    if op in ("input_product", "recurrent_product"):
        return True
    if op in ("add", "subtract"):
        return all(scalable(nodes, v) for v in nodes[n]["of"])
    if op == "multiply":
        return any(scalable(nodes, v) for v in nodes[n]["of"])
    return False


def check_job(job):
    """Raises ValueError (one line, naming the field) unless `job` is a format-3 job: its schema
    (job.schema.json, checked by jsonschema), then what a schema cannot say (nodes, reads and
    ciphertexts that exist)."""
    import jsonschema
    with open(JOB_SCHEMA) as f:
        schema = json.load(f)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(job), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise ValueError(f"the job{where}: {error.message[:200]}")
    window = job["window"]
    if window & (window - 1):
        raise ValueError(f"the job.window: {window} is not a power of two")
    for l, layer in enumerate(job["layers"]):
        u, w = layer["units"], layer["input_size"]
        out = 2 * u if layer.get("backward") and layer.get("merge", "concat") == "concat" else u
        if max(u + w, out) > window:
            raise ValueError(f"the job.layers[{l}]: {u} units and {w} inputs do not fit the {window}-slot window")
    if job["classes"] > window:
        raise ValueError(f"the job.classes: {job['classes']} do not fit the {window}-slot window")
    known = {f["id"] for f in job["fresh"]}
    for index, op in enumerate(job["operations"]):
        where = f"the job.operations[{index}] ({op['label']})"
        if op["layer"] >= len(job["layers"]):
            raise ValueError(f"{where}: layer {op['layer']} of {len(job['layers'])}")
        nodes = layer_graph(job, op["layer"])["nodes"]
        if op["kind"] == "merge" and (len(op["inputs"]) != 2 or not job["layers"][op["layer"]].get("backward")):
            raise ValueError(f"{where}: a merge reads the two passes of a bidirectional layer")
        if op.get("pass", 0) == 1 and not job["layers"][op["layer"]].get("backward"):
            raise ValueError(f"{where}: pass 1 of a layer without backward weights")
        if op["kind"] == "cell":
            if op["node"] >= len(nodes):
                raise ValueError(f"{where}: node {op['node']} of {len(nodes)}")
            if len(op["reads"]) != len(op["inputs"]):
                raise ValueError(f"{where}: {len(op['reads'])} reads for {len(op['inputs'])} inputs")
            if nodes[op["node"]]["op"] == "activate" and not ("chebyshev" in op and "interval" in op):
                raise ValueError(f"{where}: an activation without its polynomial")
            if op.get("fold") and not (nodes[op["node"]]["op"] == "activate"
                                       and scalable(nodes, nodes[op["node"]]["of"])):
                raise ValueError(f"{where}: a folded interval map needs an activation of products by weights")
            if op.get("fold") and not op["interval"][0] < op["interval"][1]:
                raise ValueError(f"{where}: the interval {op['interval']} is empty")
        for group in op.get("pack", []):
            members, widths = group["ciphertexts"], group["widths"]
            if len(widths) != len(members) or len(group["zero_padded"]) != len(members):
                raise ValueError(f"{where}: a pack of {len(members)} ciphertexts with {len(widths)} widths")
            if sum(widths) > window:
                raise ValueError(f"{where}: a pack of {sum(widths)} features does not fit the {window}-slot window")
            if len(set(members)) != len(members) or set(members) & set(op["refresh"]):
                raise ValueError(f"{where}: a ciphertext packed twice or also refreshed alone")
        for c in op["inputs"] + op["refresh"] + [c for group in op.get("pack", []) for c in group["ciphertexts"]]:
            if c not in known:
                raise ValueError(f"{where}: reads ciphertext {c} before it is made")
        known.add(op["output"])
    if job["logits"] not in known:
        raise ValueError(f"the job.logits: ciphertext {job['logits']} is never made")


def progress(line):
    """A progress line for the Swift side (which shows lines that start with "progress: ")."""
    print(f"progress: {line}", file=sys.stderr, flush=True)
