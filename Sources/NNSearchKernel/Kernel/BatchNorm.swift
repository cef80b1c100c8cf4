// BatchNorm over the input features (it is only ever the first layer).
// x is (B, ld) with `dim` real columns; gamma, beta, runningMean, runningVar are (dim);
// out and xhat are (B, ld). Statistics are per column over the batch.

/// Momentum of the running statistics (PyTorch's default 0.1).
let batchNormMomentum: Float = 0.1
/// Added to the variance before the square root.
let batchNormEpsilon: Float = 1e-5

/// Training-mode forward: normalizes with the batch's statistics and updates the running ones.
///
/// With one row the batch variance is 0 and every normalized value is 0 (PyTorch refuses
/// this case; here it simply trains the bias terms).
func batchNormForwardTrain(
    out: UnsafeMutablePointer<Float>, xhat: UnsafeMutablePointer<Float>, invStd: UnsafeMutablePointer<Float>,
    x: UnsafePointer<Float>, ld: Int, rows: Int, dim: Int,
    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    runningMean: UnsafeMutablePointer<Float>, runningVar: UnsafeMutablePointer<Float>
) {
    let n = Double(rows)
    for c in 0..<dim {
        var sum = 0.0
        for r in 0..<rows { sum += Double(x[r * ld + c]) }
        let mean = sum / n
        var squares = 0.0
        for r in 0..<rows { let d = Double(x[r * ld + c]) - mean; squares += d * d }
        let variance = squares / n
        let inv = Float(1 / (variance + Double(batchNormEpsilon)).squareRoot())
        invStd[c] = inv
        let m = Float(mean)
        for r in 0..<rows {
            let h = (x[r * ld + c] - m) * inv
            xhat[r * ld + c] = h
            out[r * ld + c] = gamma[c] * h + beta[c]
        }
        let unbiased = rows > 1 ? Float(squares / (n - 1)) : Float(variance)
        runningMean[c] = (1 - batchNormMomentum) * runningMean[c] + batchNormMomentum * m
        runningVar[c] = (1 - batchNormMomentum) * runningVar[c] + batchNormMomentum * unbiased
    }
}

/// Evaluation-mode forward: normalizes with the running statistics.
func batchNormForwardEval(
    out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, ld: Int, rows: Int, dim: Int,
    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>
) {
    for c in 0..<dim {
        let inv = 1 / (runningVar[c] + batchNormEpsilon).squareRoot()
        for r in 0..<rows {
            out[r * ld + c] = gamma[c] * (x[r * ld + c] - runningMean[c]) * inv + beta[c]
        }
    }
}

/// Writes dgamma = Σ dout·xhat and dbeta = Σ dout. (No input gradient: nothing is upstream.)
func batchNormBackward(
    dgamma: UnsafeMutablePointer<Float>, dbeta: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, xhat: UnsafePointer<Float>, ld: Int, rows: Int, dim: Int
) {
    for c in 0..<dim {
        var dg: Float = 0, db: Float = 0
        for r in 0..<rows {
            dg += dout[r * ld + c] * xhat[r * ld + c]
            db += dout[r * ld + c]
        }
        dgamma[c] = dg
        dbeta[c] = db
    }
}
