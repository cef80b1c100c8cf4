import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Searches of tiny batch-1 nets, whose workers train trials of one shape in lockstep groups (on the
/// built binary): the same files as when every trial trains alone, for any worker count, and after
/// kill -9 and resume.
final class LockstepSearchTests: XCTestCase {
    /// 2→w^d→3 nets at batches of 1 and 4 rows (the seed's kind): 48 keys (shape, optimizer, batch),
    /// so groups form from the trials after the one handed out, not only from neighbours.
    private static let spec = #"""
        {"version": 1, "data": {"generator": "sum_mod", "rows": 600, "seed": 4}, "strategy": "random", "trials": 40, "seed": 9,
         "space": {"depth": {"int_uniform": [1, 2]}, "width": [2, 4], "lr": {"log_uniform": [0.001, 0.3]},
                   "optimizer": ["sgd", "momentum", "adam"], "momentum": {"uniform": [0.5, 0.95]}, "activation": ["relu", "tanh"],
                   "schedule": ["constant", "cosine"], "batch_size": [1, 4], "epochs": 4, "normalize": ["none", "standardize"]}}
        """#
    private static let trials = 40

    /// The run with every trial alone (`NNSEARCH_LOCKSTEP=0`), with one worker, in `dir/name`.
    private func alone(_ dir: URL, _ specPath: String, name: String = "alone") throws -> String {
        let folder = dir.appendingPathComponent(name).path
        var env = ProcessInfo.processInfo.environment
        env["NNSEARCH_LOCKSTEP"] = "0"
        let r = try BinaryHarness.run(["start", specPath, "--foreground", "--workers", "1", "--out", folder], environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        return folder
    }

    /// The trials in the order `folder`'s journal claims them.
    private func claims(_ folder: String) throws -> [Int] {
        try JournalFile(directory: folder, create: false).read(from: 0).entries.compactMap {
            if case .claim(let trial, _, _, _) = $0.record { return trial } else { return nil }
        }
    }

    /// The lockstep groups of a one-worker run's claims: a worker is handed the lowest trial not yet
    /// claimed and claims its companions right after; a companion claimed ahead of a lower trial
    /// shows the group. Returns each group of two or more (the first trial, then its companions).
    private func groups(inOrder claims: [Int]) -> [[Int]] {
        var groups: [[Int]] = []
        var claimed = Set<Int>()
        for trial in claims {
            let lowest = (0...).first { !claimed.contains($0) }!
            if trial == lowest || groups.isEmpty { groups.append([trial]) } else { groups[groups.count - 1].append(trial) }
            claimed.insert(trial)
        }
        return groups.filter { $0.count > 1 }
    }

    func testGroupsTrainEachTrialAsItTrainsAloneForAnyWorkerCount() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let specPath = try BinaryHarness.write(Self.spec, to: "s.json", in: dir)
        let reference = try alone(dir, specPath)
        XCTAssertEqual(try claims(reference), Array(0..<Self.trials), "NNSEARCH_LOCKSTEP=0: one trial at a time, in order")
        let plan = TrialPlan(spec: try SearchSpec.load(path: specPath))
        for workers in [1, 2] {
            let folder = dir.appendingPathComponent("workers-\(workers)").path
            let r = try BinaryHarness.run(["start", specPath, "--foreground", "--workers", String(workers), "--out", folder])
            XCTAssertEqual(r.status, 0, r.stderr)
            assertSameResults(folder, as: reference, trials: Self.trials)
            guard workers == 1 else { continue }
            // Companions claimed ahead of lower trials, each of its group's shape, optimizer rule and batch size.
            let order = try claims(folder)
            let grouped = groups(inOrder: order)
            XCTAssertGreaterThanOrEqual(grouped.count, 2, "lockstep groups were handed out: \(order)")
            for group in grouped {
                XCTAssertLessThanOrEqual(group.count, Lockstep.lanes, "\(group)")
                let shapes = Set(group.map { n -> String in
                    let h = plan.trial(n, scores: { _ in nil })!.hyperparameters
                    return "\(h.depth) \(h.width) \(h.activation) \(h.optimizer) \(h.batchSize)"
                })
                XCTAssertEqual(shapes.count, 1, "group \(group): \(shapes)")
            }
        }
    }

    /// With successive halving (trials paused at rungs leave their groups; promoted ones come back
    /// from their checkpoints and group again) and with TPE (companions only once their results are
    /// in): the files of the runs with every trial alone.
    func testPruningAndTPEEndAsIfEveryTrialTrainedAlone() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let variants = [
            ("halving", Self.spec.replacingOccurrences(of: #""strategy": "random","#,
                                                       with: #""strategy": "random", "pruning": {"kind": "halving", "eta": 3, "min_epochs": 1},"#)),
            ("tpe", Self.spec.replacingOccurrences(of: #""strategy": "random","#, with: #""strategy": "tpe", "startup": 8, "lag": 4,"#)),
        ]
        for (name, spec) in variants {
            XCTAssertNotEqual(spec, Self.spec, name)
            let specPath = try BinaryHarness.write(spec, to: "\(name).json", in: dir)
            let reference = try alone(dir, specPath, name: "\(name)-alone")
            for workers in [1, 2] {
                let folder = dir.appendingPathComponent("\(name)-\(workers)").path
                let r = try BinaryHarness.run(["start", specPath, "--foreground", "--workers", String(workers), "--out", folder])
                XCTAssertEqual(r.status, 0, r.stderr)
                assertSameResults(folder, as: reference, trials: Self.trials)
                if workers == 1 { XCTAssertFalse(groups(inOrder: try claims(folder)).isEmpty, "\(name): lockstep groups were handed out") }
            }
        }
    }

    /// Killed at random moments with 1 or 2 workers, then resumed: the files of the run with every trial alone.
    func testKillNineAndResumeEndAsIfEveryTrialTrainedAlone() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        // Ten times the epochs on four times the rows, so that the kills land inside the search on a fast machine too.
        let spec = Self.spec.replacingOccurrences(of: #""rows": 600"#, with: #""rows": 2400"#)
            .replacingOccurrences(of: #""epochs": 4"#, with: #""epochs": 40"#)
        let specPath = try BinaryHarness.write(spec, to: "s.json", in: dir)
        let reference = try alone(dir, specPath)
        let folder = dir.appendingPathComponent("killed").path
        addTeardownBlock { for pid in BinaryHarness.workerPids(folder) { kill(pid, SIGKILL) } }
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", folder]).status, 0)
        let (kills, runs) = try killNineAndResume(folder, seed: 23, kills: 6, lines: 6, jitter: 20_000)
        XCTAssertGreaterThanOrEqual(kills, 4, "\(runs) runs")
        XCTAssertNotEqual(try claims(folder).sorted(), try claims(folder), "lockstep groups claimed trials out of order")
        let last = try BinaryHarness.run(["resume", folder, "--foreground"])
        XCTAssertEqual(last.status, 0, last.stderr)
        assertSameResults(folder, as: reference, trials: Self.trials)
    }
}
