import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// The model file: round trips bit for bit, predicts what its trial computed, and refuses bad files clearly.
final class SavedModelTests: XCTestCase {
    private func decode(_ text: String) throws -> SavedModel {
        try SavedModel.decode(Data(text.utf8), file: "m.json")
    }

    private func assertRefused(_ text: String, kind: NNSearchError.Kind = .data, _ fragments: String...,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try decode(text), file: file, line: line) { error in
            guard let e = error as? NNSearchError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.kind, kind, e.message, file: file, line: line)
            XCTAssertTrue(e.message.contains("m.json"), "names the file: \(e.message)", file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(e.message.contains(fragment), "\(e.message) should say \(fragment)", file: file, line: line)
            }
        }
    }

    // MARK: - Round trip and exactness

    func testTheWeightsLoadBackIntoTheKernelBitForBit() throws {
        let t = try ModelSamples.trained { $0.normalize = .batchnorm; $0.dropout = 0.2; $0.activation = .tanh }
        let weights = t.runner.model.weights
        XCTAssertNotNil(weights.batchNorm)
        XCTAssertEqual(MLP(weights: weights).weights, weights)
        XCTAssertEqual(weights.dims, [2, 12, 12, 3])
    }

    func testJSONRoundTripIsExactAndStable() throws {
        for normalize in Normalization.allCases {
            let t = try ModelSamples.trained { $0.normalize = normalize; $0.dropout = 0.1; $0.activation = .selu; $0.schedule = .step(every: 2, gamma: 0.5) }
            let text = try t.model.jsonText()
            let back = try decode(text)
            XCTAssertEqual(back, t.model, "\(normalize)")
            XCTAssertEqual(try back.jsonText(), text, "writing what was read gives the same bytes")
            XCTAssertEqual(back.standardization != nil, normalize == .standardize)
            XCTAssertEqual(back.network.batchNorm != nil, normalize == .batchnorm)
        }
    }

    func testPredictionsReproduceTheTrialsValidationAccuracyExactly() throws {
        for (generator, normalize) in [(DataGenerator.sumMod, Normalization.standardize), (.sumMod, .batchnorm), (.heartRate, .standardize), (.heartRate, .none)] {
            let t = try ModelSamples.trained(generator) { $0.normalize = normalize; $0.dropout = 0.1 }
            let model = try decode(try t.model.jsonText())
            let rows = t.validation.rowCount
            let p = model.predict(t.validation.features, rows: rows)
            let truth = ModelSamples.labels(t.validation)
            let correct = zip(p.classes, truth).filter { $0 == $1 }.count
            XCTAssertEqual(Double(correct) / Double(rows), t.runner.records.last!.valMetric, "\(generator) \(normalize): the same accuracy, exactly")
            // Probabilities sum to 1 within float rounding and agree with the label.
            let k = model.target == .classes(column: "class", labels: ["0", "1"]) ? 2 : 3
            for r in 0..<rows {
                let row = Array(p.probabilities[(r * k)..<((r + 1) * k)])
                XCTAssertEqual(row.reduce(0, +), 1, accuracy: Float(k) * 0x1p-23)
                XCTAssertEqual(row[p.classes[r]], row.max()!)
            }
        }
    }

    func testTheCSVOfPredictions() throws {
        let t = try ModelSamples.trained(.heartRate)
        var model = t.model
        model.target = .classes(column: "class", labels: ["no, not", "yes"])
        let p = Predictions(rows: 2, classes: [1, 0], probabilities: [0.25, 0.75, 1, 0], values: [])
        XCTAssertEqual(model.predictionCSV(p), "row,label,\"p_no, not\",p_yes\n1,yes,0.25,0.75\n2,\"no, not\",1,0\n")
        model.target = .value(column: "y", scale: nil)
        XCTAssertEqual(model.predictionCSV(Predictions(rows: 2, classes: [], probabilities: [], values: [1.5, -0.1])),
                       "row,prediction\n1,1.5\n2,-0.1\n")
    }

    func testATargetScaleMapsOutputsToTheTargetsUnits() throws {
        let t = try ModelSamples.trained(.heartRate)
        var model = t.model
        model.target = .value(column: "y", scale: .init(mean: 100, std: 2))
        model.network.dims[model.network.dims.count - 1] = 1
        let l = model.network.weights.count - 1
        model.network.weights[l] = [Float](repeating: 0, count: model.network.dims[l])
        model.network.biases[l] = [0.5]
        XCTAssertNil(model.inconsistency)
        let back = try decode(try model.jsonText())
        XCTAssertEqual(back.target, model.target)
        XCTAssertEqual(back.predict([90, 95], rows: 2).values, [101, 101], "0.5 × 2 + 100")
    }

    // MARK: - Format version 2: categories and missing values

    func testVersion2RoundTripsCategoriesFillsAndMissingTexts() throws {
        let table = try ModelSamples.table(ModelSamples.messyCSV())
        let t = try ModelSamples.trained(table, missingTexts: ["?"]) { $0.normalize = .standardize }
        let model = t.model
        XCTAssertEqual(model.columns.map(\.name), ["age", "fare", "sex", "port", "deck"])
        guard case .number(_, let fill, true) = model.columns[0], case .number(_, _, false) = model.columns[1],
              case .category(_, ["F", "M"], false) = model.columns[2], case .category(_, ["C", "Q", "S"], true) = model.columns[3],
              case .category(_, ["7", "A", "B", "C"], true) = model.columns[4] else {
            return XCTFail("the encoding learned from the training rows: \(model.columns)")
        }
        XCTAssertEqual(model.columns, t.encoding.columns)
        XCTAssertEqual(model.network.dims[0], 2 + 1 + 2 + 4 + 5)
        XCTAssertEqual(model.standardization?.mean.count, 14)
        let text = try model.jsonText()
        XCTAssertTrue(text.contains("{\"name\": \"age\", \"type\": \"numeric\", \"fill\": \(formatNumber(fill)), \"indicator\": true}"), text)
        XCTAssertTrue(text.contains("{\"name\": \"port\", \"type\": \"categorical\", \"categories\": [\"C\", \"Q\", \"S\"], \"missing\": true}"), text)
        XCTAssertTrue(text.contains("\"missing\": [\"?\"],"), text)
        XCTAssertTrue(text.contains("\"version\": 2,"), text)
        let back = try decode(text)
        XCTAssertEqual(back, model)
        XCTAssertEqual(try back.jsonText(), text, "writing what was read gives the same bytes")
        // What was read predicts the validation rows as the trial scored them.
        let p = back.predict(t.validation.features, rows: t.validation.rowCount)
        let correct = zip(p.classes, ModelSamples.labels(t.validation)).filter { $0 == $1 }.count
        XCTAssertEqual(Double(correct) / Double(t.validation.rowCount), t.runner.records.last!.valMetric)
    }

    /// A file as the version 1 writer wrote it (numeric columns, no fill, no `inputs.missing`).
    static let version1 = """
        {
          "format": "nnsearch-model",
          "version": 1,
          "search": "old",
          "trial": 2,
          "task": "classification",
          "metric": {"name": "val_accuracy", "value": 0.75},
          "figures": {"train_loss": 0.5, "val_loss": 0.625, "train_accuracy": 0.8, "val_accuracy": 0.75},
          "training": {"rows": 80, "epochs": 3, "seed": 7, "refit": false},
          "hyperparameters": {"depth": 1, "width": 2, "normalize": "standardize"},
          "inputs": {
            "columns": [
              {"name": "a", "type": "numeric"},
              {"name": "b", "type": "numeric"}
            ],
            "standardize": {
              "mean": [1, 2],
              "std": [2, 4]
            }
          },
          "target": {"column": "kind", "type": "classes", "classes": ["x", "y", "z"]},
          "network": {
            "output": "softmax",
            "layers": [
              {"type": "linear", "inputs": 2, "outputs": 2,
               "weight": [
                 [1, 0],
                 [0, 1]
               ],
               "bias": [0, 0]},
              {"type": "relu"},
              {"type": "linear", "inputs": 2, "outputs": 3,
               "weight": [
                 [1, 0, -1],
                 [0, -1, 1]
               ],
               "bias": [0, 0.5, 0]}
            ]
          }
        }

        """

    func testVersion1FilesAreStillReadAndRefuseMissingCells() throws {
        let model = try decode(Self.version1)
        XCTAssertEqual(model.columns.map(\.name), ["a", "b"])
        for column in model.columns {
            guard case .number(_, let fill, false) = column else { return XCTFail("\(column)") }
            XCTAssertTrue(fill.isNaN, "a version 1 column has no fill")
        }
        XCTAssertEqual(model.missingTexts, [])
        XCTAssertEqual(model.standardization, Standardization(mean: [1, 2], std: [2, 4]))
        // (3, 2) → (1, 0) → relu → logits (1, 0.5, −1): x; (1, 6) → (0, 1) → (0, −0.5, 1): z.
        XCTAssertEqual(model.predict([3, 2, 1, 6], rows: 2).classes, [0, 2])
        let input = try ModelInput.read(bytes: Array("b,a\n2,3\n6,1\n".utf8), path: "in.csv", model: model)
        XCTAssertEqual(input.features, [3, 2, 1, 6])
        XCTAssertThrowsError(try ModelInput.read(bytes: Array("a,b\n3,2\nNA,1\n".utf8), path: "in.csv", model: model)) { error in
            let e = error as? NNSearchError
            XCTAssertEqual(e?.kind, .data)
            XCTAssertTrue(e?.message.contains("in.csv:3:1: column \"a\" is missing (\"NA\"), and the model has no value to fill it with") == true, "\(error)")
        }
        // Written again, it is a version 2 file whose columns have no fill, and reads back the same.
        let text = try model.jsonText()
        XCTAssertTrue(text.contains("{\"name\": \"a\", \"type\": \"numeric\", \"fill\": null, \"indicator\": false}"), text)
        XCTAssertEqual(try decode(text).jsonText(), text)
        // Version 1 knows numeric columns only, and no fill.
        assertRefused(Self.version1.replacingOccurrences(of: "{\"name\": \"b\", \"type\": \"numeric\"}",
                                                         with: "{\"name\": \"b\", \"type\": \"categorical\", \"categories\": [\"p\", \"q\"], \"missing\": false}"),
                      "inputs.columns[1].type", "\"categorical\" is a column type this nnsearch does not know in a version 1 file")
        assertRefused(Self.version1.replacingOccurrences(of: "{\"name\": \"b\", \"type\": \"numeric\"}",
                                                         with: "{\"name\": \"b\", \"type\": \"numeric\", \"fill\": 0}"),
                      "inputs.columns[1].fill", "a key this nnsearch does not know")
    }

    func testVersion2InputsThatDoNotFitAreRefused() throws {
        let t = try ModelSamples.trained(try ModelSamples.table(ModelSamples.messyCSV()), missingTexts: ["?"]) { $0.normalize = .standardize }
        let text = try t.model.jsonText()
        let port = "\"categories\": [\"C\", \"Q\", \"S\"]"
        XCTAssertTrue(text.contains(port))
        assertRefused(text.replacingOccurrences(of: port, with: "\"categories\": [\"C\", \"Q\"]"),
                      "inputs.standardize.mean", "expected a list of 13 numbers")
        assertRefused(text.replacingOccurrences(of: port, with: "\"categories\": [\"C\", \"Q\", \"Q\"]"),
                      "a category of \"port\" is listed twice")
        assertRefused(text.replacingOccurrences(of: port, with: "\"categories\": [\"C\", \"NA\", \"S\"]"),
                      "the category \"NA\" of \"port\" is a text read as missing")
        assertRefused(text.replacingOccurrences(of: port, with: "\"categories\": [\"C\", \"?\", \"S\"]"),
                      "the category \"?\" of \"port\" is a text read as missing")
        assertRefused(text.replacingOccurrences(of: port, with: "\"categories\": [\"C\", \"Q\", 5]"),
                      "inputs.columns[3].categories[2]", "not a string")
        assertRefused(text.replacingOccurrences(of: "\"missing\": [\"?\"],", with: ""), "inputs.missing", "missing or not a list of strings")
        assertRefused(text.replacingOccurrences(of: ", \"indicator\": true}", with: "}"), "inputs.columns[0].indicator", "missing or not true/false")
        assertRefused(text.replacingOccurrences(of: "\"type\": \"categorical\", \"categories\": [\"F\", \"M\"], \"missing\": false",
                                                with: "\"type\": \"categorical\", \"categories\": [], \"missing\": false"),
                      "the categorical column \"sex\" makes no input")
        assertRefused(text.replacingOccurrences(of: "\"missing\": [\"?\"]", with: "\"missing\": [\"?\"], \"impute\": \"mean\""),
                      "inputs.impute", "a key this nnsearch does not know")
    }

    // MARK: - Refusals

    func testBadFilesAreRefusedWithTheFileAndWhy() throws {
        let text = try ModelSamples.trained { $0.normalize = .standardize }.model.jsonText()
        assertRefused(String(text.prefix(text.count / 2)), "not a model file", "truncated")
        assertRefused("hello", "not a model file")
        assertRefused("[1, 2]", "expected a model file's JSON object")
        assertRefused(#"{"format": "something-else", "version": 1}"#, "not an nnsearch model file")
        assertRefused(text.replacingOccurrences(of: "\"version\": 2,", with: "\"version\": 3,"), "version: 3 is newer than this nnsearch reads (version 2)")
        assertRefused(text.replacingOccurrences(of: "\"version\": 2,", with: "\"version\": 1e300,"), "version: 1e300 is newer")
        assertRefused(text.replacingOccurrences(of: "\"type\": \"numeric\",", with: "\"type\": \"ordinal\","),
                      "inputs.columns[0].type", "\"ordinal\" is a column type this nnsearch does not know in a version 2 file")
        assertRefused(text.replacingOccurrences(of: "\"standardize\": {", with: "\"impute\": [0, 0], \"standardize\": {"),
                      "inputs.impute", "a key this nnsearch does not know")
        // Shapes: a bias one number short, a weight row too long, a layer whose inputs do not follow.
        let bias = try XCTUnwrap(text.range(of: #""bias": \[[^,\]]+, "#, options: .regularExpression))
        assertRefused(text.replacingCharacters(in: bias, with: "\"bias\": ["), "network.layers[0].bias", "expected a list of 12 numbers")
        assertRefused(text.replacingOccurrences(of: "\"inputs\": 12,", with: "\"inputs\": 11,"), "the layer before gives 12")
        assertRefused(text.replacingOccurrences(of: "\"classes\": [\"0\", \"1\", \"2\"]", with: "\"classes\": [\"0\", \"1\"]"),
                      "network.output", "\"softmax\" does not fit the target; expected \"sigmoid\"")
        assertRefused(text.replacingOccurrences(of: "\"output\": \"softmax\"", with: "\"output\": \"sigmoid\""), "network.output")
        assertRefused(text.replacingOccurrences(of: "\"type\": \"relu\"", with: "\"type\": \"gelu\""), "\"gelu\" is a layer type this nnsearch does not know")
        XCTAssertThrowsError(try SavedModel.read(path: "/nonexistent/m.json")) { error in
            XCTAssertEqual((error as? NNSearchError)?.kind, .noInput)
        }
    }

    func testANonFiniteWeightIsNotSaved() throws {
        var model = try ModelSamples.trained().model
        model.network.weights[0][0] = .nan
        XCTAssertThrowsError(try model.jsonText()) { error in
            XCTAssertEqual((error as? NNSearchError)?.kind, .data)
            XCTAssertTrue("\(error)".contains("layer 1 weight holds nan"), "\(error)")
        }
    }
}
