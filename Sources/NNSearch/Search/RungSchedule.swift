import Foundation
import NNSearchKernel

/// Where trials pause and which trials are compared: the rungs of successive halving and the
/// brackets of hyperband (a pure value, from the spec).
///
/// The ladder: rung k is at `min_epochs × eta^k` epochs for every such count below the most
/// epochs a trial of the space can have, then one last rung at those epochs. Trial n's rung k is
/// capped at its own `epochs`; its last rung is the first that reaches them, where it finishes.
///
/// Halving: every trial is in bracket 0 and starts at rung 0. Hyperband: bracket b starts at rung
/// b, so with R rungs there are R brackets and the last one trains its trials in full. Bracket b,
/// which halves s = R − 1 − b times, gets a share of the trials proportional to eta^s / (s + 1)
/// (Hyperband's allocation, Li et al. 2018). Trial n's bracket is drawn from n and the spec's seed
/// alone: u = `Random(seed: seed, stream: n, 3).nextDouble()` — the first 53 bits of xoshiro256**
/// seeded by SplitMix64 through the same stream derivation as the plan's (streams 1 and 2 draw the
/// trial's hyperparameters and training seed) — and the bracket is the first whose cumulative
/// share exceeds u.
package struct RungSchedule: Sendable {
    package let pruning: Pruning
    /// Rung k's epochs before a trial's own cap; the last is the most epochs any trial has.
    package let ladder: [Int]
    /// Whether a larger metric is better (`val_accuracy`, `val_r2`) or a smaller one (`val_loss`).
    package let maximize: Bool
    package let trialCount: Int
    /// How many trials each bracket has (one bracket for halving).
    package let bracketSizes: [Int]
    private let seed: UInt64
    private let epochs: @Sendable (Int) -> Int
    /// Hyperband's cumulative bracket shares, the last exactly 1.
    private let cumulative: [Double]

    /// A schedule for `trialCount` trials; `epochs(n)` is trial n's epochs, at most `maxEpochs`.
    package init(pruning: Pruning, seed: UInt64, trialCount: Int, maxEpochs: Int, maximize: Bool,
                 epochs: @escaping @Sendable (Int) -> Int) {
        self.pruning = pruning
        self.seed = seed
        self.trialCount = trialCount
        self.maximize = maximize
        self.epochs = epochs
        var ladder = [Int]()
        var e = max(1, pruning.minEpochs)
        while e < maxEpochs {
            ladder.append(e)
            let (next, overflow) = e.multipliedReportingOverflow(by: max(2, pruning.eta))
            if overflow { break }
            e = next
        }
        ladder.append(maxEpochs)
        self.ladder = ladder
        switch pruning.kind {
        case .halving:
            cumulative = [1]
        case .hyperband:
            let r = ladder.count
            let weights = (0..<r).map { b -> Double in
                let s = r - 1 - b
                return pow(Double(pruning.eta), Double(s)) / Double(s + 1)
            }
            let total = weights.reduce(0, +)
            var sum = 0.0
            var shares = weights.map { w -> Double in sum += w; return sum / total }
            shares[shares.count - 1] = 1
            cumulative = shares
        }
        var sizes = [Int](repeating: 0, count: cumulative.count)
        if cumulative.count == 1 {
            sizes[0] = trialCount
        } else {
            for n in 0..<trialCount { sizes[Self.bracket(n, seed: seed, cumulative: cumulative)] += 1 }
        }
        bracketSizes = sizes
    }

    /// A schedule for a search: its pruning, seed, trial count, metric and trials' epochs.
    package init(pruning: Pruning, spec: SearchSpec, plan: TrialPlan, metric: Metric) {
        self.init(pruning: pruning, seed: spec.seed, trialCount: plan.count, maxEpochs: spec.epochsBounds.max,
                  maximize: metric.maximize, epochs: { plan.trial($0).hyperparameters.epochs })
    }

    /// How many brackets there are: 1 for halving, one per rung for hyperband.
    package var bracketCount: Int { cumulative.count }

    /// Trial n's bracket (always 0 for halving).
    package func bracket(_ trial: Int) -> Int {
        cumulative.count == 1 ? 0 : Self.bracket(trial, seed: seed, cumulative: cumulative)
    }

    private static func bracket(_ trial: Int, seed: UInt64, cumulative: [Double]) -> Int {
        var random = Random(seed: seed, stream: UInt64(trial), 3)
        let u = random.nextDouble()
        return cumulative.firstIndex { u < $0 } ?? cumulative.count - 1
    }

    /// The rung trial n starts at: its bracket's first.
    package func firstRung(_ trial: Int) -> Int { bracket(trial) }

    /// The epochs of trial n's rung `rung`: the ladder's, capped at its epochs.
    package func epoch(_ trial: Int, rung: Int) -> Int {
        min(ladder[min(rung, ladder.count - 1)], epochs(trial))
    }

    /// Whether rung `rung` is trial n's last: it finishes there instead of pausing.
    package func isLast(_ trial: Int, rung: Int) -> Bool {
        rung >= ladder.count - 1 || ladder[rung] >= epochs(trial)
    }

    /// How many of a rung's `members` go on: ⌊members / eta⌋, at least 1.
    package func kept(of members: Int) -> Int { max(1, members / max(2, pruning.eta)) }

    /// A metric value as a score where larger is better; NaN (diverged) is the worst.
    package func score(_ metric: Double) -> Double {
        metric.isNaN ? -.infinity : (maximize ? metric : -metric)
    }
}
