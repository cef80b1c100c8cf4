/// The activation and gradient buffers of one network for up to `maxRows` rows.
///
/// One worker owns one workspace per trial; nothing in it is shared.
final class Workspace {
    let maxRows: Int
    /// The batch's inputs, (maxRows, padded(dims[0])); pad columns stay zero.
    let input: FloatBuffer
    /// Batch norm output and normalized inputs, (maxRows, padded(dims[0])), and 1/std per column.
    let normalized: FloatBuffer
    let xhat: FloatBuffer
    let invStd: FloatBuffer
    /// Per layer: its output (activation, or logits for the last), (maxRows, padded(dims[l+1])).
    let outputs: [FloatBuffer]
    /// Per hidden layer with dropout: the dropped-out output and the mask.
    let dropped: [FloatBuffer]
    let masks: [FloatBuffer]
    /// Two gradient buffers used in turn while walking the layers backwards.
    let gradA: FloatBuffer
    let gradB: FloatBuffer
    /// Scratch for a transposed weight, big enough for any layer's input gradient.
    let weightT: FloatBuffer
    /// The batch's class labels and regression targets.
    let labels: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Float>
    /// Scratch row numbers (evaluation gathers contiguous rows through it, allocating nothing).
    let rowIndices: UnsafeMutablePointer<Int>

    init(layout: MLPLayout, maxRows: Int, dropout: Bool) {
        self.maxRows = maxRows
        let d = layout.dims
        let inPad = padded(d[0])
        input = FloatBuffer(count: maxRows * inPad)
        normalized = FloatBuffer(count: layout.batchNorm ? maxRows * inPad : 0)
        xhat = FloatBuffer(count: layout.batchNorm ? maxRows * inPad : 0)
        invStd = FloatBuffer(count: inPad)
        outputs = (0..<layout.layers).map { FloatBuffer(count: maxRows * padded(d[$0 + 1])) }
        let hidden = dropout ? layout.layers - 1 : 0
        dropped = (0..<hidden).map { FloatBuffer(count: maxRows * padded(d[$0 + 1])) }
        masks = (0..<hidden).map { FloatBuffer(count: maxRows * padded(d[$0 + 1])) }
        let widest = d.map(padded).max()!
        gradA = FloatBuffer(count: maxRows * widest)
        gradB = FloatBuffer(count: maxRows * widest)
        weightT = FloatBuffer(count: Workspace.transposeFloats(layout))
        labels = .allocate(capacity: maxRows)
        labels.initialize(repeating: 0, count: maxRows)
        values = .allocate(capacity: maxRows)
        values.initialize(repeating: 0, count: maxRows)
        rowIndices = .allocate(capacity: maxRows)
        rowIndices.initialize(repeating: 0, count: maxRows)
    }

    /// The bytes `init(layout:maxRows:dropout:)` allocates: what `TrialMemory` counts.
    static func bytes(layout: MLPLayout, maxRows: Int, dropout: Bool) -> Int {
        let d = layout.dims
        let inPad = padded(d[0])
        var floats = maxRows * inPad * (layout.batchNorm ? 3 : 1) + inPad
        let outputs = (0..<layout.layers).reduce(0) { $0 + maxRows * padded(d[$1 + 1]) }
        let hidden = dropout ? (0..<(layout.layers - 1)).reduce(0) { $0 + maxRows * padded(d[$1 + 1]) } : 0
        floats += outputs + 2 * hidden
        floats += 2 * maxRows * d.map(padded).max()!
        floats += transposeFloats(layout)
        return 4 * floats + maxRows * (MemoryLayout<Int32>.stride + MemoryLayout<Float>.stride + MemoryLayout<Int>.stride)
    }

    /// The floats of the largest transposed weight an input gradient may need (outDim × padded(inDim)).
    static func transposeFloats(_ layout: MLPLayout) -> Int {
        let d = layout.dims
        let first = layout.batchNorm ? 0 : 1  // the first layer's input gradient feeds batch norm only
        return (first..<layout.layers).map { d[$0 + 1] * padded(d[$0]) }.max() ?? 0
    }

    /// The floats its buffers hold, for the test that `bytes` counts what `init` allocates.
    var floatCount: Int {
        ([input, normalized, xhat, invStd, gradA, gradB, weightT] + outputs + dropped + masks).reduce(0) { $0 + $1.count }
    }

    deinit {
        labels.deallocate()
        values.deallocate()
        rowIndices.deallocate()
    }
}
