import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starting and looking at background processes: the scheduler runs detached from the terminal that started it.
package enum Daemon {
    /// Path of the running executable (/proc/self/exe resolved; falls back to CommandLine.arguments[0]).
    ///
    /// When the binary was replaced while running (a rebuild), the kernel reports `PATH (deleted)`;
    /// the suffix is dropped so the new binary at the same path is what gets started.
    package static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments.first ?? "nnsearch" }
        var path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let deleted = " (deleted)"
        if path.hasSuffix(deleted), !FileManager.default.fileExists(atPath: path) {
            path.removeLast(deleted.count)
        }
        return path
    }

    /// Starts `executable` with `arguments` detached from the terminal: its own session (POSIX_SPAWN_SETSID), stdin from /dev/null, stdout and stderr appended to `logPath`, SIGINT/SIGTERM/SIGHUP default dispositions, empty signal mask. Returns the child's pid. Errors are NNSearchError(.io, ...) naming the log path or executable.
    ///
    /// The child keeps only descriptors 0–2 (where glibc offers `posix_spawn_file_actions_addclosefrom_np`)
    /// and inherits the environment. The parent never waits for it: a background thread reaps it when
    /// it exits, so a parent that lives on (tests) leaves no zombie, and `isAlive` turns false.
    package static func spawnDetached(executable: String, arguments: [String], logPath: String) throws -> Int32 {
        guard access(executable, X_OK) == 0 else {
            throw NNSearchError.io("cannot run \(executable): \(String(cString: strerror(errno)))")
        }
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else {
            throw NNSearchError.io("cannot open the log \(logPath): \(String(cString: strerror(errno)))")
        }
        defer { close(log) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 before opening /dev/null: `log` may itself be 0, 1 or 2 when the parent's were closed.
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let closeFrom = addCloseFrom { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(spawnSetSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }

        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw NNSearchError.io("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        reap(pid)
        return pid
    }

    private static let exitStatuses = Locked([Int32: Int32]())

    /// How a child started by `spawnDetached` ended (its exit code, or 128 + the signal that
    /// killed it), once it has been reaped; nil while it runs.
    package static func exitStatus(of pid: Int32) -> Int32? {
        exitStatuses.withLock { $0[pid] }
    }

    /// True while a process with this pid exists (kill(pid, 0) == 0 or errno == EPERM).
    ///
    /// A zombie (exited, not yet reaped) is not alive: a killed daemon whose parent already exited
    /// can stay one for a while when the machine's init is slow to reap, and `kill` still finds it.
    package static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }  // 0 and negatives name process groups
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        return !isZombie(pid)
    }

    // MARK: - Platform

    /// glibc's `POSIX_SPAWN_SETSID` (`<spawn.h>`, `__USE_GNU`), which the Glibc module does not export.
    private static let spawnSetSID: Int32 = 0x80

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+, `__USE_GNU`, not exported to Swift), when present.
    private static var addCloseFrom: AddCloseFrom? {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }

    /// Whether /proc says `pid` has exited and awaits reaping (state Z, or X while being reaped).
    private static func isZombie(_ pid: Int32) -> Bool {
        // /proc/PID/stat is `pid (comm) S ...`; comm may itself hold spaces and parentheses.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].first { $0 != " " }
        return state == "Z" || state == "X"
    }

    /// Waits for `pid` on a thread of its own, so the child does not linger as a zombie.
    private static func reap(_ pid: pid_t) {
        let thread = Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            // WIFEXITED / WEXITSTATUS, WTERMSIG (the macros are not imported into Swift).
            let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            exitStatuses.withLock { $0[pid] = code }
        }
        thread.name = "nnsearch reaper \(pid)"
        thread.stackSize = 64 * 1024
        thread.start()
    }
}
