// Forward and backward passes of a whole network over a workspace.
// The batch's inputs are in ws.input (rows, padded(dims[0])); the logits end up in
// ws.outputs[last] (rows, padded(dims[last])).

extension MLP {
    /// Runs the network on the first `rows` rows of `ws.input`; returns the logits.
    ///
    /// Training mode applies dropout and normalizes batch-norm inputs with the batch's own
    /// statistics (updating the running ones); evaluation mode uses the running statistics.
    @discardableResult
    func forward(_ ws: Workspace, rows: Int, training: Bool, rng: inout Random) -> UnsafeMutablePointer<Float> {
        let d = layout.dims
        var inp = UnsafePointer(ws.input.pointer)
        var ldi = padded(d[0])
        if layout.batchNorm {
            if training {
                batchNormForwardTrain(
                    out: ws.normalized.pointer, xhat: ws.xhat.pointer, invStd: ws.invStd.pointer,
                    x: inp, ld: ldi, rows: rows, dim: d[0], gamma: gamma, beta: beta,
                    runningMean: runningMean.pointer, runningVar: runningVar.pointer)
            } else {
                batchNormForwardEval(
                    out: ws.normalized.pointer, x: inp, ld: ldi, rows: rows, dim: d[0], gamma: gamma, beta: beta,
                    runningMean: runningMean.pointer, runningVar: runningVar.pointer)
            }
            inp = UnsafePointer(ws.normalized.pointer)
        }
        for l in 0..<layout.layers {
            let outPad = padded(d[l + 1])
            let out = ws.outputs[l].pointer
            linearForward(out: out, inp: inp, ldi: ldi, weight: weight(l), bias: bias(l),
                          rows: rows, inDim: d[l], outPad: outPad)
            inp = UnsafePointer(out)
            if l < layout.layers - 1 {
                activationForward(activation, out, out, count: rows * outPad)
                if training && dropout > 0 {
                    let h = ws.dropped[l].pointer
                    h.update(from: out, count: rows * outPad)
                    dropoutForward(h, mask: ws.masks[l].pointer, count: rows * outPad, rate: dropout, rng: &rng)
                    inp = UnsafePointer(h)
                }
            }
            ldi = outPad
        }
        return ws.outputs[layout.layers - 1].pointer
    }

    /// Writes `gradients` for the last training-mode `forward`, given d(loss)/d(logits) in `ws.gradA`.
    func backward(_ ws: Workspace, rows: Int) {
        let d = layout.dims
        var dout = ws.gradA.pointer
        var dinp = ws.gradB.pointer
        for l in stride(from: layout.layers - 1, through: 0, by: -1) {
            let inp: UnsafePointer<Float>
            if l > 0 {
                inp = UnsafePointer(dropout > 0 ? ws.dropped[l - 1].pointer : ws.outputs[l - 1].pointer)
            } else {
                inp = UnsafePointer(layout.batchNorm ? ws.normalized.pointer : ws.input.pointer)
            }
            let needInputGrad = l > 0 || layout.batchNorm
            linearBackward(
                dweight: weightGrad(l), dbias: biasGrad(l), dinp: needInputGrad ? dinp : nil,
                weightT: ws.weightT.pointer, dout: dout, inp: inp, ldi: padded(d[l]), weight: weight(l),
                rows: rows, inDim: d[l], outDim: d[l + 1], outPad: padded(d[l + 1]))
            let count = rows * padded(d[l])
            if l > 0 {
                if dropout > 0 { dropoutBackward(dinp, mask: ws.masks[l - 1].pointer, count: count) }
                activationBackward(activation, out: ws.outputs[l - 1].pointer, grad: dinp, count: count)
            } else if layout.batchNorm {
                batchNormBackward(dgamma: gammaGrad, dbeta: betaGrad, dout: dinp, xhat: ws.xhat.pointer,
                                  ld: padded(d[0]), rows: rows, dim: d[0])
            }
            swap(&dout, &dinp)
        }
    }
}
