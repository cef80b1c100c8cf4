"""Helpers of Tests/onnx/check.sh: run an exported ONNX model in onnxruntime and compare it with
`nnsearch predict`, and score predictions on a search's validation rows.

    python compare.py onnx MODEL.onnx DATA.csv PREDICT.csv   # check_model, onnxruntime vs predict
    python compare.py score DATA.csv PREDICT.csv TARGET      # accuracy or R² on the validation rows
    python compare.py sample N OUT.csv                       # N rows of x0,x1 uniform in [0, 1)
    python compare.py messy N SEED OUT.csv [unseen]          # a messy CSV: categories, missing cells, an id

The ONNX model's inputs are read from its metadata (`inputs`: which graph input carries which
columns, `missing_texts`): the numeric columns as one float32 tensor, a cell read as `predict` reads
it (an empty cell or a missing text, even one that reads as a number, is NaN; another plain decimal
a number), and each categorical
column as a string tensor [N, 1] of its trimmed cells.

Tolerance (float32 rounding): nnsearch and onnxruntime both compute in float32 but sum in other
orders, standardize once in Double (nnsearch) or in float32 (the ONNX graph's Sub and Mul), and
take exp their own way. A dot product of n terms computed in two orders differs by at most
2·γ_n·Σ|aᵢbᵢ| with γ_n = n·u/(1 − n·u), u = 2⁻²⁴; for these nets (n ≤ 64, Σ|aᵢbᵢ| of a few units
to a few tens per layer, three layers at most) that is at most about 1e-4 in a logit in the worst
case and ~1e-6 typically, and a probability moves by at most ¼ of its logit's change. So:
  probabilities: |Δp| ≤ 1e-5 + 1e-4·|p|
  regression:    |Δy| ≤ 1e-5 + 1e-4·|y|
  labels:        identical, except on a row whose two largest probabilities are within the tolerance.
The largest difference seen is printed, so the margin is visible.
"""
import csv
import json
import re
import sys

import numpy as np

ATOL, RTOL = 1e-5, 1e-4
MASK = (1 << 64) - 1


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


# ---------------------------------------------------------------- nnsearch's split, from the README

class Random:
    """nnsearch's Random: xoshiro256** seeded through SplitMix64; streams mix labels into the seed."""

    def __init__(self, seed, *stream):
        mixed = seed
        for label in stream:
            mixed = Random(mixed ^ ((label * 0xD1B54A32D192ED03) & MASK)).next()
        s = mixed
        state = []
        for _ in range(4):
            s = (s + 0x9E3779B97F4A7C15) & MASK
            z = s
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            state.append(z ^ (z >> 31))
        self.s = state

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def next(self):
        s = self.s
        result = (self.rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self.rotl(s[3], 45)
        return result

    def below(self, n):
        m = self.next() * n
        if m & MASK < n:
            threshold = ((1 << 64) - n) % n
            while m & MASK < threshold:
                m = self.next() * n
        return m >> 64

    def permutation(self, n):
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.below(i + 1)
            p[i], p[j] = p[j], p[i]
        return p


def validation_rows(n, fraction=0.2, seed=0):
    """The held-out rows of a CSV search: after the first ⌊n·(1 − fraction)⌋ of Random(seed, stream 1)'s permutation."""
    return Random(seed, 1).permutation(n)[int(n * (1 - fraction)):]


# ---------------------------------------------------------------- commands

def onnx_check(model_path, data_path, predict_path):
    import onnx
    import onnxruntime as ort

    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    meta = {p.key: p.value for p in model.metadata_props}
    header, rows = read_csv(data_path)
    feeds = onnx_inputs(json.loads(meta["inputs"]), set(json.loads(meta["missing_texts"])), header, rows)
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    outputs = dict(zip(names, session.run(None, feeds)))
    p_header, p_rows = read_csv(predict_path)
    if len(p_rows) != len(rows):
        return f"predict wrote {len(p_rows)} rows for {len(rows)}"
    if "classes" in meta:
        classes = json.loads(meta["classes"])
        if p_header != ["row", "label"] + ["p_" + c for c in classes]:
            return f"predict's header {p_header} does not name the classes {classes}"
        ours = np.array([[float(v) for v in r[2:]] for r in p_rows], dtype=np.float64)
        theirs = outputs["probabilities"].astype(np.float64)
        delta = np.abs(ours - theirs)
        bound = ATOL + RTOL * np.abs(ours)
        if not (delta <= bound).all():
            r, c = np.unravel_index(np.argmax(delta - bound), delta.shape)
            return f"row {r + 1}, p_{classes[c]}: predict {ours[r, c]!r}, onnxruntime {theirs[r, c]!r} (|Δ| {delta[r, c]:.3g} > {bound[r, c]:.3g})"
        labels = [classes.index(r[1]) for r in p_rows]
        differ = [i for i, (a, b) in enumerate(zip(labels, outputs["label"])) if a != b]
        for i in differ:
            top = np.sort(ours[i])[-2:]
            if top[1] - top[0] > ATOL + RTOL * top[1]:
                return f"row {i + 1}: predict says {classes[labels[i]]}, onnxruntime {classes[outputs['label'][i]]} (p {ours[i].tolist()})"
        return f"ok: {len(rows)} rows, {len(classes)} classes, max |Δp| {delta.max():.2e}, labels identical" + (
            "" if not differ else f" but {len(differ)} tie(s) within the tolerance")
    ours = np.array([float(r[1]) for r in p_rows], dtype=np.float64)
    theirs = outputs["prediction"][:, 0].astype(np.float64)
    delta = np.abs(ours - theirs)
    bound = ATOL + RTOL * np.abs(ours)
    if not (delta <= bound).all():
        r = int(np.argmax(delta - bound))
        return f"row {r + 1}: predict {ours[r]!r}, onnxruntime {theirs[r]!r} (|Δ| {delta[r]:.3g} > {bound[r]:.3g})"
    return f"ok: {len(rows)} rows, regression, max |Δy| {delta.max():.2e} (max |y| {np.abs(ours).max():.3g})"


PLAIN_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def onnx_inputs(inputs, missing_texts, header, rows):
    """The graph's inputs for the CSV rows: `input` float32 [N, K] (NaN for a missing cell), each
    categorical column a string [N, 1] of its trimmed cells."""
    names = [h.strip(" \t") for h in header]
    feeds = {}
    for name, columns in inputs.items():
        index = [names.index(c) for c in columns]
        if name == "input":
            def number(cell):
                cell = cell.strip(" \t")
                if cell == "" or cell in missing_texts:
                    return float("nan")
                if PLAIN_DECIMAL.fullmatch(cell):
                    return float(cell)
                raise ValueError(f"{cell!r} is not a number")
            feeds[name] = np.array([[number(r[i]) for i in index] for r in rows], dtype=np.float32).reshape(len(rows), len(index))
        else:
            feeds[name] = np.array([[r[index[0]].strip(" \t")] for r in rows], dtype=object).reshape(len(rows), 1)
    return feeds


def score(data_path, predict_path, target):
    header, rows = read_csv(data_path)
    column = [h.strip() for h in header].index(target)
    _, p_rows = read_csv(predict_path)
    held = validation_rows(len(rows))
    if len(p_rows[0]) > 2 or not _is_number(p_rows[0][1]):
        return sum(p_rows[i][1] == rows[i][column].strip() for i in held) / len(held)
    # R² as nnsearch reports it: targets and predictions as float32, sums in float64.
    y = np.array([np.float32(rows[i][column]) for i in held], dtype=np.float64)
    p = np.array([np.float32(p_rows[i][1]) for i in held], dtype=np.float64)
    return 1 - ((p - y) ** 2).sum() / ((y - y.mean()) ** 2).sum()


def _is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def sample(n, path):
    rng = np.random.default_rng(7)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x0", "x1"])
        for a, b in rng.random((n, 2)):
            w.writerow([f"{a:.6f}", f"{b:.6f}"])


def messy(n, seed, path, unseen=False):
    """A CSV as real files come: `id`; `age` (empty, NA or ? on ~15% of rows); `fare` (never
    missing); `sex` F/M (never missing); `port` C/Q/S (empty or ? on ~20%, some quoted with spaces);
    `deck` A/B/C/7 (a categorical column with a number among its categories; null on ~10%); the
    targets `survived` (yes/no) and `price` (a real value in the hundreds). With `unseen`, rows to
    predict: also unknown categories (sex X, port Z, deck E) and missing cells in every column."""
    rng = np.random.default_rng(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
        w.writerow(["id", "age", "fare", "sex", "port", "deck", "survived", "price"])
        for i in range(n):
            age, fare = rng.uniform(1, 71), rng.uniform(5, 95)
            female = rng.random() < 0.45
            port = "CQS"[rng.integers(3)]
            deck = "7" if i == 0 else ["A", "B", "C", "7"][rng.integers(4)]
            r = rng.random()
            age_text = "" if r < 0.08 else "NA" if r < 0.12 else "?" if r < 0.15 else f"{age:.1f}"
            q = rng.random()
            port_text = "" if q < 0.1 else "?" if q < 0.2 else f" {port} " if q < 0.3 else port
            deck_text = "null" if rng.random() < 0.1 else deck
            sex_text = "F" if female else "M"
            fare_text = f"{fare:.2f}"
            if unseen:
                u = rng.random()
                if u < 0.1:
                    sex_text = "X"
                elif u < 0.2:
                    port_text = "Z"
                elif u < 0.3:
                    deck_text = "E"
                elif u < 0.4:
                    fare_text = rng.choice(["", "NA", "?"])
                elif u < 0.5:
                    sex_text = ""
            score = (1.2 if female else 0) + (0.3 if r < 0.15 else (70 - age) / 70) + fare / 200 \
                + (0.4 if deck == "7" else 0) + (0.3 if port == "C" else 0)
            survived = "yes" if score + (2 if rng.random() < 0.05 else 0) > 1.3 else "no"
            price = 100 * score + 10 * rng.random()
            w.writerow([i + 1, age_text, fare_text, sex_text, port_text, deck_text, survived, f"{price:.4f}"])


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "onnx":
        message = onnx_check(*args)
        print(message)
        sys.exit(0 if message.startswith("ok") else 1)
    elif command == "score":
        print(repr(float(score(*args))))
    elif command == "sample":
        sample(int(args[0]), args[1])
    elif command == "messy":
        messy(int(args[0]), int(args[1]), args[2], unseen=args[3:] == ["unseen"])
    else:
        sys.exit(f"compare.py: unknown command {command}")
