"""Anchor for `nnsearch bench --samplers`: Optuna's TPE sampler driving nnsearch's own trainer.
usage: optuna_nnsearch.py PROBLEM TRIALS JOBS EPOCHS SEED SPEC.json   (run with $ANCHORS_PY; NNSEARCH_BIN required)
It isolates the sampler from the trainer: optuna_samplers.py runs Optuna's TPE with PyTorch training, this runs
the same Optuna sampler but trains each trial with `$NNSEARCH_BIN train SPEC.json --set NAME=VALUE ... --seed S --csv`,
so its trials are trained and scored exactly as an nnsearch search would train and score a trial at that point.
SPEC.json is the spec of the benchmark's own search for that problem and seed (the benchmark writes it: data,
metric, init, normalize, epochs, schedule step — one source of truth); PROBLEM only labels the output, and EPOCHS
and SEED must be the spec's `epochs` and `seed`. The space is read from the spec: a list of choices is a
categorical (an object choice, such as a step schedule, as its JSON text), {"log_uniform"/"uniform": [a, b]} a
float (log or not), {"int_uniform": [a, b]} an int; fixed entries are the spec's. TPESampler(seed=SEED,
constant_liar=True) as in optuna_samplers.py (multivariate in Optuna 5), n_jobs=JOBS.
Scored as a search scores a trial (TrialResult's metricValue): the spec's metric at the LAST epoch; a trial whose
loss became NaN or infinite (diverged; `train` stops there) has no score — the objective returns NaN, which Optuna
records as a failed trial (as optuna_samplers.py does), and it is never the best.
Training seed: Optuna trial k trains with `--seed` = the first word of Random(spec seed, stream k, 2), the seed
nnsearch's search gives its trial k (TrialPlan), so both samplers' trial k see the same training randomness.
Optuna's trial numbers follow creation order, and trial k's suggestion depends only on trials before it (finished
or, through the constant liar, running), so the first N trials of a longer study are an N-trial study.
With JOBS > 1 which trial finishes first depends on timing (Optuna's issue #4412): results can vary run to run.
Prints one line: ... seconds=S best_val=V best_trial_index=I diverged=D values=v0,v1,... best={...}, I the first
trial number reaching V, values each trial's score by trial number (nan for a diverged one)."""
import json, math, os, subprocess, sys, time, optuna
repo = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(repo, 'Tests', 'onnx')); from compare import Random

if len(sys.argv) != 7:
    sys.exit('usage: optuna_nnsearch.py PROBLEM TRIALS JOBS EPOCHS SEED SPEC.json   (NNSEARCH_BIN=path/to/nnsearch)')
prob, trials, jobs, epochs, seed, spec_path = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
                                               int(sys.argv[5]), sys.argv[6])
binary = os.environ.get('NNSEARCH_BIN', '')
if not binary:
    sys.exit('optuna_nnsearch.py: NNSEARCH_BIN is not set: set it to the nnsearch binary that trains the trials')
if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
    sys.exit(f'optuna_nnsearch.py: NNSEARCH_BIN={binary} is not an executable file')
optuna.logging.set_verbosity(optuna.logging.WARNING)

with open(spec_path) as f: spec = json.load(f)
space = spec['space']
spec_seed = spec.get('seed', 0)
if space.get('epochs') != epochs or spec_seed != seed:
    sys.exit(f'optuna_nnsearch.py: EPOCHS {epochs} and SEED {seed} must be the spec\'s epochs ({space.get("epochs")}) '
             f'and seed ({spec_seed})')
metric = spec.get('metric')
maximize = metric != 'val_loss'

def choice_label(v):                         # Optuna's choices are scalars: an object choice goes as its JSON text
    return json.dumps(v, separators=(',', ':')) if isinstance(v, (dict, list)) else v

def suggest(trial):
    """The trial's values as `--set` arguments, in the spec's space order."""
    sets = []
    for name, entry in space.items():
        if isinstance(entry, list):
            labels = [choice_label(v) for v in entry]
            chosen = entry[labels.index(trial.suggest_categorical(name, labels))]
            value = json.dumps(chosen, separators=(',', ':'))
        elif isinstance(entry, dict) and len(entry) == 1 and next(iter(entry)) in ('uniform', 'log_uniform', 'int_uniform'):
            kind, (low, high) = next(iter(entry.items()))
            value = json.dumps(trial.suggest_int(name, low, high) if kind == 'int_uniform'
                               else trial.suggest_float(name, low, high, log=kind == 'log_uniform'))
        else:
            continue                             # a fixed entry: the spec's own
        sets += ['--set', f'{name}={value}']
    return sets

def training_seed(number):                   # TrialPlan.make: the first word of Random(seed: spec.seed, stream: n, 2)
    return Random(spec_seed, number, 2).next()

def objective(trial):
    command = [binary, 'train', spec_path] + suggest(trial) + ['--seed', str(training_seed(trial.number)), '--csv']
    run = subprocess.run(command, capture_output=True, text=True, timeout=900)   # one trial: seconds; a hang fails it
    if run.returncode != 0:
        raise RuntimeError(f'{" ".join(command)} exited {run.returncode}: {run.stderr.strip()[-500:]}')
    lines = [l for l in run.stdout.splitlines() if l.strip()]
    header, last = lines[0].split(','), dict(zip(lines[0].split(','), lines[-1].split(',')))
    column = metric or header[-1]
    if not (math.isfinite(float(last['train_loss'])) and math.isfinite(float(last['val_loss']))):
        return float('nan')                  # diverged (EpochRecord.diverged): no score, a failed trial in Optuna
    return float(last[column])               # the last epoch's metric, as a search records the trial

sampler = optuna.samplers.TPESampler(seed=seed, constant_liar=True)
t0 = time.perf_counter()
study = optuna.create_study(direction='maximize' if maximize else 'minimize', sampler=sampler)
study.optimize(objective, n_trials=trials, n_jobs=jobs)
seconds = time.perf_counter() - t0
scores = {t.number: t.value for t in study.trials if t.value is not None}
values = [scores.get(n, float('nan')) for n in range(trials)]
best = study.best_value if scores else float('nan')             # every trial diverged: no best
first = min((n for n, v in scores.items() if v == best), default=-1)
print(f"optuna+nnsearch sampler=tpe prob={prob} trials={trials} jobs={jobs} epochs={epochs} seed={seed} "
      f"seconds={seconds:.1f} best_val={best:.4f} best_trial_index={first} "
      f"diverged={sum(1 for v in values if math.isnan(v))} values={','.join(repr(v) for v in values)} "
      f"best={json.dumps(study.best_params if scores else {}, separators=(',', ':'))}")
