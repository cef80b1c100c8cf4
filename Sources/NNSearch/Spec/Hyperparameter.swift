import NNSearchKernel

/// One hyperparameter a spec can search: its name in specs and CSV files, its domain, and where
/// its value lives in the kernel's `Hyperparameters`. `Hyperparameter.all` is the registry.
package struct Hyperparameter: Sendable {
    /// The name in a spec's `space`, in `--set` and in the CSV header.
    package let name: String
    package let domain: HyperparameterDomain
    private let read: @Sendable (Hyperparameters) -> HyperparameterValue
    private let write: @Sendable (inout Hyperparameters, HyperparameterValue) -> Void

    /// The value `hyperparameters` holds (the weight decay in force, when it is the optimizer's default).
    package func value(in hyperparameters: Hyperparameters) -> HyperparameterValue { read(hyperparameters) }

    /// Sets a value of this hyperparameter's domain (validated by `domain.value` or drawn inside it).
    package func set(_ value: HyperparameterValue, in hyperparameters: inout Hyperparameters) {
        assert(domain.contains(value), "\(value) is outside \(name)'s domain")
        write(&hyperparameters, value)
    }

    /// Validates a JSON value and sets it.
    package func set(_ json: JSONValue, in hyperparameters: inout Hyperparameters, path: String) throws {
        write(&hyperparameters, try domain.value(json, name: name, path: path))
    }

    // MARK: - The registry

    /// Every hyperparameter, in canonical order.
    package static let all: [Hyperparameter] = [
        integer("depth", 0...64, get: { $0.depth }, set: { $0.depth = $1 }),
        integer("width", 1...16384, get: { $0.width }, set: { $0.width = $1 }),
        real("lr", 0...100, lowerOpen: true, get: { $0.lr }, set: { $0.lr = $1 }),
        names("optimizer", OptimizerKind.self, get: { $0.optimizer }, set: { $0.optimizer = $1 }),
        real("momentum", 0...0.999999, get: { $0.momentum }, set: { $0.momentum = $1 }),
        Hyperparameter(name: "nesterov", domain: .boolean, read: { .boolean($0.nesterov) },
                       write: { if case .boolean(let b) = $1 { $0.nesterov = b } }),
        real("weight_decay", 0...10, get: { $0.effectiveWeightDecay }, set: { $0.weightDecay = $1 }),
        Hyperparameter(name: "schedule", domain: .schedule, read: { .schedule($0.schedule) },
                       write: { if case .schedule(let s) = $1 { $0.schedule = s } }),
        integer("batch_size", 1...1_000_000, get: { $0.batchSize }, set: { $0.batchSize = $1 }),
        integer("epochs", 1...1_000_000, get: { $0.epochs }, set: { $0.epochs = $1 }),
        names("activation", Activation.self, get: { $0.activation }, set: { $0.activation = $1 }),
        names("init", Initialization.self, get: { $0.initialization }, set: { $0.initialization = $1 }),
        names("normalize", Normalization.self, get: { $0.normalize }, set: { $0.normalize = $1 }),
        real("dropout", 0...0.95, get: { $0.dropout }, set: { $0.dropout = $1 }),
    ]

    /// Every name, in canonical order.
    package static let names = all.map(\.name)

    /// The hyperparameter called `name`, if any.
    package static func named(_ name: String) -> Hyperparameter? { all.first { $0.name == name } }

    private static func integer(_ name: String, _ range: ClosedRange<Int>, get: @escaping @Sendable (Hyperparameters) -> Int,
                                set: @escaping @Sendable (inout Hyperparameters, Int) -> Void) -> Hyperparameter {
        Hyperparameter(name: name, domain: .integer(range), read: { .integer(get($0)) },
                       write: { if case .integer(let n) = $1 { set(&$0, n) } })
    }

    private static func real(_ name: String, _ range: ClosedRange<Double>, lowerOpen: Bool = false,
                             get: @escaping @Sendable (Hyperparameters) -> Double,
                             set: @escaping @Sendable (inout Hyperparameters, Double) -> Void) -> Hyperparameter {
        Hyperparameter(name: name, domain: .real(lower: range.lowerBound, upper: range.upperBound, lowerOpen: lowerOpen),
                       read: { .real(get($0)) }, write: { if case .real(let x) = $1 { set(&$0, x) } })
    }

    private static func names<Name: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ type: Name.Type, get: @escaping @Sendable (Hyperparameters) -> Name,
        set: @escaping @Sendable (inout Hyperparameters, Name) -> Void
    ) -> Hyperparameter where Name.RawValue == String {
        Hyperparameter(name: name, domain: .names(Name.allCases.map(\.rawValue)), read: { .name(get($0).rawValue) },
                       write: { if case .name(let s) = $1, let v = Name(rawValue: s) { set(&$0, v) } })
    }
}

extension Hyperparameters {
    /// Sets one hyperparameter from a JSON value, or explains why the name or value is not allowed.
    ///
    /// `path` names the value in messages (`space.lr[2]`, `--set lr`).
    mutating func set(_ name: String, _ value: JSONValue, path: String) throws {
        guard let parameter = Hyperparameter.named(name) else {
            throw NNSearchError.usage("\(path): unknown hyperparameter \(JSONValue.echo(name))" + Hyperparameter.suggestion(for: name)
                + "; known: " + Hyperparameter.names.joined(separator: ", "))
        }
        try parameter.set(value, in: &self, path: path)
    }
}
