"""Anchor for `nnsearch bench --samplers`: Optuna's TPE (or random) sampler + PyTorch on four problems.
usage: optuna_samplers.py PROBLEM TRIALS JOBS EPOCHS SEED   (run with $ANCHORS_PY from ../shared/anchors/setup.sh)
PROBLEM: bin (sum_bin), hr (heart_rate), moons (searches/moons.csv, accuracy), friedman (searches/friedman1.csv,
validation R² = 1 − SSE/SST about the validation mean, MSE loss on the standardized target).
The space and training are ../shared/anchors/optuna_search.py's: depth, width, lr (log), optimizer, batch, StepLR gamma.
Features (and friedman's target) are standardized with training-split statistics; the validation split is the last
20 % of seeds.split's seeded permutation. TPESampler(seed=SEED, constant_liar=True); SAMPLER=random for RandomSampler.
Training is not seeded, and with JOBS > 1 Optuna's results depend on timing (its issue #4412).
Prints one line: ... seconds=S best_val=V best_trial_index=I best={...}, I the first trial number reaching V."""
import os, sys, time, numpy as np, torch, optuna
repo = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.environ.get('ANCHORS_DIR', os.path.join(repo, '..', 'shared', 'anchors'))); import seeds
prob, trials, jobs, epochs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(1); optuna.logging.set_verbosity(optuna.logging.WARNING)

def csv(name, target):
    with open(os.path.join(repo, 'searches', name)) as f: header = f.readline().strip().split(',')
    rows = np.genfromtxt(os.path.join(repo, 'searches', name), delimiter=',', skip_header=1, dtype=str)
    t = header.index(target)
    return rows[:, [i for i in range(len(header)) if i != t]].astype(float), rows[:, t]

if prob == 'hr': x, y = seeds.heart_rate()
elif prob == 'bin': x = seeds.two_features(); y = seeds.sum_bin_label(x)
elif prob == 'moons': x, labels = csv('moons.csv', 'shape'); y = np.unique(labels, return_inverse=True)[1]
elif prob == 'friedman': x, values = csv('friedman1.csv', 'target'); y = values.astype(float)
else: sys.exit(f'unknown problem {prob}: bin, hr, moons or friedman')
regression = prob == 'friedman'
xt, yt, xv, yv = seeds.split(x, y)
mu, sd = xt.mean(0), xt.std(0)
xt, xv = [torch.tensor(((a - mu) / sd).astype(np.float32)) for a in (xt, xv)]
if regression:
    ym, ys = yt.mean(), yt.std()
    yt, yv = [torch.tensor(((a - ym) / ys).astype(np.float32)).unsqueeze(1) for a in (yt, yv)]
    outputs, lf = 1, torch.nn.MSELoss()
else:
    yt, yv = torch.tensor(yt), torch.tensor(yv)
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
        return (1 - ((net(xv) - yv) ** 2).sum() / ((yv - yv.mean()) ** 2).sum()).item()   # NaN (diverged): a failed trial

sampler_name = os.environ.get('SAMPLER', 'tpe')
sampler = optuna.samplers.RandomSampler(seed=seed) if sampler_name == 'random' else optuna.samplers.TPESampler(seed=seed, constant_liar=True)
t0 = time.perf_counter()
study = optuna.create_study(direction='maximize', sampler=sampler)
study.optimize(objective, n_trials=trials, n_jobs=jobs)
seconds = time.perf_counter() - t0
first = min(t.number for t in study.trials if t.value is not None and t.value == study.best_value)
print(f"optuna+torch sampler={sampler_name} prob={prob} trials={trials} jobs={jobs} epochs={epochs} seed={seed} "
      f"seconds={seconds:.1f} best_val={study.best_value:.4f} best_trial_index={first} best={study.best_params}")
