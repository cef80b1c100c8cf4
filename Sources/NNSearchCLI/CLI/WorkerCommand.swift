import Foundation
import NNSearch
import NNSearchKernel

/// `nnsearch worker DIR [--workers N] [--lease S] [--heartbeat S] [--lock-grace S]`: joins a
/// search and takes work until none is left; exits 0 (at once when the search is finished).
///
/// Any number of worker processes, on any hosts that share the folder, may work one search:
/// claims go through the journal. Slurm array tasks and Kubernetes indexed pods run this.
enum WorkerCommand {
    static let usage = "nnsearch worker DIR [--workers N] [--lease SECONDS] [--heartbeat SECONDS] [--lock-grace SECONDS]"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "worker", options: ["workers", "lease", "heartbeat", "lock-grace"], flags: [])
        try args.expectPositionals(1, 1, usage: usage)
        let folder = SearchFolder(args.positionals[0])
        guard folder.exists else {
            throw NNSearchError(.noInput, "\(folder.path) is not a search folder (no spec.json); create one with: nnsearch init SPEC.json --out \(folder.path)")
        }
        var options = WorkerSession.Options()
        options.workers = try args.integer("workers", in: 1...256, command: "worker")
        options.display = isatty(1) == 1 ? .terminal : .lines
        options.settings = try settings(args, command: "worker")
        return try WorkerSession.run(folder: folder, options: options)
    }

    /// Lease, heartbeat and lock-grace options (seconds), checked against each other. A shorter
    /// lease than the default brings shorter heartbeats and grace with it unless they are given.
    static func settings(_ args: Arguments, command: String) throws -> SearchCoordinator.Settings {
        var s = SearchCoordinator.Settings()
        if let lease = try args.seconds("lease", in: 0.5...86_400, command: command) { s.lease = lease }
        if let beat = try args.seconds("heartbeat", in: 0.1...3_600, command: command) { s.heartbeat = beat }
        else { s.heartbeat = min(s.heartbeat, s.lease / 4) }
        if let grace = try args.seconds("lock-grace", in: 0.1...86_400, command: command) { s.lockGrace = grace }
        else { s.lockGrace = min(s.lockGrace, s.lease / 3) }
        guard s.heartbeat + s.lockGrace < s.lease else {
            throw NNSearchError.usage("\(command): --lease (\(formatNumber(s.lease)) s) must be longer than --heartbeat (\(formatNumber(s.heartbeat)) s) plus --lock-grace (\(formatNumber(s.lockGrace)) s): a frozen lock holder blocks heartbeats until its lock is broken, and that must not let every lease lapse")
        }
        return s
    }
}
