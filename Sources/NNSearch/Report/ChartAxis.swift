import Foundation

/// One chart axis: its scale, its domain and the ticks it labels, chosen to be read at a glance.
///
/// Linear ticks step by 1, 2 or 5 times a power of ten; logarithmic ticks sit on powers of ten
/// (every second or third one over a wide range) and are labelled `10⁻³`. A domain can be the
/// data's own range (`nice: false`, so the largest value lands on the axis's end) or widened to
/// whole tick steps (`nice: true`). Only finite values, and for a log axis positive ones, count.
struct ChartAxis: Equatable {
    enum Scale: Equatable {
        case linear
        case log
    }

    /// How tick values are written.
    enum Format: Equatable {
        case number
        /// A share in 0...1 written as a percentage.
        case percent
    }

    let scale: Scale
    let lower: Double
    let upper: Double
    let ticks: [Double]
    let format: Format
    /// Digits after the decimal point in linear tick labels (in percent for `.percent`).
    private let decimals: Int
    private let step: Double

    /// An axis over the usable `values`, or nil when there is none.
    init?(fitting values: some Sequence<Double>, scale: Scale, nice: Bool, tickCount: Int = 5,
          includingZero: Bool = false, format: Format = .number) {
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where ChartAxis.accepts(v, scale) {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        guard lo <= hi else { return nil }
        if includingZero && scale == .linear {
            lo = min(lo, 0)
            hi = max(hi, 0)
        }
        self.init(lower: lo, upper: hi, scale: scale, nice: nice, tickCount: max(2, tickCount), format: format)
    }

    private init(lower lo: Double, upper hi: Double, scale: Scale, nice: Bool, tickCount: Int, format: Format) {
        self.scale = scale
        self.format = format
        switch scale {
        case .linear:
            var lo = lo, hi = hi
            if hi - lo <= max(abs(lo), abs(hi)) * 1e-9 {
                // A constant: a span around it (its tenth, or 1 around zero) so it sits mid-axis.
                let half = lo == 0 ? 1 : abs(lo) * 0.1
                (lo, hi) = (lo - half, hi + half)
            }
            let step = ChartAxis.niceStep(hi - lo, tickCount)
            if nice {
                lo = (lo / step).rounded(.down) * step
                hi = (hi / step).rounded(.up) * step
            }
            var ticks: [Double] = []
            var k = (lo / step - 1e-9).rounded(.up)
            while k * step <= hi + step * 1e-9 {
                let t = k * step
                ticks.append(abs(t) < step * 1e-9 ? 0 : t)
                k += 1
            }
            self.lower = lo
            self.upper = hi
            self.ticks = ticks
            self.step = step
            let exponent = Int((log10(step) + 1e-9).rounded(.down))
            self.decimals = max(0, -exponent - (format == .percent ? 2 : 0))
        case .log:
            var eLo = (log10(lo) + 1e-9).rounded(.down)
            var eHi = (log10(hi) - 1e-9).rounded(.up)
            if eLo >= eHi { eLo = min(eLo, eHi) - 1; eHi = eLo + 2 }
            let inside = Int((log10(hi) + 1e-9).rounded(.down) - (log10(lo) - 1e-9).rounded(.up)) + 1
            let (l, u) = nice || inside < 2 ? (pow(10, eLo), pow(10, eHi)) : (lo, hi)
            let decades = Int(eHi - eLo)
            let every = max(1, Int((Double(decades) / Double(tickCount)).rounded(.up)))
            var ticks: [Double] = []
            var e = Int((log10(l) - 1e-9).rounded(.up))
            while Double(e) <= log10(u) + 1e-9 {
                if e % every == 0 { ticks.append(pow(10, Double(e))) }
                e += 1
            }
            self.lower = l
            self.upper = u
            self.ticks = ticks
            self.step = Double(every)
            self.decimals = 0
        }
    }

    /// Whether `value` can be placed on an axis of this scale: finite, and positive for a log one.
    static func accepts(_ value: Double, _ scale: Scale) -> Bool {
        value.isFinite && (scale == .linear || value > 0)
    }

    /// Where `value` lies between `lower` (0) and `upper` (1); outside 0...1 when out of the domain.
    func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return (value - lower) / (upper - lower)
        case .log: return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    /// A tick's label: `0.25`, `40`, `12 %`, or `10⁻³` on a log axis.
    func label(_ value: Double) -> String {
        switch scale {
        case .log:
            return "10" + superscript(Int(log10(value).rounded()))
        case .linear:
            let shown = format == .percent ? value * 100 : value
            let unit = format == .percent ? " %" : ""
            let magnitude = max(abs(ticks.first ?? 0), abs(ticks.last ?? 0))
            if magnitude >= 1e6 || (step < 1e-6 && magnitude > 0) {
                return String(format: "%g", shown) + unit
            }
            return String(format: "%.\(decimals)f", shown) + unit
        }
    }

    /// The step between linear ticks: 1, 2 or 5 times a power of ten, giving about `count` steps over `span`.
    static func niceStep(_ span: Double, _ count: Int) -> Double {
        let raw = span / Double(count)
        let power = pow(10, log10(raw).rounded(.down))
        let r = raw / power
        let m: Double = r >= 50.squareRoot() ? 10 : r >= 10.squareRoot() ? 5 : r >= 2.squareRoot() ? 2 : 1
        return m * power
    }
}

/// `n` in Unicode superscript digits, e.g. `⁻¹²`.
func superscript(_ n: Int) -> String {
    let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
    return (n < 0 ? "⁻" : "") + String(abs(n)).map { digits[Int(String($0))!] }
}
