import Foundation
import NNSearchKernel

/// What a search folder's `origin` file records about how the search was created: the spec file
/// it came from, the metric and task, what chance scores on its data, and the data file's fingerprint.
///
/// One `key=value` line each; unknown keys are kept by rewrites and ignored by readers.
package struct SearchOrigin: Sendable {
    package var fields: [String: String]

    package init(fields: [String: String] = [:]) {
        self.fields = fields
    }

    /// The origin of a new search.
    package init(specPath: String, metric: Metric, task: TaskKind, chance: ChanceLevel, fingerprint: DataFingerprint?) {
        fields = ["spec_path": specPath, "metric": metric.rawValue, "task": task.rawValue,
                  "chance": [chance.trainLoss, chance.valLoss, chance.trainMetric, chance.valMetric, Double(chance.validationRows)]
                    .map(formatNumber).joined(separator: ",")]
        if let fingerprint { fields.merge(fingerprint.originFields) { _, new in new } }
    }

    /// The origin of a search created before its data was loaded (a detached `start` only checks a
    /// CSV file's header and first rows): `chance=pending` until the first worker to load the data
    /// records the task, metric and chance level with `recordingData`.
    package init(specPath: String, pendingFor spec: SearchSpec, fingerprint: DataFingerprint?) {
        fields = ["spec_path": specPath, "chance": SearchOrigin.pending]
        if let task = spec.task { fields["task"] = task.rawValue }
        if let metric = spec.metric ?? spec.task.map(Metric.defaultMetric(for:)) { fields["metric"] = metric.rawValue }
        if let fingerprint { fields.merge(fingerprint.originFields) { _, new in new } }
    }

    private static let pending = "pending"

    /// Whether the data's task, metric and chance level wait for the first worker to load the data.
    package var isPending: Bool { fields["chance"] == SearchOrigin.pending }

    /// This origin with what loading the data told.
    package func recordingData(metric: Metric, task: TaskKind, chance: ChanceLevel) -> SearchOrigin {
        var loaded = SearchOrigin(specPath: specPath ?? "", metric: metric, task: task, chance: chance, fingerprint: nil)
        if specPath == nil { loaded.fields["spec_path"] = nil }
        loaded.fields.merge(fields.filter { !["metric", "task", "chance"].contains($0.key) }) { mine, _ in mine }
        return loaded
    }

    /// The origin recorded in `folder` (empty when the file is missing or unreadable).
    package static func read(_ folder: SearchFolder) -> SearchOrigin {
        guard let text = try? String(contentsOfFile: folder.file("origin"), encoding: .utf8) else { return SearchOrigin() }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return SearchOrigin(fields: fields)
    }

    /// The file's text, keys in a fixed order (known ones first).
    package var text: String {
        let order = ["spec_path", "metric", "task", "chance", "data_path", "data_size", "data_hash"]
        let rest = fields.keys.filter { !order.contains($0) }.sorted()
        return (order + rest).compactMap { key in fields[key].map { "\(key)=\($0)\n" } }.joined()
    }

    /// Writes `origin` in `folder` atomically (fsynced).
    package func write(to folder: SearchFolder) throws {
        try writeAtomically(Data(text.utf8), to: folder.file("origin"), sync: true)
    }

    package var specPath: String? { fields["spec_path"] }
    package var metric: Metric? { fields["metric"].flatMap(Metric.init(rawValue:)) }
    package var task: TaskKind? { fields["task"].flatMap(TaskKind.init(rawValue:)) }

    /// The chance level of the search's data (train loss, val loss, train metric, val metric, validation rows), when the search was created by a version that recorded it.
    package var chance: ChanceLevel? {
        // Every figure must read (a damaged line is no chance level, never a shifted one).
        guard let texts = fields["chance"]?.split(separator: ",", omittingEmptySubsequences: false),
              texts.count == 4 || texts.count == 5 else { return nil }
        let parts = texts.compactMap { Double($0) }
        guard parts.count == texts.count else { return nil }
        // Four figures: written before the row count was (0 = unknown).
        let rows = parts.count == 5 ? Int(exactly: parts[4]) : 0
        guard let rows, rows >= 0 else { return nil }
        return ChanceLevel(trainLoss: parts[0], valLoss: parts[1], trainMetric: parts[2], valMetric: parts[3], validationRows: rows)
    }

    package var fingerprint: DataFingerprint? {
        guard let path = fields["data_path"], let size = fields["data_size"].flatMap({ Int($0) }),
              let hash = fields["data_hash"].flatMap({ UInt64($0, radix: 16) }) else { return nil }
        return DataFingerprint(path: path, size: size, hash: hash)
    }
}
