import NNSearchKernel

extension SearchSpec {
    /// What differs from `other` in ways that change a search's trials or results, one line each
    /// (`space.lr: {"log_uniform": [0.0001, 0.1]} → [0.01]`). `workers` is left out: it never changes results.
    package func differences(from other: SearchSpec) -> [String] {
        var lines = [String]()
        func compare(_ name: String, _ a: String, _ b: String) {
            if a != b { lines.append("\(name): \(a) → \(b)") }
        }
        func text<T>(_ x: T?) -> String { x.map { "\($0)" } ?? "(not set)" }
        compare("name", name, other.name)
        compare("data", describe(data), describe(other.data))
        compare("validation", validation.jsonText, other.validation.jsonText)
        compare("task", text(task?.rawValue), text(other.task?.rawValue))
        compare("metric", text(metric?.rawValue), text(other.metric?.rawValue))
        compare("strategy", strategy.rawValue, other.strategy.rawValue)
        compare("trials", text(trials), text(other.trials))
        compare("startup", text(tpe?.startup), text(other.tpe?.startup))
        compare("lag", text(tpe?.lag), text(other.tpe?.lag))
        compare("multivariate", text(tpe?.multivariate), text(other.tpe?.multivariate))
        compare("seed", String(seed), String(other.seed))
        compare("max_seconds", text(maxSeconds.map(formatNumber)), text(other.maxSeconds.map(formatNumber)))
        compare("pruning", text(pruning?.jsonText), text(other.pruning?.jsonText))
        let mine = Dictionary(space.map { ($0.name, $0.entry.jsonText) }, uniquingKeysWith: { a, _ in a })
        let theirs = Dictionary(other.space.map { ($0.name, $0.entry.jsonText) }, uniquingKeysWith: { a, _ in a })
        for d in space {
            compare("space.\(d.name)", mine[d.name]!, theirs[d.name] ?? "(removed)")
        }
        for d in other.space where mine[d.name] == nil {
            lines.append("space.\(d.name): (not set) → \(theirs[d.name]!)")
        }
        if lines.isEmpty && space.map(\.name) != other.space.map(\.name) {
            lines.append("space: keys reordered (the CSV columns follow their order)")
        }
        return lines
    }

    private func describe(_ d: DataSource) -> String {
        switch d {
        case .generator(let name, let rows, let seed): "generator \(name), \(rows) rows, seed \(seed)"
        case .csv(let path, _, let columns): "csv \(path), " + columns.description
        }
    }
}
