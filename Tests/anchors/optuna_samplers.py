"""Anchor for `nnsearch bench --samplers`: Optuna's TPE (or random) sampler + PyTorch on four problems.
usage: optuna_samplers.py PROBLEM TRIALS JOBS EPOCHS SEED   (run with $ANCHORS_PY from ../shared/anchors/setup.sh)
PROBLEM: bin (sum_bin), hr (heart_rate), moons (searches/moons.csv, accuracy), friedman (searches/friedman1.csv,
validation R² = 1 − SSE/SST about the validation mean, MSE loss on the standardized target).
The space and training are ../shared/anchors/optuna_search.py's: depth, width, lr (log), optimizer, batch, StepLR gamma.
The rows are nnsearch's own, bit for bit, so both columns of the benchmark are scored on the same validation rows:
the generators' data (`"generator": ..., "rows": 2000, "seed": 0`: nnsearch's Random, values stored as float32), the
validation split (the last 20 % of Random(0, stream 1)'s permutation; Random and the permutation are
Tests/onnx/compare.py's port), features standardized with the training split's mean and population standard
deviation in float64 and rounded to float32 once, and friedman's target standardized the same way.
TPESampler(seed=SEED, constant_liar=True) — in Optuna 5 that is multivariate TPE (its default for one objective);
SAMPLER=random for RandomSampler. The network is PyTorch's own (its default initialization), not nnsearch's.
Training is not seeded, and with JOBS > 1 Optuna's results depend on timing (its issue #4412).
Prints one line: ... seconds=S best_val=V best_trial_index=I best={...}, I the first trial number reaching V."""
import math, os, sys, time, numpy as np, torch, optuna
repo = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(repo, 'Tests', 'onnx')); from compare import Random
prob, trials, jobs, epochs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(1); optuna.logging.set_verbosity(optuna.logging.WARNING)

def uniform(r):                              # Random.nextDouble: 53 bits
    return (r.next() >> 11) * 2.0 ** -53

def normal(r):                               # Random.nextNormal: Box–Muller, one value per call
    u = uniform(r)
    while u == 0: u = uniform(r)
    return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * uniform(r))

def generated(name, rows=2000, data_seed=0):  # DataGenerator.generate(rows:seed:)
    r = Random(data_seed)
    if name == 'sum_bin':
        x = np.array([[np.float32(uniform(r)), np.float32(uniform(r))] for _ in range(rows)], dtype=np.float32)
        s = x[:, 0].astype(np.float64) + x[:, 1].astype(np.float64)
        return x, np.where(s < 0.807, 0, np.where(s < 1.169, 1, 2))
    x = np.array([[np.float32(92 + 12 * normal(r))] for _ in range(rows)], dtype=np.float32)
    return x, (x[:, 0] >= 91).astype(int)

def csv(name, target):
    with open(os.path.join(repo, 'searches', name)) as f: header = f.readline().strip().split(',')
    rows = np.genfromtxt(os.path.join(repo, 'searches', name), delimiter=',', skip_header=1, dtype=str)
    t = header.index(target)
    return rows[:, [i for i in range(len(header)) if i != t]].astype(np.float64).astype(np.float32), rows[:, t]

def standardize(train, *parts):               # Standardization: float64 statistics, one rounding to float32
    wide = train.astype(np.float64)
    mean, std = wide.mean(0), wide.std(0)
    std = np.where(std > 0, std, 1.0)
    return [((a.astype(np.float64) - mean) * (1 / std)).astype(np.float32) for a in (train,) + parts]

if prob == 'hr': x, y = generated('heart_rate')
elif prob == 'bin': x, y = generated('sum_bin')
elif prob == 'moons': x, labels = csv('moons.csv', 'shape'); y = np.unique(labels, return_inverse=True)[1]
elif prob == 'friedman': x, values = csv('friedman1.csv', 'target'); y = values.astype(np.float64).astype(np.float32)
else: sys.exit(f'unknown problem {prob}: bin, hr, moons or friedman')
regression = prob == 'friedman'
order = Random(0, 1).permutation(len(x)); k = int(len(x) * (1 - 0.2))       # DataSplit, seed 0 (the data's)
xt, xv = [torch.tensor(a) for a in standardize(x[order[:k]], x[order[k:]])]
if regression:
    yt, yv = [torch.tensor(a).unsqueeze(1) for a in standardize(y[order[:k]], y[order[k:]])]
    outputs, lf = 1, torch.nn.MSELoss()
else:
    yt, yv = torch.tensor(y[order[:k]]), torch.tensor(y[order[k:]])
    outputs, lf = int(yt.max()) + 1, torch.nn.CrossEntropyLoss()

def objective(trial):
    depth = trial.suggest_categorical('depth', [1, 2, 3, 4]); width = trial.suggest_categorical('width', [8, 32, 64, 128])
    lr = trial.suggest_float('lr', 1e-4, 1e-1, log=True); opt = trial.suggest_categorical('optimizer', ['sgd', 'momentum', 'adam'])
    batch = trial.suggest_categorical('batch', [16, 64]); gamma = trial.suggest_categorical('gamma', [1.0, 0.5, 0.1])
    layers, d = [], xt.shape[1]
    for _ in range(depth): layers += [torch.nn.Linear(d, width), torch.nn.ReLU()]; d = width
    net = torch.nn.Sequential(*layers, torch.nn.Linear(d, outputs))
    o = torch.optim.Adam(net.parameters(), lr=lr) if opt == 'adam' else torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9 if opt == 'momentum' else 0.0)
    sched = torch.optim.lr_scheduler.StepLR(o, step_size=max(1, epochs // 3), gamma=gamma)
    for ep in range(epochs):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            b = perm[i:i+batch]; o.zero_grad(); lf(net(xt[b]), yt[b]).backward(); o.step()
        sched.step()
    with torch.no_grad():
        if not regression: return (net(xv).argmax(1) == yv).float().mean().item()
        p, t = net(xv).double(), yv.double()                                               # sums in float64, as nnsearch
        return (1 - ((p - t) ** 2).sum() / ((t - t.mean()) ** 2).sum()).item()   # NaN (diverged): a failed trial

sampler_name = os.environ.get('SAMPLER', 'tpe')
sampler = optuna.samplers.RandomSampler(seed=seed) if sampler_name == 'random' else optuna.samplers.TPESampler(seed=seed, constant_liar=True)
t0 = time.perf_counter()
study = optuna.create_study(direction='maximize', sampler=sampler)
study.optimize(objective, n_trials=trials, n_jobs=jobs)
seconds = time.perf_counter() - t0
first = min(t.number for t in study.trials if t.value is not None and t.value == study.best_value)
print(f"optuna+torch sampler={sampler_name} prob={prob} trials={trials} jobs={jobs} epochs={epochs} seed={seed} "
      f"seconds={seconds:.1f} best_val={study.best_value:.4f} best_trial_index={first} best={study.best_params}")
