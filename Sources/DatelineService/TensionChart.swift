import DatelineCore
import DatelineProjections
import Foundation

/// Renders the decayed tension index over time as pictures: an SVG line chart that opens in
/// a browser, and a one-line sparkline for terminals.
public enum TensionChart {
    public struct Series: Sendable {
        public var pair: ActorPair
        public var points: [IndexPoint]
        public init(pair: ActorPair, points: [IndexPoint]) {
            self.pair = pair
            self.points = points
        }
    }

    static let palette = ["#c0392b", "#2471a3", "#229954", "#8e44ad", "#d68910", "#17a589", "#566573", "#cb4335"]

    /// One line per pair, dates along the x axis, the index on the y axis, with a legend.
    public static func svg(_ series: [Series], halfLife: Double, title: String = "Tension index") -> String {
        let width = 900.0, height = 420.0
        let left = 60.0, right = 170.0, top = 40.0, bottom = 50.0
        let plotW = width - left - right, plotH = height - top - bottom
        let days = series.flatMap { $0.points.map { $0.date.dayNumber } }
        let firstDay = days.min() ?? 0, lastDay = max(days.max() ?? 1, (days.min() ?? 0) + 1)
        let maxIndex = max(series.flatMap { $0.points.map(\.index) }.max() ?? 1, 1e-9)
        func x(_ day: Int) -> Double { left + plotW * Double(day - firstDay) / Double(lastDay - firstDay) }
        func y(_ v: Double) -> Double { top + plotH * (1 - v / maxIndex) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <title>\(escape(title))</title>
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left))" y="22" font-size="15" font-weight="bold">\(escape(title)) (half-life \(String(format: "%g", halfLife)) days)</text>

        """
        // Axes with a few labelled ticks.
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\" stroke=\"#333\"/>\n"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\" stroke=\"#333\"/>\n"
        let xTicks = min(6, lastDay - firstDay)
        for i in 0...max(xTicks, 1) {
            let day = firstDay + (lastDay - firstDay) * i / max(xTicks, 1)
            svg += "<line x1=\"\(f(x(day)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(x(day)))\" y2=\"\(f(top + plotH + 5))\" stroke=\"#333\"/>\n"
            svg += "<text x=\"\(f(x(day)))\" y=\"\(f(top + plotH + 20))\" text-anchor=\"middle\">\(CalendarDate(dayNumber: day))</text>\n"
        }
        for i in 0...4 {
            let v = maxIndex * Double(i) / 4
            svg += "<line x1=\"\(f(left - 5))\" y1=\"\(f(y(v)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y(v)))\" stroke=\"#ddd\"/>\n"
            svg += "<text x=\"\(f(left - 8))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(String(format: "%.3g", v))</text>\n"
        }
        svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">date</text>\n"
        svg += "<text transform=\"translate(14 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">tension index</text>\n"

        for (n, s) in series.enumerated() {
            let color = palette[n % palette.count]
            let path = s.points.map { "\(f(x($0.date.dayNumber))),\(f(y($0.index)))" }.joined(separator: " ")
            if s.points.count == 1, let p = s.points.first {
                svg += "<circle cx=\"\(f(x(p.date.dayNumber)))\" cy=\"\(f(y(p.index)))\" r=\"3\" fill=\"\(color)\"/>\n"
            } else {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            }
            let ly = top + 10 + Double(n) * 20
            svg += "<line x1=\"\(f(left + plotW + 15))\" y1=\"\(f(ly))\" x2=\"\(f(left + plotW + 40))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"3\"/>\n"
            svg += "<text x=\"\(f(left + plotW + 46))\" y=\"\(f(ly + 4))\">\(escape(s.pair.description))</text>\n"
        }
        if series.isEmpty {
            svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\">no tension recorded</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// The values as a row of block characters, scaled to the largest.
    public static func sparkline(_ values: [Double]) -> String {
        let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        guard let top = values.max(), top > 0 else { return String(repeating: "▁", count: values.count) }
        return String(values.map { blocks[min(blocks.count - 1, Int(($0 / top) * Double(blocks.count - 1) + 0.5))] })
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
