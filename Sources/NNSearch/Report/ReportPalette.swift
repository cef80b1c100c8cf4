/// The report's colours: one per diagnosis and one per learning curve, from the Okabe–Ito set
/// (told apart with the common colour-vision deficiencies) and dark enough to print.
enum ReportPalette {
    /// The diagnoses the report knows, in the order they are drawn (failures last, on top).
    static let diagnoses: [(kind: String, color: String)] = [
        ("ok", "#009E73"),
        ("pruned", "#8C8C8C"),
        ("underfit", "#E69F00"),
        ("overfit", "#CC79A7"),
        ("chance", "#0072B2"),
        ("diverged", "#D55E00"),
    ]

    /// A diagnosis not in `diagnoses`.
    static let otherDiagnosis = "#555555"

    static func diagnosisColor(_ kind: String) -> String {
        diagnoses.first { $0.kind == kind }?.color ?? otherDiagnosis
    }

    /// The CSS class of a diagnosis's colour chip: `dg-ok`, …, or `dg-other` for one not known.
    static func diagnosisClass(_ kind: String) -> String {
        diagnoses.contains { $0.kind == kind } ? "dg-\(kind)" : "dg-other"
    }

    /// Bars that stand for no diagnosis (importance).
    static let neutral = "#4A7FB0"
    /// The running best.
    static let best = "#0072B2"

    /// Solid lines of the best trials, best first.
    static let topCurves = ["#0072B2", "#009E73", "#56B4E9", "#6A3D9A", "#222222", "#1B9E77", "#7570B3"]
    /// Dashed lines of failed trials.
    static let failedCurves = ["#D55E00", "#CC79A7", "#E69F00", "#8C8C8C", "#8B0000", "#A6761D", "#F0A3C8"]
    static let failedDash = "6 4"
}
