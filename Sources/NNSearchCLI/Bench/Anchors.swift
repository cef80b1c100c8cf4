import Foundation

/// The PyTorch and Optuna comparison scripts (`../shared/anchors/`), run by the benchmark in the
/// same run as nnsearch's figures when `ANCHORS_PY` names their Python.
struct Anchors {
    /// The venv's Python (`eval "$(../shared/anchors/setup.sh)"` sets `ANCHORS_PY`).
    let python: String
    /// The folder of the scripts: `ANCHORS_DIR`, or `../shared/anchors` from the current folder.
    let folder: String

    /// The anchors when `ANCHORS_PY` is set and the scripts are there; otherwise nil and a line saying why.
    static func find(print: (String) -> Void) -> Anchors? {
        let environment = ProcessInfo.processInfo.environment
        guard let python = environment["ANCHORS_PY"], !python.isEmpty else {
            print("anchors: ANCHORS_PY is not set, so PyTorch and Optuna are not run (eval \"$(../shared/anchors/setup.sh)\" sets it)")
            return nil
        }
        let folder = environment["ANCHORS_DIR"] ?? "../shared/anchors"
        guard FileManager.default.fileExists(atPath: folder + "/torch_trial.py") else {
            print("anchors: no \(folder)/torch_trial.py (set ANCHORS_DIR to the scripts' folder), so PyTorch and Optuna are not run")
            return nil
        }
        return Anchors(python: python, folder: folder)
    }

    /// Runs `script` (in `folder`) with `arguments`, and `environment` added to this process's, and
    /// returns the `key=value` fields of its last line, or nil (with a line saying why) when it fails
    /// or is still running after `timeout` seconds (then it and what it started are sent SIGTERM).
    func run(_ script: String, _ arguments: [String], environment: [String: String] = [:],
             timeout: Double = 1800, print: (String) -> Void) -> [String: String]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [folder + "/" + script] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        // Standard error goes to a file (not a second pipe, which could fill while standard output is read): its end says why a script failed.
        let errorPath = NSTemporaryDirectory() + "nnsearch-anchor-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).err"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { unlink(errorPath) }
        let errorFile = FileHandle(forWritingAtPath: errorPath)
        defer { try? errorFile?.close() }
        process.standardError = errorFile ?? FileHandle.nullDevice
        // Standard output is read as it comes and the exit awaited with a deadline.
        let collected = Collected()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty { handle.readabilityHandler = nil; collected.end.signal() } else { collected.append(chunk) }
        }
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch {
            pipe.fileHandleForReading.readabilityHandler = nil
            print("anchors: could not run \(python) \(script): \(error)")
            return nil
        }
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            // The child leads its own process group (Foundation spawns it so on Linux): SIGTERM to the
            // group stops the processes it started too (Optuna's trials), which would otherwise keep
            // Foundation from seeing it end.
            kill(-process.processIdentifier, SIGTERM)
            process.terminate()
            exited.wait()
            pipe.fileHandleForReading.readabilityHandler = nil
            print("anchors: \(script) \(arguments.joined(separator: " ")) was still running after \(Int(timeout)) s: stopped")
            return nil
        }
        if collected.end.wait(timeout: .now() + 5) == .timedOut { pipe.fileHandleForReading.readabilityHandler = nil }  // a child left holding it
        let output = String(decoding: collected.data, as: UTF8.self)
        let fields = Anchors.fields(output)
        guard process.terminationStatus == 0, !fields.isEmpty else {
            let errors = String(decoding: FileManager.default.contents(atPath: errorPath) ?? Data(), as: UTF8.self)
            print("anchors: \(script) \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)): \(output.suffix(300))"
                  + (errors.isEmpty ? "" : " stderr: \(errors.suffix(500))"))
            return nil
        }
        return fields
    }

    /// The `key=value` words of the last line of `output` (what every anchor script prints last).
    static func fields(_ output: String) -> [String: String] {
        let last = output.split(separator: "\n").last.map(String.init) ?? ""
        var fields: [String: String] = [:]
        for word in last.split(separator: " ") {
            guard let equals = word.firstIndex(of: "=") else { continue }
            fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        return fields
    }

    /// A `values=` field's numbers, comma-separated (`nan` for a trial without a score); nil when one is not a number.
    static func values(_ field: String) -> [Double]? {
        var values = [Double]()
        for word in field.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Double(word) else { return nil }
            values.append(value)
        }
        return values
    }

    /// PyTorch's µs per step for one trial of `torch_trial.py` on one thread.
    func torchStep(_ arguments: [String], print: (String) -> Void) -> Double? {
        run("torch_trial.py", arguments + ["1"], print: print).flatMap { $0["us_per_step"] }.flatMap(Double.init)
    }
}

/// A child's standard output as it arrives, and a signal at its end (read on Dispatch's threads).
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    let end = DispatchSemaphore(value: 0)

    func append(_ chunk: Data) { lock.lock(); bytes.append(chunk); lock.unlock() }

    var data: Data { lock.lock(); defer { lock.unlock() }; return bytes }
}
