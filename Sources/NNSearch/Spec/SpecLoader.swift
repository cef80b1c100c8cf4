import Foundation
import NNSearchKernel

/// Reading and validating `searches/NAME.json`.
///
/// ```json
/// { "version": 1, "name": "sum-bin", "data": {"generator": "sum_bin", "rows": 2000, "seed": 0},
///   "validation": 0.2, "task": "classification", "metric": "val_accuracy", "strategy": "random",
///   "trials": 100, "seed": 1, "workers": 2, "max_seconds": 600,
///   "space": { "depth": [1, 2, 4], "lr": {"log_uniform": [0.0001, 0.1]}, "epochs": 30 },
///   "pruning": {"kind": "halving", "eta": 3, "min_epochs": 3}, "keep_models": 5 }
/// ```
///
/// `validation` is a fraction of the rows or cross-validation, `{"folds": 5, "repeats": 2}`.
/// A CSV `data` may add `"features"`, `"ignore"` (column names) and `"missing"` (cell texts that
/// mean missing). `"preprocessing"`, which nnsearch writes into a search folder's copy, is ignored.
/// Every message reads `FILE: PATH: message`. A missing CSV file is `.data` (exit 65);
/// every other problem with the spec is `.usage` (exit 64).
extension SearchSpec {
    /// The most combinations a grid may have without a `trials` cap.
    static let maxGridSize = 100_000
    /// The most trials a pruned search may have (hyperband assigns each to a bracket up front).
    static let maxPrunedTrials = 1_000_000

    /// Reads, parses and validates a spec file; a CSV path is taken relative to the file's folder.
    package static func load(path: String) throws -> SearchSpec {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw NNSearchError(.noInput, "\(path): no such spec file")
        }
        guard !isDirectory.boolValue else {
            throw NNSearchError.usage("\(path): is a directory, not a spec file")
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw NNSearchError.io("\(path): cannot read the spec: \(error.localizedDescription)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw NNSearchError.usage("\(path): the spec is not UTF-8 text")
        }
        let json = try parseJSON(text, file: path)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(json, file: path, baseDirectory: directory)
    }

    /// A search folder's spec copy, read as the version that wrote it meant it: a TPE copy without
    /// `"multivariate"` predates the key (every copy since records it) and so modelled its
    /// hyperparameters independently, as it goes on doing when resumed.
    package static func load(folder: SearchFolder) throws -> SearchSpec {
        var spec = try load(path: folder.spec)
        if spec.tpe != nil && spec.source["multivariate"] == nil { spec.tpe?.multivariate = false }
        return spec
    }

    /// Validates a parsed spec; `file` names it in messages and gives the default `name`.
    package static func parse(_ json: JSONValue, file: String, baseDirectory: String) throws -> SearchSpec {
        do {
            return try SpecReader(file: file, baseDirectory: baseDirectory).read(json)
        } catch let error as NNSearchError {
            throw NNSearchError(error.kind, "\(file): \(error.message)")
        }
    }

    // MARK: - Single trial

    /// The hyperparameters for `nnsearch train SPEC --set NAME=VALUE ...`.
    ///
    /// Starts from the defaults, applies the space's fixed entries, then the overrides (any
    /// hyperparameter, in or out of the space). Lists and ranges left open are an error.
    package func singleTrial(overrides: [(name: String, value: JSONValue)]) throws -> Hyperparameters {
        var hyperparameters = Hyperparameters()
        for dimension in space {
            if case .fixed(let value) = dimension.entry { dimension.parameter.set(value, in: &hyperparameters) }
        }
        for override in overrides {
            guard Hyperparameter.named(override.name) != nil else {
                throw NNSearchError.usage("--set \(abbreviated(override.name)): unknown hyperparameter \(JSONValue.echo(override.name))"
                    + Hyperparameter.suggestion(for: override.name) + "; known: " + Hyperparameter.names.joined(separator: ", "))
            }
            try hyperparameters.set(override.name, override.value, path: "--set \(override.name)")
        }
        let overridden = Set(overrides.map(\.name))
        let open = space.filter { dimension in
            if case .fixed = dimension.entry { return false }
            return !overridden.contains(dimension.name)
        }
        guard open.isEmpty else {
            throw NNSearchError.usage(open.map { dimension in
                let what = dimension.entry.isRange ? "a range" : "a list of choices"
                let written = source["space"]?[dimension.name]?.jsonText ?? dimension.entry.jsonText
                return "space.\(dimension.name) is \(what) \(written);"
                    + " choose one value with --set \(dimension.name)=VALUE"
            }.joined(separator: "\n"))
        }
        return hyperparameters
    }
}

// MARK: - Reader

/// Validates one spec; its errors start with the JSON path, and `SearchSpec.parse` adds the file.
private struct SpecReader {
    let file: String
    let baseDirectory: String

    static let topKeys = [
        "version", "name", "data", "validation", "task", "metric", "strategy",
        "trials", "seed", "workers", "max_seconds", "max_memory", "space", "pruning", "startup", "lag", "multivariate",
        "keep_models",
    ]
    static let csvKeys = ["csv", "target", "features", "ignore", "missing"]
    static let pruningKeys = ["kind", "eta", "min_epochs"]
    static let validationKeys = ["folds", "repeats"]
    static let rangeKinds = ["uniform", "log_uniform", "int_uniform"]

    func read(_ json: JSONValue) throws -> SearchSpec {
        guard case .object(let members) = json else {
            throw NNSearchError.usage("expected the spec to be an object {...}, found \(describe(json))")
        }
        // A search folder's spec.json records what was done with the data (`PreparationRecord`): not an input.
        try checkKeys(members.filter { $0.key != PreparationRecord.key }, known: SpecReader.topKeys, path: nil)
        try readVersion(json["version"])
        let name = try json["name"].map { try nonEmptyString($0, path: "name") } ?? defaultName
        let data = try readData(json["data"])
        let validation = try json["validation"].map(readValidation) ?? Validation.defaultValue
        let task: TaskKind? = try json["task"].map { try named($0, path: "task") }
        let metric: Metric? = try json["metric"].map { try named($0, path: "metric") }
        if let task, let metric, !metric.applies(to: task) {
            let allowed = Metric.allCases.filter { $0.applies(to: task) }.map { "\"\($0.rawValue)\"" }
            throw failure("metric", "\"\(metric.rawValue)\" does not apply to task \"\(task.rawValue)\";"
                + " expected " + allowed.joined(separator: " or "))
        }
        if case .generator(let generator, _, _) = data {
            try checkGeneratorTask(generator, task: task, metric: metric)
        }
        let explicitStrategy: Strategy? = try json["strategy"].map { try named($0, path: "strategy") }
        let trials = try json["trials"].map { try integer($0, path: "trials", in: 1...1_000_000_000, allowed: "a positive integer") }
        let seed = try json["seed"].map { try unsigned($0, path: "seed") } ?? 0
        let workers = try json["workers"].map { try integer($0, path: "workers", in: 1...256) }
        let maxSeconds = try json["max_seconds"].map {
            try real($0, path: "max_seconds", allowed: "a number of seconds > 0") { $0 > 0 }
        }
        let maxMemory = try json["max_memory"].map { try memorySize($0, path: "max_memory") }
        let space = try readSpace(json["space"])
        let strategy = try checkStrategy(explicitStrategy, space: space, trials: trials)
        let pruning = try json["pruning"].map { try readPruning($0, space: space) }
        let tpe = try readTPE(json, strategy: strategy, trials: trials)
        if tpe != nil, pruning != nil {
            throw failure("pruning", "cannot be combined with \"strategy\": \"tpe\" yet: a rung decides only when every"
                + " trial of the search reached it, while a TPE trial waits for the results of earlier ones;"
                + " use \"strategy\": \"random\" with pruning, or TPE without it")
        }
        if let cv = validation.crossValidation, pruning != nil {
            throw failure("pruning", "cannot be combined with cross-validation (\"validation\": \(cv.jsonText)):"
                + " rungs rank trials by their figures after a few epochs on one split, while a cross-validated trial"
                + " trains its folds one after another and has a figure only once every fold is done;"
                + " remove \"pruning\", or validate on a fraction such as \"validation\": 0.2")
        }
        let keepModels = try json["keep_models"].map {
            try integer($0, path: "keep_models", in: 0...1000, allowed: "a number of models from 0 to 1000 (0 keeps none)")
        }
        if let cv = validation.crossValidation, let keep = keepModels, keep > 0 {
            throw failure("keep_models", "cannot keep models with cross-validation (\"validation\": \(cv.jsonText)):"
                + " a cross-validated trial trains one model per fold, and none of them is the trial's model;"
                + " remove \"keep_models\" and train the chosen trial's model on every row with"
                + " nnsearch export DIR --refit --out MODEL.json")
        }
        try checkDataExists(data)
        let spec = SearchSpec(
            version: 1, name: name, data: data, validation: validation, task: task, metric: metric,
            strategy: strategy, trials: trials, seed: seed, workers: workers, maxSeconds: maxSeconds,
            space: space, source: json, pruning: pruning, tpe: tpe, keepModels: keepModels, maxMemory: maxMemory, file: file)
        if pruning != nil, TrialPlan(spec: spec).count > SearchSpec.maxPrunedTrials {
            throw failure("trials", "\(groupedThousands(TrialPlan(spec: spec).count)) trials cannot be pruned: a rung is decided"
                + " only once every trial reached it; prune at most \(groupedThousands(SearchSpec.maxPrunedTrials)) trials")
        }
        return spec
    }

    /// The file's base name without `.json`.
    var defaultName: String {
        let base = URL(fileURLWithPath: file).lastPathComponent
        return base.hasSuffix(".json") && base.count > 5 ? String(base.dropLast(5)) : base
    }

    func readVersion(_ value: JSONValue?) throws {
        guard let value else { throw failure("version", "missing; add \"version\": 1") }
        guard case .number(let number, let text) = value else {
            throw failure("version", "expected the number 1, found \(describe(value))")
        }
        guard number == 1 else {
            throw failure("version", "\(abbreviated(text)) is not supported; this nnsearch reads version 1")
        }
    }

    // MARK: Data

    func readData(_ value: JSONValue?) throws -> DataSource {
        let example = "{\"generator\": \"sum_bin\"} or {\"csv\": \"FILE.csv\", \"target\": \"COLUMN\"}"
        guard let value else { throw failure("data", "missing; add \"data\": \(example)") }
        guard case .object(let members) = value else {
            throw failure("data", "expected an object, \(example), found \(describe(value))")
        }
        if let generator = value["generator"] {
            if value["csv"] != nil { throw failure("data", "give either \"generator\" or \"csv\", not both") }
            try checkKeys(members, known: ["generator", "rows", "seed"], path: "data")
            let name = try nonEmptyString(generator, path: "data.generator")
            guard DataSource.generatorNames.contains(name) else {
                throw failure("data.generator", "\(JSONValue.echo(name)) is not a generator"
                    + didYouMean(name, DataSource.generatorNames) + "; expected one of "
                    + DataSource.generatorNames.map { "\"\($0)\"" }.joined(separator: ", "))
            }
            let rows = try value["rows"].map { try integer($0, path: "data.rows", in: 2...10_000_000) } ?? 2000
            let seed = try value["seed"].map { try unsigned($0, path: "data.seed") } ?? 0
            return .generator(name: name, rows: rows, seed: seed)
        }
        if let csv = value["csv"] {
            try checkKeys(members, known: SpecReader.csvKeys, path: "data")
            let written = try nonEmptyString(csv, path: "data.csv")
            guard let targetValue = value["target"] else {
                throw failure("data.target", "missing; name the column to predict, e.g. \"target\": \"label\"")
            }
            let target = try nonEmptyString(targetValue, path: "data.target")
            let features = try value["features"].map { try stringList($0, path: "data.features", allowEmpty: false) }
            let ignore = try value["ignore"].map { try stringList($0, path: "data.ignore", allowEmpty: true) } ?? []
            // Cells are compared without their surrounding spaces and tabs, so the texts are too.
            var seenMissing = Set<String>()
            let missing = try (value["missing"].map { try stringList($0, path: "data.missing", allowEmpty: true, allowEmptyStrings: true) } ?? [])
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t")) }
                .filter { seenMissing.insert($0).inserted }
            let columns = CSVColumns(target: target, features: features, ignore: ignore, missing: missing)
            let base = URL(fileURLWithPath: baseDirectory, isDirectory: true)
            let path = URL(fileURLWithPath: written, relativeTo: base).standardizedFileURL.path
            return .csv(path: path, written: written, columns: columns)
        }
        try checkKeys(members, known: ["generator", "rows", "seed"] + SpecReader.csvKeys, path: "data")
        throw failure("data", "expected \(example)")
    }

    /// The generators all make classification problems.
    func checkGeneratorTask(_ generator: String, task: TaskKind?, metric: Metric?) throws {
        let why = "data.generator \(JSONValue.echo(generator)) makes a classification problem"
        if task == .regression {
            throw failure("task", "\"regression\" does not fit: \(why)")
        }
        if let metric, !metric.applies(to: .classification) {
            throw failure("metric", "\"\(metric.rawValue)\" does not fit: \(why); expected \"val_accuracy\" or \"val_loss\"")
        }
    }

    func checkDataExists(_ data: DataSource) throws {
        guard case .csv(let path, let written, _) = data else { return }
        var info = stat()
        let problem = stat(path, &info) != 0 ? "no such file"
            : CSVSource.notARegularFile(info.st_mode).map { "is \($0), not a CSV file" }
        if let problem {
            throw NNSearchError(.data, "data.csv: \(JSONValue.echo(written)): \(problem) (\(abbreviated(path)))")
        }
    }

    // MARK: Space

    func readSpace(_ value: JSONValue?) throws -> [SpaceDimension] {
        guard let value else { return [] }
        guard case .object(let members) = value else {
            throw failure("space", "expected an object of hyperparameters, e.g. {\"lr\": [0.01, 0.1]},"
                + " found \(describe(value))")
        }
        return try members.map { member in
            let path = "space.\(member.key)"
            guard let parameter = Hyperparameter.named(member.key) else {
                throw failure(path, "unknown hyperparameter \(JSONValue.echo(member.key))" + Hyperparameter.suggestion(for: member.key)
                    + "; known: " + Hyperparameter.names.joined(separator: ", "))
            }
            return SpaceDimension(parameter: parameter, entry: try readEntry(parameter, member.value))
        }
    }

    func readEntry(_ parameter: Hyperparameter, _ value: JSONValue) throws -> SpaceEntry {
        let name = parameter.name, domain = parameter.domain, path = "space.\(name)"
        switch value {
        case .array(let items):
            guard !items.isEmpty else {
                throw failure(path, "the list of choices is empty; give at least one value, or a single value without []")
            }
            var seen: [String: Int] = [:]
            var values = [HyperparameterValue]()
            for (i, item) in items.enumerated() {
                let value = try domain.value(item, name: name, path: "\(path)[\(i)]")
                if let first = seen[value.csvText] {
                    throw failure("\(path)[\(i)]", "\(item.echoed) repeats \(path)[\(first)]; list each choice once")
                }
                seen[value.csvText] = i
                values.append(value)
            }
            return .choices(values)
        case .object(let members) where isRange(members, domain: domain):
            return try readRange(name, domain: domain, members: members, path: path)
        default:
            return .fixed(try domain.value(value, name: name, path: path))
        }
    }

    /// Whether an object is meant as a range: any object, except a schedule object like {"step": 10, "gamma": 0.5}.
    func isRange(_ members: [JSONMember], domain: HyperparameterDomain) -> Bool {
        if case .schedule = domain { return members.contains { SpecReader.rangeKinds.contains($0.key) } }
        return true
    }

    func readRange(_ name: String, domain: HyperparameterDomain, members: [JSONMember], path: String) throws -> SpaceEntry {
        let forms = "{\"uniform\": [LOW, HIGH]}, {\"log_uniform\": [LOW, HIGH]} or {\"int_uniform\": [LOW, HIGH]}"
        guard members.count == 1, let member = members.first else {
            throw failure(path, "a range has exactly one key, \(forms); found keys "
                + members.map { JSONValue.echo($0.key) }.joined(separator: ", "))
        }
        let kind = member.key, rangePath = "\(path).\(kind)"
        guard SpecReader.rangeKinds.contains(kind) else {
            throw failure(rangePath, "unknown key" + didYouMean(kind, SpecReader.rangeKinds)
                + "; known keys: " + SpecReader.rangeKinds.joined(separator: ", ") + " (a range is \(forms))")
        }
        switch (kind, domain) {
        case ("uniform", .real), ("log_uniform", .real), ("int_uniform", .integer): break
        default: throw failure(rangePath, "\(name) \(rangeAdvice(domain)), not \"\(kind)\"")
        }
        guard case .array(let bounds) = member.value, bounds.count == 2 else {
            throw failure(rangePath, "expected a list of two numbers [LOW, HIGH], found \(describe(member.value))")
        }
        for (i, bound) in bounds.enumerated() {
            _ = try domain.value(bound, name: name, path: "\(rangePath)[\(i)]")
        }
        guard case .number(let low, let lowText) = bounds[0], case .number(let high, let highText) = bounds[1] else {
            throw failure(rangePath, "expected a list of two numbers [LOW, HIGH]")
        }
        if kind == "int_uniform" {
            guard low <= high else {
                throw failure(rangePath, "LOW \(lowText) is greater than HIGH \(highText)")
            }
            return .intUniform(Int(low), Int(high))
        }
        if kind == "log_uniform", low <= 0 {
            throw failure("\(rangePath)[0]", "\(lowText) is not allowed; log_uniform needs LOW > 0")
        }
        guard low < high else {
            throw failure(rangePath, "LOW \(lowText) must be less than HIGH \(highText) (for one value, write it without a range)")
        }
        return kind == "uniform" ? .uniform(low, high) : .logUniform(low, high)
    }

    /// Which ranges a domain accepts, for messages.
    func rangeAdvice(_ domain: HyperparameterDomain) -> String {
        switch domain {
        case .real: "takes real numbers: use {\"uniform\": [LOW, HIGH]}, {\"log_uniform\": [LOW, HIGH]} or a list"
        case .integer: "takes integers: use {\"int_uniform\": [LOW, HIGH]} or a list"
        case .names, .boolean, .schedule: "takes no ranges: use a list of choices"
        }
    }

    // MARK: Strategy

    /// The strategy in force (random when any entry is a range, unless given), checked against the space.
    func checkStrategy(_ explicit: Strategy?, space: [SpaceDimension], trials: Int?) throws -> Strategy {
        let firstRange = space.first { $0.entry.isRange }
        switch explicit ?? (firstRange == nil ? .grid : .random) {
        case .random:
            guard trials != nil else {
                let why = explicit == nil ? " (used because space.\(firstRange?.name ?? "") is a range)" : ""
                throw failure("trials", "missing; random search\(why) needs a number of trials, e.g. \"trials\": 50")
            }
            return .random
        case .tpe:
            guard trials != nil else {
                throw failure("trials", "missing; TPE search needs a number of trials, e.g. \"trials\": 50")
            }
            return .tpe
        case .grid:
            if let range = firstRange {
                throw failure("space.\(range.name)", "a range \(range.entry.jsonText) cannot be searched by grid;"
                    + " use a list of values, or \"strategy\": \"random\"")
            }
            let factors = space.map(\.entry.gridValues.count)
            var size = 1, overflow = false
            for factor in factors where !overflow {
                (size, overflow) = size.multipliedReportingOverflow(by: factor)
            }
            if trials == nil, overflow || size > SearchSpec.maxGridSize {
                let count = overflow ? "more than \(Int.max)" : String(size)
                throw failure("space", "the grid has \(count) combinations ("
                    + factors.map(String.init).joined(separator: " × ") + "), more than \(SearchSpec.maxGridSize);"
                    + " set \"trials\" to run only the first N, or use \"strategy\": \"random\"")
            }
            return .grid
        }
    }

    // MARK: TPE

    /// `startup`, `lag` and `multivariate` for the TPE strategy; refused with another strategy.
    func readTPE(_ json: JSONValue, strategy: Strategy, trials: Int?) throws -> TPESettings? {
        guard strategy == .tpe else {
            for key in ["startup", "lag", "multivariate"] where json[key] != nil {
                throw failure(key, "applies only to \"strategy\": \"tpe\", not \"\(strategy.rawValue)\"")
            }
            return nil
        }
        let startup = try json["startup"].map {
            try integer($0, path: "startup", in: 0...1_000_000_000, allowed: "a number of random trials >= 0")
        } ?? TPESettings.defaultStartup
        let lag = try json["lag"].map {
            try integer($0, path: "lag", in: 0...1_000_000_000, allowed: "a number of trials >= 0")
        } ?? TPESettings.defaultLag
        var settings = TPESettings(startup: startup, lag: lag)
        if let value = json["multivariate"] {
            guard case .bool(let multivariate) = value else {
                throw failure("multivariate", "expected true or false, found \(describe(value))")
            }
            settings.multivariate = multivariate
        }
        return settings
    }

    // MARK: Validation

    /// A fraction in (0, 0.9], or `{"folds": K, "repeats": R}` with K 2…20 and R 1…10 (default 1).
    func readValidation(_ value: JSONValue) throws -> Validation {
        let folds = CrossValidation.foldRange, repeats = CrossValidation.repeatRange
        switch value {
        case .number:
            return .holdout(try real(value, path: "validation", allowed: "a number > 0 and <= 0.9") { $0 > 0 && $0 <= 0.9 })
        case .object(let members):
            try checkKeys(members, known: SpecReader.validationKeys, path: "validation")
            guard let k = value["folds"] else {
                throw failure("validation.folds", "missing; cross-validation needs a number of folds, e.g. {\"folds\": 5}")
            }
            let cv = CrossValidation(
                folds: try integer(k, path: "validation.folds", in: folds,
                                   allowed: "an integer from \(folds.lowerBound) to \(folds.upperBound)"),
                repeats: try value["repeats"].map {
                    try integer($0, path: "validation.repeats", in: repeats,
                                allowed: "an integer from \(repeats.lowerBound) to \(repeats.upperBound)")
                } ?? 1)
            return .folds(cv)
        default:
            throw failure("validation", "expected a fraction of the rows (a number > 0 and <= 0.9) or cross-validation"
                + " {\"folds\": K, \"repeats\": R}, found \(describe(value))")
        }
    }

    // MARK: Pruning

    /// `{"kind": "halving" | "hyperband", "eta": N, "min_epochs": N}`: eta an integer >= 2 (default 3),
    /// min_epochs an integer >= 1 (default 1) below every trial's epochs.
    func readPruning(_ value: JSONValue, space: [SpaceDimension]) throws -> Pruning {
        let example = #"{"kind": "halving", "eta": 3, "min_epochs": 3}"#
        guard case .object(let members) = value else {
            throw failure("pruning", "expected an object, \(example), found \(describe(value))")
        }
        try checkKeys(members, known: SpecReader.pruningKeys, path: "pruning")
        guard let kindValue = value["kind"] else {
            throw failure("pruning.kind", "missing; expected one of "
                + Pruning.Kind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + ", e.g. \(example)")
        }
        let kind: Pruning.Kind = try named(kindValue, path: "pruning.kind")
        let eta = try value["eta"].map {
            try integer($0, path: "pruning.eta", in: 2...1_000, allowed: "an integer from 2 to 1000")
        } ?? Pruning.defaultEta
        let epochs = SearchSpec.epochsBounds(space)
        let below = space.contains { $0.name == "epochs" }
            ? (epochs.min == epochs.max ? "space.epochs \(epochs.min)" : "the fewest epochs of space.epochs, \(epochs.min)")
            : "the default epochs, \(epochs.min)"
        guard epochs.min > 1 else {
            throw failure("pruning", "trials of 1 epoch cannot be pruned: min_epochs must be below \(below)")
        }
        let minEpochs = try value["min_epochs"].map {
            try integer($0, path: "pruning.min_epochs", in: 1...(epochs.min - 1),
                        allowed: "an integer from 1 to \(epochs.min - 1) (below \(below))")
        } ?? Pruning.defaultMinEpochs
        return Pruning(kind: kind, eta: eta, minEpochs: minEpochs)
    }

    // MARK: Values

    /// A usage error at `path` (abbreviated: a path holds the keys as written, however long).
    func failure(_ path: String, _ message: String) -> NNSearchError {
        .usage("\(abbreviated(path, limit: 100)): \(message)")
    }

    /// "a string \"abc\"", "a number 3", "a list of one value", "an empty list", for "found ..." in messages.
    func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .array(let items):
            switch items.count {
            case 0: return "an empty list"
            case 1: return "a list of one value"
            default: return "a list of \(groupedThousands(items.count)) values"
            }
        case .object: return value.typeName
        default: return value.typeName + " " + abbreviated(value.jsonText, limit: 40)
        }
    }

    func checkKeys(_ members: [JSONMember], known: [String], path: String?) throws {
        for member in members where !known.contains(member.key) {
            var hint = didYouMean(member.key, known)
            if path == nil, Hyperparameter.named(member.key) != nil {
                hint = " (hyperparameters go inside \"space\")"
            } else if path == nil, hint.isEmpty, !Hyperparameter.suggestion(for: member.key).isEmpty {
                hint = Hyperparameter.suggestion(for: member.key) + "; hyperparameters go inside \"space\""
            }
            throw failure(path.map { "\($0).\(member.key)" } ?? member.key,
                          "unknown key" + hint + "; known keys: " + known.joined(separator: ", "))
        }
    }

    /// A list of distinct strings (column names, or cell texts with `allowEmptyStrings`).
    func stringList(_ value: JSONValue, path: String, allowEmpty: Bool, allowEmptyStrings: Bool = false) throws -> [String] {
        guard case .array(let items) = value else {
            throw failure(path, "expected a list of strings, e.g. [\"a\", \"b\"], found \(describe(value))")
        }
        if items.isEmpty && !allowEmpty { throw failure(path, "must name at least one column") }
        var seen = Set<String>()
        return try items.enumerated().map { i, item in
            let text: String
            if allowEmptyStrings, case .string(let s) = item { text = s } else { text = try nonEmptyString(item, path: "\(path)[\(i)]") }
            guard seen.insert(text).inserted else { throw failure("\(path)[\(i)]", "\(JSONValue.echo(text)) is listed twice") }
            return text
        }
    }

    func nonEmptyString(_ value: JSONValue, path: String) throws -> String {
        guard case .string(let text) = value else {
            throw failure(path, "expected a string, found \(describe(value))")
        }
        guard !text.isEmpty else { throw failure(path, "must not be empty") }
        return text
    }

    /// A string naming a case of `E`, with a suggestion when it is close to one.
    func named<E: RawRepresentable & CaseIterable>(_ value: JSONValue, path: String) throws -> E where E.RawValue == String {
        let names = E.allCases.map(\.rawValue)
        let allowed = "one of " + names.map { "\"\($0)\"" }.joined(separator: ", ")
        guard case .string(let text) = value else {
            throw failure(path, "expected \(allowed), found \(describe(value))")
        }
        guard let result = E(rawValue: text) else {
            throw failure(path, "\(JSONValue.echo(text)) is not allowed" + didYouMean(text, names) + "; expected \(allowed)")
        }
        return result
    }

    func integer(_ value: JSONValue, path: String, in range: ClosedRange<Int>, allowed: String? = nil) throws -> Int {
        let allowed = allowed ?? "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard case .number(let number, let text) = value else {
            throw failure(path, "expected \(allowed), found \(describe(value))")
        }
        guard number.rounded() == number, number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            throw failure(path, "\(abbreviated(text)) is not allowed; expected \(allowed)")
        }
        return Int(number)
    }

    /// A seed: a non-negative integer, read from the number's text so all 64 bits are exact.
    func unsigned(_ value: JSONValue, path: String) throws -> UInt64 {
        let allowed = "a non-negative integer"
        guard case .number(let number, let text) = value else {
            throw failure(path, "expected \(allowed), found \(describe(value))")
        }
        if let exact = UInt64(text) { return exact }
        guard number.rounded() == number, number >= 0, number < 0x1p64 else {
            throw failure(path, "\(abbreviated(text)) is not allowed; expected \(allowed) below 2^64")
        }
        return UInt64(number)
    }

    /// A memory size: a whole number of bytes, or a string with a unit, "512MB", "2GB", "1.5GiB"
    /// (kB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB of 1024; case and spaces are ignored).
    func memorySize(_ value: JSONValue, path: String) throws -> Int {
        let allowed = "a size in bytes, or a string like \"512MB\", \"2GB\" or \"1.5GiB\", of at least 1MB"
        let bytes: Double
        switch value {
        case .number(let number, let text):
            guard number.rounded() == number else {
                throw failure(path, "\(abbreviated(text)) is not a whole number of bytes; expected \(allowed)")
            }
            bytes = number
        case .string(let text):
            guard let parsed = parseMemorySize(text) else {
                throw failure(path, "\(JSONValue.echo(text)) is not a size; expected \(allowed)")
            }
            bytes = parsed
        default:
            throw failure(path, "expected \(allowed), found \(describe(value))")
        }
        guard bytes >= 1e6, bytes < 0x1p62 else {
            throw failure(path, "\(value.echoed) is not allowed; expected \(allowed)")
        }
        return Int(bytes)
    }

    func real(_ value: JSONValue, path: String, allowed: String, _ isAllowed: (Double) -> Bool) throws -> Double {
        guard case .number(let number, let text) = value else {
            throw failure(path, "expected \(allowed), found \(describe(value))")
        }
        guard isAllowed(number) else { throw failure(path, "\(abbreviated(text)) is not allowed; expected \(allowed)") }
        return number
    }
}

/// Bytes in "512MB", "2 GB", "1.5GiB", "300kb", "1048576B" or "1048576"; nil when it is not a size.
func parseMemorySize(_ text: String) -> Double? {
    let units: [String: Double] = [
        "": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
        "kib": 1024, "mib": 1024 * 1024, "gib": 1024 * 1024 * 1024, "tib": 1024 * 1024 * 1024 * 1024,
    ]
    let compact = text.lowercased().filter { $0 != " " }
    let number = compact.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
    guard !number.isEmpty, let value = Double(number), value.isFinite,
          let unit = units[String(compact.dropFirst(number.count))] else { return nil }
    return (value * unit).rounded()
}
