import Foundation
import NNSearchKernel

/// The memory a search may plan for: what the machine has available (`MemAvailable`, or a
/// cgroup's limit when that is lower), lowered by the spec's `"max_memory"`.
///
/// A trial that cannot allocate its buffers does not fail: Swift traps (and Linux, which
/// overcommits, may instead kill the process later). So the search refuses, before anything is
/// created or trained, a space whose largest configuration does not fit (`SearchSpec.checkMemory`).
package struct MemoryBudget: Sendable, Equatable {
    package var bytes: Int
    /// The bound as messages state it: "only 24.3 GB is available (MemAvailable in /proc/meminfo)".
    package var statement: String

    package init(bytes: Int, statement: String) {
        self.bytes = bytes
        self.statement = statement
    }

    /// The budget now: the smaller of the machine's and `maxMemory`; nil when neither is known.
    package static func current(maxMemory: Int?) -> MemoryBudget? {
        let machine = machineAvailable()
        switch (machine, maxMemory) {
        case (nil, nil): return nil
        case (let m?, nil): return m
        case (nil, let limit?): return MemoryBudget(bytes: limit, statement: "\"max_memory\" allows only \(formatBytes(limit))")
        case (let m?, let limit?):
            return limit < m.bytes
                ? MemoryBudget(bytes: limit, statement: "\"max_memory\" allows only \(formatBytes(limit)) (the machine has \(formatBytes(m.bytes)) available)")
                : m
        }
    }

    /// `MemAvailable` from /proc/meminfo, or what the cgroup (v2 `memory.max`, v1
    /// `memory.limit_in_bytes`) leaves when that is less.
    static func machineAvailable() -> MemoryBudget? {
        func read(_ path: String) -> String? {
            (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var best: MemoryBudget? = nil
        if let meminfo = read("/proc/meminfo"),
           let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kB = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
            best = MemoryBudget(bytes: kB * 1024, statement: "only \(formatBytes(kB * 1024)) is available (MemAvailable in /proc/meminfo)")
        }
        let cgroups = [
            ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current", "memory.max"),
            ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes", "memory.limit_in_bytes"),
        ]
        for (limitPath, usagePath, name) in cgroups {
            guard let limit = read(limitPath).flatMap({ Int($0) }), limit < 1 << 60 else { continue }
            let used = read(usagePath).flatMap { Int($0) } ?? 0
            let left = max(0, limit - used)
            if left < best?.bytes ?? .max {
                best = MemoryBudget(bytes: left, statement: "only \(formatBytes(left)) is left under this cgroup's \(name) of \(formatBytes(limit))")
            }
            break
        }
        return best
    }
}

/// The shape of a search's data, as far as a trial's memory goes.
package struct DataShape: Sendable, Equatable {
    package var features: Int
    /// The network's outputs (one for two classes or regression).
    package var outputs: Int
    package var trainRows: Int
    /// What loading it will take; 0 once it is loaded (the machine's available memory then excludes it).
    package var loadBytes: Int
    /// What each trial in flight lays out of the data itself: with cross-validation, its round's rows
    /// (twice, while one round hands over to the next); 0 with one shared split.
    package var perTrialBytes = 0

    package init(features: Int, outputs: Int, trainRows: Int, loadBytes: Int) {
        self.features = features
        self.outputs = outputs
        self.trainRows = trainRows
        self.loadBytes = loadBytes
    }

    /// Loaded data.
    package init(_ data: SearchData) {
        let laid = data.data(for: .none)   // a single split's, or the first round's of a cross-validation
        self.init(features: laid.featureCount, outputs: laid.outputs, trainRows: laid.train.rows, loadBytes: 0)
        if data.rounds > 1 { perTrialBytes = Self.roundBytes(rows: laid.train.rows + laid.validation.rows, features: laid.featureCount) }
    }

    /// Data not loaded yet, from its counts: loading holds the rows' features (as 32-bit floats)
    /// and targets about three times (the file's rows, the split, the standardized copy).
    package init(features: Int, classes: Int?, rows: Int, validation: Double) {
        self.init(features: features, outputs: TrialMemory.outputs(classes: classes),
                  trainRows: max(1, Int(Double(rows) * (1 - validation))), loadBytes: 3 * rows * (4 * features + 8))
    }
}

extension DataShape {
    /// A cross-validation round's rows laid out for a trial (features as 32-bit floats, a target
    /// each), twice: a trial holds two rounds while it moves from one to the next.
    static func roundBytes(rows: Int, features: Int) -> Int { 2 * rows * (4 * features + 8) }

    /// `spec`'s data shape without loading a CSV file: its header and first rows are checked as
    /// loading would (`previewCSVDataset`), its rows bounded by its line breaks, its classes
    /// guessed from the first rows' targets (a worker checks again once it has loaded the file).
    /// Generated data is cheap, so it is made and measured.
    package init(previewing spec: SearchSpec) throws {
        switch spec.data {
        case .generator:
            self.init(try SearchData(spec: spec))
        case .csv(let path, _, let columns):
            let preview = try previewCSVTable(path: path, columns: columns)
            let regression = spec.task == .regression || (spec.task == nil && preview.distinctTargets == nil)
            self.init(features: preview.featureCount, classes: regression ? nil : max(2, preview.distinctTargets ?? 2),
                      rows: preview.rowBound, validation: spec.validation.heldOutFraction)
            if spec.validation.rounds > 1 { perTrialBytes = Self.roundBytes(rows: preview.rowBound, features: preview.featureCount) }
        }
    }
}

extension SearchSpec {
    /// Refuses (exit 64) a space whose largest configuration, trained by `workers` threads at once
    /// (at most one per trial), would take more than `budget`; says what would fit. With
    /// `configuration`, checks that one trial alone (`nnsearch train`).
    package func checkMemory(shape: DataShape, workers: Int, budget: MemoryBudget?,
                             configuration: Hyperparameters? = nil) throws {
        guard let budget else { return }
        let workers = configuration != nil ? 1 : max(1, min(workers, TrialPlan(spec: self).count))
        let largest = configuration ?? largestConfiguration(shape)
        func need(_ h: Hyperparameters, _ n: Int) -> Int { n * (memory(h, shape).total + shape.perTrialBytes) + shape.loadBytes }
        let total = need(largest, workers)
        guard total > budget.bytes else { return }

        let m = memory(largest, shape)
        var parts = [("model", m.model), ("optimizer moments", m.optimizer), ("checkpoint copy", m.checkpoint),
                     ("batch workspace", m.workspace), ("row order", m.runner)].filter { $0.1 * 100 >= m.total }
        parts.sort { $0.1 > $1.1 }
        var message = (configuration == nil ? "space: the largest configuration" : "the configuration")
            + " (\(describeMemoryConfiguration(largest))) needs about "
            + formatBytes(m.total + shape.perTrialBytes) + " per trial ("
            + (parts + (shape.perTrialBytes > 0 ? [("its fold's rows", shape.perTrialBytes)] : []))
                .map { "\($0.0) \(formatBytes($0.1))" }.joined(separator: ", ") + ")"
        if workers > 1 { message += " × \(workers) workers" }
        if shape.loadBytes > 0 { message += " + \(formatBytes(shape.loadBytes)) for the data" }
        if workers > 1 || shape.loadBytes > 0 { message += " = \(formatBytes(total))" }
        message += ", but \(budget.statement)"

        let fits = { (h: Hyperparameters) in need(h, workers) <= budget.bytes }
        var options = [String]()
        if let width = largestFitting(1...largest.width, { var h = largest; h.width = $0; return fits(h) }) {
            options.append("width ≤ \(width) (at depth \(largest.depth))")
        }
        if largest.depth > 0, let depth = largestFitting(0...largest.depth, { var h = largest; h.depth = $0; return fits(h) }) {
            options.append("depth ≤ \(depth) (at width \(largest.width))")
        }
        let batch = min(largest.batchSize, shape.trainRows)
        if batch > TrialRunner.evaluationRows,
           let size = largestFitting(1...batch, { var h = largest; h.batchSize = $0; return fits(h) }) {
            options.append("batch_size ≤ \(size)")
        }
        if workers > 1, let n = largestFitting(1...(workers - 1), { need(largest, $0) <= budget.bytes }) {
            options.append("\"workers\": \(n) (or --workers \(n))")
        }
        message += options.isEmpty
            ? "; even the smallest network of the space does not fit: use less data or a machine with more memory"
            : "; what fits: " + options.joined(separator: ", or ")
        throw NNSearchError.usage((file.isEmpty ? "" : "\(file): ") + message)
    }

    /// How many trials a worker may train side by side (a lockstep group, at most `lanes`) within
    /// `budget`: as many as fit where `checkMemory` counts one trial of the largest configuration
    /// per worker (every trial needs at most that); all `lanes` when the budget is unknown.
    package func lockstepLanes(_ lanes: Int, shape: DataShape, workers: Int, budget: MemoryBudget?) -> Int {
        guard let budget else { return lanes }
        let perTrial = memory(largestConfiguration(shape), shape).total + shape.perTrialBytes
        let fit = (budget.bytes - shape.loadBytes) / max(1, max(1, workers) * perTrial)
        return max(1, min(lanes, fit))
    }

    /// The hyperparameters of the space's configuration that takes the most memory: each
    /// memory-relevant key at its most costly value (memory grows with each on its own, so
    /// together they are the largest).
    func largestConfiguration(_ shape: DataShape) -> Hyperparameters {
        var largest = Hyperparameters()
        let relevant: Set<String> = ["depth", "width", "batch_size", "epochs", "optimizer", "normalize", "dropout"]
        for dimension in space where relevant.contains(dimension.name) {
            let candidates: [HyperparameterValue]
            switch dimension.entry {
            case .fixed(let value): candidates = [value]
            case .choices(let values): candidates = values
            case .intUniform(let low, let high): candidates = [.integer(low), .integer(high)]
            case .uniform(let low, let high), .logUniform(let low, let high): candidates = [.real(low), .real(high)]
            }
            // The costliest value; of equal ones (batch sizes below an evaluation chunk) the largest number.
            var best: (h: Hyperparameters, bytes: Int, number: Double)? = nil
            for value in candidates {
                var h = largest
                dimension.parameter.set(value, in: &h)
                let bytes = memory(h, shape).total
                let number = value.number ?? 0
                if best.map({ bytes > $0.bytes || (bytes == $0.bytes && number > $0.number) }) ?? true {
                    best = (h, bytes, number)
                }
            }
            if let best { largest = best.h }
        }
        return largest
    }

    private func memory(_ h: Hyperparameters, _ shape: DataShape) -> TrialMemory {
        TrialMemory(hyperparameters: h, featureCount: shape.features, outputs: shape.outputs, trainRows: shape.trainRows)
    }

    /// "depth 64, width 16384, batch_size 32, optimizer adam" (with normalize and dropout when they cost memory).
    private func describeMemoryConfiguration(_ h: Hyperparameters) -> String {
        var parts = ["depth \(h.depth)", "width \(h.width)", "batch_size \(h.batchSize)", "optimizer \(h.optimizer.rawValue)"]
        if h.normalize == .batchnorm { parts.append("normalize batchnorm") }
        if h.dropout > 0 { parts.append("dropout \(formatNumber(h.dropout))") }
        return parts.joined(separator: ", ")
    }
}

/// The largest value of `range` for which `fits` holds, given that it holds for every value
/// below one that does; nil when it holds for none.
private func largestFitting(_ range: ClosedRange<Int>, _ fits: (Int) -> Bool) -> Int? {
    guard fits(range.lowerBound) else { return nil }
    var lo = range.lowerBound, hi = range.upperBound
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2
        if fits(mid) { lo = mid } else { hi = mid - 1 }
    }
    return lo
}

/// Bytes for people, in powers of 1000 as `max_memory` reads them: "512 bytes", "17.4 MB", "414 GB".
package func formatBytes(_ bytes: Int) -> String {
    let units = ["KB", "MB", "GB", "TB", "PB"]
    guard bytes >= 1000 else { return "\(bytes) bytes" }
    var value = Double(bytes) / 1000, unit = 0
    while value >= 999.5 && unit < units.count - 1 { value /= 1000; unit += 1 }
    return formatSignificant(value, digits: 3) + " " + units[unit]
}
