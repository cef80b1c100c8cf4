/// Runs a network in evaluation mode over any number of rows: the very forward pass a trial's
/// validation uses (`MLP.forward` with `training: false`), so a row's logits are bit-identical to
/// the ones its trial scored, whatever rows come with it (each output is one in-order chain over
/// its inputs, see `matmul`).
package final class MLPPredictor {
    package let model: MLP
    private let workspace: Workspace

    /// Rows run at once (as `TrialRunner` evaluates).
    static let chunk = TrialRunner.evaluationRows

    package init(_ model: MLP) {
        self.model = model
        workspace = Workspace(layout: model.layout, maxRows: Self.chunk, dropout: false)
    }

    /// The logits of `rows` rows of `features` (row-major, dims[0] per row): rows × outputs floats.
    package func logits(_ features: [Float], rows: Int) -> [Float] {
        let inputs = model.layout.dims[0], outputs = model.layout.dims[model.layout.layers]
        precondition(features.count == rows * inputs, "features must hold rows × inputs floats")
        let ldi = padded(inputs), ldo = padded(outputs)
        var result = [Float](repeating: 0, count: rows * outputs)
        var unused = Random(seed: 0)
        var start = 0
        features.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { out in
                while start < rows {
                    let n = min(Self.chunk, rows - start)
                    for r in 0..<n {
                        (workspace.input.pointer + r * ldi).update(from: x.baseAddress! + (start + r) * inputs, count: inputs)
                    }
                    let z = model.forward(workspace, rows: n, training: false, rng: &unused)
                    for r in 0..<n {
                        (out.baseAddress! + (start + r) * outputs).update(from: z + r * ldo, count: outputs)
                    }
                    start += n
                }
            }
        }
        return result
    }
}
