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

    // MARK: - Refusals

    func testBadFilesAreRefusedWithTheFileAndWhy() throws {
        let text = try ModelSamples.trained { $0.normalize = .standardize }.model.jsonText()
        assertRefused(String(text.prefix(text.count / 2)), "not a model file", "truncated")
        assertRefused("hello", "not a model file")
        assertRefused("[1, 2]", "expected a model file's JSON object")
        assertRefused(#"{"format": "something-else", "version": 1}"#, "not an nnsearch model file")
        assertRefused(text.replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 2,"), "version: 2 is newer than this nnsearch reads (version 1)")
        assertRefused(text.replacingOccurrences(of: "\"type\": \"numeric\"}", with: "\"type\": \"categorical\"}"),
                      "inputs.columns[0].type", "\"categorical\" is a column type this nnsearch does not know")
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
