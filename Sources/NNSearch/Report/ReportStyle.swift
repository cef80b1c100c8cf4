/// The report page's stylesheet, inlined in its `<head>`: fonts the system has, a readable
/// column, charts that scale to their box, a table that scrolls sideways, and a print layout
/// that keeps each chart on one page, in black on white.
enum ReportStyle {
    static var css: String {
        var css = #"""
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f6f6f4; color: #1d1d1d;
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
        main { max-width: 1120px; margin: 0 auto; padding: 12px 16px 32px; }
        section { background: #fff; border: 1px solid #e2e2de; border-radius: 6px; padding: 12px 16px 16px; margin: 0 0 14px; }
        h1 { font-size: 1.55em; margin: 0.2em 0 0.1em; overflow-wrap: anywhere; line-height: 1.25; }
        h2 { font-size: 1.15em; margin: 0.1em 0 0.5em; }
        p { margin: 0.4em 0; overflow-wrap: anywhere; }
        .subtitle { color: #333; font-size: 1.02em; }
        .generated, .note { color: #5a5a5a; font-size: 0.9em; }
        nav ul { list-style: none; padding: 0; margin: 0.6em 0 0; display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 0.92em; }
        nav a { color: #0b5cad; }
        .sentences p { max-width: 75ch; }
        figure { margin: 0; min-width: 0; }
        figure.single, .charts figure { max-width: 560px; }
        .charts.small figure { max-width: 440px; }
        svg.chart { display: block; width: 100%; height: auto; max-width: 100%; }
        svg.chart text { font-family: inherit; }
        .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 440px), 1fr)); gap: 14px 20px; align-items: start; }
        .charts.small { grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); }
        .table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; border: 1px solid #e2e2de; border-radius: 4px; }
        table { border-collapse: collapse; font-size: 0.9em; white-space: nowrap; width: 100%; }
        th, td { padding: 4px 10px; text-align: left; border-bottom: 1px solid #ececea; }
        th { background: #f1f1ee; font-weight: 600; position: sticky; top: 0; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        tbody tr:nth-child(even) { background: #fafaf8; }
        .key { list-style: none; padding: 0; margin: 0 0 10px; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 0.9em; }
        .chip { display: inline-block; width: 0.7em; height: 0.7em; border-radius: 50%; margin-right: 0.35em; vertical-align: baseline; }
        .cross { display: inline-block; margin-right: 0.3em; font-weight: bold; color: #D55E00; }
        .curve-key { align-self: center; padding: 4px 8px; }
        .curve-key ul { list-style: none; padding: 0; margin: 0; columns: 2 13em; column-gap: 18px; font-size: 0.9em; }
        .curve-key li { break-inside: avoid; padding: 2px 0; overflow-wrap: anywhere; }
        .key-title { font-weight: 600; margin: 0 0 4px; }
        .swatch { display: inline-block; width: 28px; height: 0; margin-right: 8px; vertical-align: middle; }
        .narrow-only { display: none; }
        footer { color: #666; font-size: 0.85em; text-align: center; margin-top: 8px; }
        @media (max-width: 520px) {
          body { font-size: 14px; }
          main { padding: 8px 6px 24px; }
          .narrow-only { display: block; }
          section { padding: 10px 8px 12px; border-radius: 4px; }
        }
        @media print {
          body { background: #fff; color: #000; font-size: 10.5pt; }
          main { max-width: none; padding: 0; }
          section { border: none; border-radius: 0; padding: 0; margin: 0 0 14pt; }
          nav, .narrow-only { display: none; }
          a { color: #000; text-decoration: none; }
          .subtitle, .generated, .note, footer, th, td { color: #000; }
          h2, .note, .key { break-after: avoid; page-break-after: avoid; }
          .charts, .charts.small { grid-template-columns: 1fr 1fr; gap: 10pt 14pt; }
          .curve-key { font-size: 8.5pt; }
          figure, svg.chart, tr { break-inside: avoid; page-break-inside: avoid; }
          .table-wrap { overflow: visible; border: none; }
          table { white-space: normal; font-size: 8pt; }
          th, td { padding: 2px 4px; }
          th { overflow-wrap: anywhere; }
          th { background: #fff; border-bottom: 1.5pt solid #000; position: static; }
          tbody tr:nth-child(even) { background: #fff; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }

        """#
        for (kind, color) in ReportPalette.diagnoses {
            css += ".dg-\(kind) { background: \(color); }\n"
        }
        css += ".dg-other { background: \(ReportPalette.otherDiagnosis); }\n"
        return css
    }
}
