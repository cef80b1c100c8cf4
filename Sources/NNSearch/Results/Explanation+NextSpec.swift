import Foundation
import NNSearchKernel

extension Explanation {
    /// A spec for the next search: the space narrowed around the best trials, ready for `nnsearch start`.
    ///
    /// The best k completed trials (k = the larger of 3 and a fifth of them) decide: a list keeps the
    /// values they used (one value becomes fixed); a range shrinks to their span, widened by a tenth
    /// of the old range (a factor of 2 on a log scale, one step for integers) and kept inside it.
    /// The strategy is the search's own (random or TPE) when a range is left, else grid. Returns nil
    /// when no trial completed.
    package static func nextSpec(_ results: SearchResults) -> JSONValue? {
        let completed = results.ranked.filter { !$0.metric.isNaN }
        guard !completed.isEmpty else { return nil }
        let top = Array(completed.prefix(max(3, (completed.count + 4) / 5)))
        let spec = results.spec
        var space = [JSONMember]()
        var hasRange = false
        var gridSize = 1
        for (d, dimension) in spec.space.enumerated() {
            let used = top.map { $0.values[d] }
            let entry: JSONValue
            switch dimension.entry {
            case .fixed(let value):
                entry = value.json
            case .choices(let values):
                let kept = values.filter { used.contains($0.csvText) }.map(\.json)
                entry = kept.count == 1 ? kept[0] : .array(kept.isEmpty ? values.map(\.json) : kept)
                gridSize *= max(1, kept.count)
            case .uniform(let a, let b):
                let xs = used.compactMap(Double.init)
                let pad = (b - a) / 10
                entry = range("uniform", max(a, (xs.min() ?? a) - pad), min(b, (xs.max() ?? b) + pad))
                hasRange = true
            case .logUniform(let a, let b):
                let xs = used.compactMap(Double.init)
                entry = range("log_uniform", max(a, (xs.min() ?? a) / 2), min(b, (xs.max() ?? b) * 2))
                hasRange = true
            case .intUniform(let a, let b):
                let xs = used.compactMap { Int($0) }
                let lo = max(a, (xs.min() ?? a) - 1), hi = min(b, (xs.max() ?? b) + 1)
                entry = .object([JSONMember(key: "int_uniform", value: .array([number(Double(lo)), number(Double(hi))]))])
                hasRange = true
            }
            space.append(JSONMember(key: dimension.name, value: entry))
        }
        // What the search recorded of its data is no part of a spec to run.
        var next = spec.source.removing(PreparationRecord.key)
        next = next.setting("name", to: .string(spec.name + "-next"))
        let learns = spec.strategy == .tpe
        next = next.setting("strategy", to: .string(hasRange ? (learns ? "tpe" : "random") : "grid"))
        if !hasRange, learns, case .object(let members) = next {
            next = .object(members.filter { $0.key != "startup" && $0.key != "lag" })
        }
        if hasRange {
            next = next.setting("trials", to: number(Double(results.trialCount)))
        } else if case .object(let members) = next {
            next = .object(members.filter { $0.key != "trials" || gridSize > results.trialCount })
        }
        return next.setting("space", to: .object(space))
    }

    private static func range(_ kind: String, _ low: Double, _ high: Double) -> JSONValue {
        // A range whose ends met (every top trial had one value) is kept a little open.
        let (lo, hi) = low < high ? (low, high) : (low, low * 1.0000001 + 1e-12)
        // Ends shortened to 3 significant digits, unless that would close the range or leave the old one.
        let (a, b) = (roundedToSignificant(lo, digits: 3), roundedToSignificant(hi, digits: 3))
        let (l, h) = a < b && a >= low && b <= high ? (a, b) : (lo, hi)
        return .object([JSONMember(key: kind, value: .array([number(formatNumber(l)), number(formatNumber(h))]))])
    }

    private static func number(_ x: Double) -> JSONValue { .number(x, text: formatNumber(x)) }
    private static func number(_ text: String) -> JSONValue { .number(Double(text) ?? 0, text: text) }
}
