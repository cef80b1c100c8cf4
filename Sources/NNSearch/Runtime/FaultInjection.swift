import Foundation

/// Test-only faults at named points of the write path, armed by one environment variable.
///
/// `NNSEARCH_FAULT=ACTION:POINT:N` makes the N-th time the process reaches POINT either
/// `kill` it (SIGKILL, as `kill -9` would, but at an exact moment) or fail with `enospc`
/// (a disk-full error). Points: `rename:FILE` (a file written, not yet renamed into place:
/// `leaderboard.csv`, `progress.json`, `checkpoint`), `renamed:FILE` (just after), `append:trials.csv`
/// and `append:journal` (before a row or records are written), `appended:trials.csv` and
/// `appended:journal` (after), `append:prunes` (a rung decided, before its pruned trials' results
/// are appended). Unset, every check is one comparison.
enum FaultInjection {
    private struct Armed {
        var action: String
        var point: String
        var remaining: Int
    }

    private static let armed: Locked<Armed?> = {
        guard let spec = ProcessInfo.processInfo.environment["NNSEARCH_FAULT"] else { return Locked(nil) }
        let parts = spec.split(separator: ":").map(String.init)
        guard parts.count >= 3, let n = Int(parts.last!), n > 0 else { return Locked(nil) }
        return Locked(Armed(action: parts[0], point: parts[1..<(parts.count - 1)].joined(separator: ":"), remaining: n))
    }()

    /// Whether a fault waits at a checkpoint point: trials then checkpoint after every epoch, so the
    /// point is reached however fast the disk (the cadence otherwise depends on what a write costs).
    static let armsCheckpoints: Bool = armed.withLock { $0?.point.hasSuffix(":checkpoint") ?? false }

    /// Passes the named point: returns, or kills the process, or throws a disk-full error.
    static func check(_ point: String) throws {
        let fire = armed.withLock { armed -> String? in
            guard var a = armed, a.point == point else { return nil }
            a.remaining -= 1
            armed = a
            return a.remaining == 0 ? a.action : nil
        }
        switch fire {
        case "kill":
            kill(getpid(), SIGKILL)
            while true { pause() }
        case "enospc":
            errno = ENOSPC
            throw ioError("cannot write (\(point))")
        default:
            return
        }
    }
}
