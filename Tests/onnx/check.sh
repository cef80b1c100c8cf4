#!/usr/bin/env bash
# nnsearch's exported models in a real ONNX runtime.
#
# It makes (once) a Python venv with onnx, onnxruntime and numpy from PyPI, builds nnsearch in
# release (a no-op when it is up to date), then runs seven small searches:
#   - the example searches searches/moons_csv.json (a binary classifier) and searches/friedman_csv.json
#     (a regressor), as they are;
#   - moons and friedman again over more of the space (batchnorm, dropout, all four activations);
#   - a 3-class classifier on the sum_bin generator (Softmax and ArgMax), predicted on sampled rows;
#   - a classifier and a regressor on a messy CSV made here (compare.py messy: an id column ignored,
#     string columns, empty/NA/?/null cells), predicted on the file and on new rows with unknown
#     categories and missing cells in every column.
# For every kept model of each search it exports ONNX, runs onnx.checker.check_model (full check),
# runs onnxruntime on the CSV's rows and compares with `nnsearch predict` on the same rows within a
# tolerance derived from float32 rounding (Tests/onnx/compare.py states it: |Δp| ≤ 1e-5 + 1e-4·|p|,
# the same for regression values; labels identical but for near-ties). For the six CSV searches it
# also exports the best trial with --refit twice, as JSON and as ONNX, and checks the files are
# byte-identical, runs the refit's ONNX against its predict, and prints how well the kept and the
# refit model predict the validation rows (the refit has trained on them; a refit that does worse
# is reported, not failed). The validation rows come from a Python port of nnsearch's split, which
# is itself checked: the kept model's accuracy there must equal the leaderboard's exactly (R²: to 1e-6).
#
# Usage, from anywhere: bash Tests/onnx/check.sh [--keep]
#   NNSEARCH_ONNX_VENV  the venv (default /tmp/nnsearch-onnx-venv; made when it lacks the packages)
#   NNSEARCH            an nnsearch binary to use instead of building .build/release/nnsearch
#   --keep              keep the work folder (searches, exports, predictions) and print where
# Ends with `onnx: N passed, M failed`; exit 0 only when nothing failed.
set -euo pipefail

cd "$(dirname "$0")/../.."
top=$PWD
t0=$SECONDS

say() { printf 'onnx: %s\n' "$*"; }
passed=0
failed=0
finished=0
keep=0
work=""

fail() { say "FAIL: $*"; exit 1; }
pass() { passed=$((passed + 1)); say "ok: $*"; }
miss() { failed=$((failed + 1)); say "FAIL: $*"; }

while [ $# -gt 0 ]; do
    case $1 in
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "check.sh: unknown argument $1" >&2; exit 64 ;;
    esac
done

. Tests/lib/script.sh   # shared helpers

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    set +e
    if [ "$finished" != 1 ]; then
        failed=$((failed + 1))
        say "FAIL: stopped early (exit status $rc)"
    fi
    if [ -n "$work" ]; then
        if [ "$keep" = 1 ]; then say "work folder kept: $work"; else rm -rf "$work"; fi
    fi
    say "took $((SECONDS - t0)) s"
    echo "onnx: $passed passed, $failed failed"
    [ "$failed" = 0 ] || exit 1
    exit 0
}
trap cleanup EXIT INT TERM HUP

# ---------------------------------------------------------------- the venv
venv=${NNSEARCH_ONNX_VENV:-/tmp/nnsearch-onnx-venv}
py=$venv/bin/python
if ! "$py" -c 'import onnx, onnxruntime, numpy' 2>/dev/null; then
    say "making the venv $venv with onnx, onnxruntime, numpy (pip, from PyPI)"
    v0=$SECONDS
    rm -rf "$venv"
    python3 -m venv "$venv" || fail "python3 -m venv $venv failed (on Debian: apt-get install python3-venv)"
    "$py" -m pip install -q onnx onnxruntime numpy || fail "pip install onnx onnxruntime numpy failed"
    say "venv made in $((SECONDS - v0)) s"
fi
say "$("$py" -c 'import onnx, onnxruntime, numpy; print("onnx", onnx.__version__, "· onnxruntime", onnxruntime.__version__, "· numpy", numpy.__version__)')"

# ---------------------------------------------------------------- nnsearch
if [ -n "${NNSEARCH:-}" ]; then
    nns=$NNSEARCH
else
    say "building nnsearch in release (swift build -c release)"
    b0=$SECONDS
    mkdir -p "$top/.build"
    swift build -c release --product nnsearch >/dev/null 2>"$top/.build/onnx-build.log" ||
        { tail -20 "$top/.build/onnx-build.log"; fail "swift build -c release failed"; }
    say "built in $((SECONDS - b0)) s"
    nns=$top/.build/release/nnsearch
fi
say "$("$nns" --version)"

work=$(mktemp -d /tmp/nnsearch-onnx-check.XXXXXX)
cp searches/moons.csv searches/friedman1.csv searches/moons_csv.json searches/friedman_csv.json "$work/"
cd "$work"

cat >moons.json <<'SPEC'
{"version": 1, "name": "moons", "data": {"csv": "moons.csv", "target": "shape"}, "strategy": "random", "trials": 10, "seed": 3,
 "space": {"depth": {"int_uniform": [1, 3]}, "width": [8, 32], "lr": {"log_uniform": [0.003, 0.05]}, "optimizer": "adam",
           "activation": ["relu", "tanh", "sigmoid", "selu"], "batch_size": 32, "epochs": 20,
           "normalize": ["standardize", "batchnorm"], "dropout": [0, 0.1]}}
SPEC
cat >friedman.json <<'SPEC'
{"version": 1, "name": "friedman", "data": {"csv": "friedman1.csv", "target": "target"}, "task": "regression", "metric": "val_r2",
 "strategy": "random", "trials": 8, "seed": 3,
 "space": {"depth": [1, 2], "width": [32, 64], "lr": {"log_uniform": [0.001, 0.01]}, "optimizer": "adam", "batch_size": 32,
           "epochs": 40, "activation": ["relu", "tanh"], "normalize": ["standardize", "batchnorm"]}}
SPEC
cat >classes3.json <<'SPEC'
{"version": 1, "name": "classes3", "data": {"generator": "sum_bin", "rows": 2000, "seed": 1}, "strategy": "random", "trials": 6, "seed": 3,
 "space": {"depth": [1, 2], "width": [32, 64], "lr": {"log_uniform": [0.003, 0.03]}, "optimizer": "adam", "batch_size": 32,
           "epochs": 15, "activation": ["relu", "selu"], "normalize": ["standardize", "batchnorm"]}}
SPEC
"$py" "$top/Tests/onnx/compare.py" sample 500 classes3.csv
"$py" "$top/Tests/onnx/compare.py" messy 600 11 messy.csv
"$py" "$top/Tests/onnx/compare.py" messy 300 12 messy_new.csv unseen
cat >messy_class.json <<'SPEC'
{"version": 1, "name": "messy_class", "data": {"csv": "messy.csv", "target": "survived", "ignore": ["id", "price"], "missing": ["?"]},
 "strategy": "random", "trials": 6, "seed": 3, "keep_models": 3,
 "space": {"depth": [1, 2], "width": [16, 32], "lr": {"log_uniform": [0.003, 0.03]}, "optimizer": "adam", "batch_size": 32,
           "epochs": 15, "activation": ["relu", "tanh"], "normalize": ["standardize", "batchnorm", "none"]}}
SPEC
cat >messy_reg.json <<'SPEC'
{"version": 1, "name": "messy_reg", "data": {"csv": "messy.csv", "target": "price", "ignore": ["id", "survived"], "missing": ["?"]},
 "task": "regression", "metric": "val_r2", "strategy": "random", "trials": 6, "seed": 3, "keep_models": 3,
 "space": {"depth": [1, 2], "width": [16, 32], "lr": {"log_uniform": [0.003, 0.03]}, "optimizer": "adam", "batch_size": 32,
           "epochs": 20, "activation": ["relu", "selu"], "normalize": ["standardize", "batchnorm"]}}
SPEC

# ---------------------------------------------------------------- searches, kept models
data_of() { case $1 in moons*) echo moons.csv ;; friedman*) echo friedman1.csv ;; classes3) echo classes3.csv ;; messy*) echo messy.csv ;; esac; }
for name in moons_csv friedman_csv moons friedman classes3 messy_class messy_reg; do
    data=$(data_of $name)
    s0=$SECONDS
    "$nns" start $name.json --foreground >$name.log 2>&1 || { tail -5 $name.log; fail "nnsearch start $name.json failed"; }
    say "$name: $(tail -1 $name.log) ($((SECONDS - s0)) s)"
    kept=$(ls $name/models)
    [ -n "$kept" ] || { miss "$name: no kept model in $name/models"; continue; }
    for file in $kept; do
        trial=$((10#$(echo "$file" | tr -dc 0-9)))
        "$nns" export $name --trial $trial --out $name-$trial.onnx >/dev/null 2>>$name.log ||
            { miss "$name trial $trial: export failed ($(tail -1 $name.log))"; continue; }
        "$nns" predict $name/models/$file $data --out $name-$trial.csv 2>>$name.log ||
            { miss "$name trial $trial: predict failed ($(tail -1 $name.log))"; continue; }
        if result=$("$py" "$top/Tests/onnx/compare.py" onnx $name-$trial.onnx $data $name-$trial.csv 2>&1); then
            pass "$name trial $trial: $result"
        else
            miss "$name trial $trial: $result"
        fi
        case $name in messy*) ;; *) continue ;; esac
        # New rows: unknown categories and missing cells where the training rows had none.
        "$nns" predict $name/models/$file messy_new.csv --out $name-$trial-new.csv 2>$name-new.log ||
            { miss "$name trial $trial: predict on new rows failed ($(tail -1 $name-new.log))"; continue; }
        grep -q 'unknown categories read as all zeros' $name-new.log && grep -q 'read as all zeros, the training rows having none missing' $name-new.log ||
            miss "$name trial $trial: predict did not count the unknown categories and missing cells: $(cat $name-new.log)"
        if result=$("$py" "$top/Tests/onnx/compare.py" onnx $name-$trial.onnx messy_new.csv $name-$trial-new.csv 2>&1); then
            pass "$name trial $trial, new rows: $result"
        else
            miss "$name trial $trial, new rows: $result"
        fi
    done
done
say "messy_class: predict on new rows said: $(head -1 messy_class-new.log)"

# ---------------------------------------------------------------- refit
for name in moons_csv friedman_csv moons friedman messy_class messy_reg; do
    data=$(data_of $name)
    case $name in
        moons*) target=shape metric=val_accuracy ;; friedman*) target=target metric=val_r2 ;;
        messy_class) target=survived metric=val_accuracy ;; messy_reg) target=price metric=val_r2 ;;
    esac
    for ext in json onnx; do
        "$nns" export $name --refit --out refit-1.$ext >/dev/null && "$nns" export $name --refit --out refit-2.$ext >/dev/null ||
            { miss "$name: export --refit .$ext failed"; continue; }
        if cmp -s refit-1.$ext refit-2.$ext; then
            pass "$name: export --refit twice gives byte-identical .$ext files ($(wc -c <refit-1.$ext) bytes)"
        else
            miss "$name: export --refit twice gave different .$ext files"
        fi
    done
    "$nns" predict refit-1.json $data --out refit.csv 2>/dev/null || { miss "$name: predict with the refit failed"; continue; }
    if result=$("$py" "$top/Tests/onnx/compare.py" onnx refit-1.onnx $data refit.csv 2>&1); then
        pass "$name refit: $result"
    else
        miss "$name refit: $result"
    fi
    "$nns" predict $name $data --out kept.csv 2>/dev/null
    best=$(sed -n 2p $name/leaderboard.csv | cut -d, -f2)
    column=$(head -1 $name/leaderboard.csv | tr , '\n' | grep -nx $metric | cut -d: -f1)
    recorded=$(sed -n 2p $name/leaderboard.csv | cut -d, -f$column)
    kept_score=$("$py" "$top/Tests/onnx/compare.py" score $data kept.csv $target)
    refit_score=$("$py" "$top/Tests/onnx/compare.py" score $data refit.csv $target)
    if "$py" -c "import sys; a, b = float('$kept_score'), float('$recorded'); sys.exit(0 if (a == b if '$metric' == 'val_accuracy' else abs(a - b) <= 1e-6) else 1)"; then
        pass "$name: the kept model of trial $best scores $kept_score on the validation rows (the leaderboard says $recorded)"
    else
        miss "$name: the kept model of trial $best scores $kept_score on the validation rows, the leaderboard says $recorded"
    fi
    if "$py" -c "import sys; sys.exit(0 if float('$refit_score') >= float('$kept_score') else 1)"; then
        say "$name: on the validation rows the refit (trained on them too) scores $refit_score, the kept model $kept_score: at least as well"
    else
        say "NOTE: $name: on the validation rows the refit scores $refit_score, below the kept model's $kept_score"
    fi
done

finished=1
