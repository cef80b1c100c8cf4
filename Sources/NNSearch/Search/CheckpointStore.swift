import Foundation
import NNSearchKernel

/// A search folder's trial checkpoints: where they are, how a trial restarts from one, and cleanup.
///
/// Any process may continue a trial from its checkpoint: a trial's state at epoch e is the same
/// whoever trained it, so a checkpoint written late by a worker that lost its lease is still a
/// correct state of that trial.
struct CheckpointStore: Sendable {
    let folder: SearchFolder
    let data: SearchData
    /// The spec's validation (part of a checkpoint's identity).
    let validation: Validation

    /// What a checkpoint must match to be used: the trial's number, seed and values (and, with
    /// cross-validation, its folds and repeats).
    func identity(_ trial: Trial) -> String {
        let base = "trial \(trial.number) seed \(trial.seed): " + trial.values.joined(separator: ",")
        guard let cv = validation.crossValidation else { return base }
        return base + " validation \(cv.folds) folds x \(cv.repeats)"
    }

    /// A runner for the trial (one model, or one per fold with cross-validation), continued from
    /// its checkpoint when there is a usable one.
    func runner(for trial: Trial, warn: (String) -> Void) -> any TrialTraining {
        let h = trial.hyperparameters
        let data = self.data
        let fresh: () -> any TrialTraining = data.rounds == 1
            ? { TrialRunner(hyperparameters: h, seed: trial.seed, data: data.data(for: h.normalize)) }
            : { FoldRunner(hyperparameters: h, seed: trial.seed, rounds: data.rounds) { data.data(for: h.normalize, round: $0) } }
        let path = folder.checkpoint(trial.number)
        // In a scope of its own, so the checkpoint's bytes and a runner it could not restore are
        // gone before a fresh runner is made (memory holds one runner and its checkpoint, as `TrialMemory` counts).
        if let bytes = FileManager.default.contents(atPath: path) {
            let runner = fresh()
            do {
                try runner.restore(bytes, identity: identity(trial))
                return runner
            } catch {
                warn("\(path) cannot be used (\(error)); trial \(trial.number) restarts from its first epoch")
                unlink(path)
            }
        }
        return fresh()
    }

    /// The lockstep group `trial` may train in (`Lockstep.key`); nil when it trains alone, as every
    /// cross-validated trial does.
    func lockstepKey(_ trial: Trial) -> Lockstep.Key? {
        guard data.rounds == 1 else { return nil }
        return Lockstep.key(trial.hyperparameters, data: data.data(for: trial.hyperparameters.normalize))
    }

    /// The checkpoint cadence of a trial starting now.
    func cadence(for trial: Trial, epochs: Int, estimatedCost: Double) -> Checkpointing {
        Checkpointing(path: folder.checkpoint(trial.number), identity: identity(trial), epochs: epochs,
                      estimatedCost: estimatedCost)
    }

    /// Removes a finished trial's checkpoint.
    func remove(_ trial: Int) {
        unlink(folder.checkpoint(trial))
    }

    /// Removes what earlier runs left: checkpoints of finished trials, and this host's temporary
    /// files whose process is gone (another host's are left to that host; so are files naming
    /// this very pid with another nonce, which in a container may be a live twin's).
    func clean(finished: Set<Int>) {
        let fm = FileManager.default
        try? fm.createDirectory(atPath: folder.curves, withIntermediateDirectories: true)
        try? fm.createDirectory(atPath: folder.checkpoints, withIntermediateDirectories: true)
        for dir in [folder.path, folder.checkpoints, folder.curves, folder.models] {
            for name in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] {
                guard let pid = temporaryFilePid(name) else { continue }
                if name.hasSuffix(temporarySuffix) || (pid != getpid() && !Daemon.isAlive(pid)) { unlink(dir + "/" + name) }
            }
        }
        for name in (try? fm.contentsOfDirectory(atPath: folder.checkpoints)) ?? [] where name.hasSuffix(".ckpt") {
            if let n = Int(name.dropFirst("trial-".count).dropLast(".ckpt".count)), finished.contains(n) {
                unlink(folder.checkpoints + "/" + name)
            }
        }
    }
}
