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

    /// Ten colours that stay apart from each other on white (the "category10" set).
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                          "#bcbd22", "#17becf"]

    /// The shortest span a chart covers when no end day is asked for: a few days of articles
    /// are drawn with two weeks of the index decaying after them, so they make a curve rather
    /// than a few dots.
    public static let minimumDays = 14

    /// The days a chart of these rows covers: from `since` (or the first bucket's start) to
    /// `until` (or the last bucket's end, and at least `minimumDays` when `until` is not given).
    public static func range(since: CalendarDate?, until: CalendarDate?, rows: [TensionRow]) -> ClosedRange<CalendarDate>? {
        guard let first = since ?? rows.map(\.start).min(), var last = until ?? rows.map(\.end).max() else { return nil }
        if until == nil { last = max(last, first.adding(days: minimumDays - 1)) }
        return first <= last ? first...last : nil
    }

    /// One line per pair over every day (quiet days included, so the index is seen decaying),
    /// round date ticks along the x axis (days, weeks or months by the range), round index ticks
    /// (1, 2 or 5 × 10ⁿ) on the y axis, a dot on each day with tension, a legend and a title.
    public static func svg(_ series: [Series], halfLife: Double, title: String = "Tension index") -> String {
        let width = 900.0, height = 440.0
        let left = 64.0, right = 170.0, top = 62.0, bottom = 56.0
        let plotW = width - left - right, plotH = height - top - bottom
        let days = series.flatMap { $0.points.map { $0.date.dayNumber } }
        let firstDay = days.min() ?? 0, lastDay = max(days.max() ?? 1, (days.min() ?? 0) + 1)
        let yAxis = ValueTicks(maximum: series.flatMap { $0.points.map(\.index) }.max() ?? 0)
        func x(_ day: Int) -> Double { left + plotW * Double(day - firstDay) / Double(lastDay - firstDay) }
        func y(_ v: Double) -> Double { top + plotH * (1 - v / yAxis.top) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        let heading = "\(title), decayed with a half-life of \(String(format: "%g", halfLife)) days"
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <title>\(escape(heading))</title>
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left))" y="24" font-size="16" font-weight="bold">\(escape(heading))</text>

        """
        if !days.isEmpty {
            let subtitle = "\(CalendarDate(dayNumber: firstDay)) to \(CalendarDate(dayNumber: lastDay)); dots mark days with tension, lines decay on quiet days"
            svg += "<text x=\"\(f(left))\" y=\"44\" fill=\"#555\">\(escape(subtitle))</text>\n"
        }
        // Grid and y ticks.
        svg += "<g id=\"y-ticks\">\n"
        for v in yAxis.values {
            svg += "<line x1=\"\(f(left - 5))\" y1=\"\(f(y(v)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y(v)))\" stroke=\"\(v == 0 ? "#333" : "#e3e3e3")\"/>\n"
            svg += "<text class=\"y-tick\" x=\"\(f(left - 8))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(yAxis.label(v))</text>\n"
        }
        svg += "</g>\n"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\" stroke=\"#333\"/>\n"
        // Date ticks.
        svg += "<g id=\"x-ticks\">\n"
        if !days.isEmpty {
            for tick in DateTicks(first: firstDay, last: lastDay).ticks {
                let tx = x(tick.day)
                svg += "<line x1=\"\(f(tx))\" y1=\"\(f(top))\" x2=\"\(f(tx))\" y2=\"\(f(top + plotH))\" stroke=\"#f0f0f0\"/>\n"
                svg += "<line x1=\"\(f(tx))\" y1=\"\(f(top + plotH))\" x2=\"\(f(tx))\" y2=\"\(f(top + plotH + 5))\" stroke=\"#333\"/>\n"
                svg += "<text class=\"x-tick\" x=\"\(f(tx))\" y=\"\(f(top + plotH + 19))\" text-anchor=\"middle\">\(tick.label)</text>\n"
            }
        }
        svg += "</g>\n"
        svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\" fill=\"#555\">date</text>\n"
        svg += "<text transform=\"translate(16 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" fill=\"#555\">tension index</text>\n"

        // Series, then the legend: one row per pair, in the order given (most tense first).
        for (n, s) in series.enumerated() {
            let color = palette[n % palette.count]
            let path = s.points.map { "\(f(x($0.date.dayNumber))),\(f(y($0.index)))" }.joined(separator: " ")
            svg += "<g class=\"series\" data-pair=\"\(escape(s.pair.description))\">\n"
            if s.points.count > 1 {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"\(path)\"/>\n"
            }
            for p in s.points where p.tension > 0 || s.points.count == 1 {
                svg += "<circle cx=\"\(f(x(p.date.dayNumber)))\" cy=\"\(f(y(p.index)))\" r=\"3.5\" fill=\"\(color)\"/>\n"
            }
            svg += "</g>\n"
        }
        let legendX = left + plotW + 18
        let rowHeight = min(22.0, plotH / Double(max(series.count, 1)))
        for (n, s) in series.enumerated() {
            let color = palette[n % palette.count]
            let ly = top + 8 + Double(n) * rowHeight
            let peak = s.points.map(\.index).max() ?? 0
            svg += "<line class=\"legend-key\" x1=\"\(f(legendX))\" y1=\"\(f(ly))\" x2=\"\(f(legendX + 24))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"3\"/>\n"
            svg += "<text class=\"legend\" x=\"\(f(legendX + 30))\" y=\"\(f(ly + 4))\">\(escape(s.pair.description))<tspan dx=\"6\" fill=\"#777\">peak \(String(format: "%.1f", peak))</tspan></text>\n"
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

/// Round ticks for a value axis from 0: a step of 1, 2 or 5 × 10ⁿ giving at most six ticks, and
/// a top that is a multiple of it.
public struct ValueTicks: Sendable {
    public let step: Double
    public let top: Double

    public init(maximum: Double) {
        let m = maximum > 0 && maximum.isFinite ? maximum : 1
        let raw = m / 5
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) } ?? 10 * magnitude
        self.step = step
        top = (m / step - 1e-9).rounded(.up) * step
    }

    public var values: [Double] {
        (0...Int((top / step).rounded())).map { Double($0) * step }
    }

    public func label(_ v: Double) -> String {
        let decimals = step >= 1 ? 0 : Int((-log10(step)).rounded(.up))
        return String(format: "%.\(decimals)f", v)
    }
}

/// Evenly spaced date ticks at a round interval chosen by the range: every day, every other
/// day, every Monday, every other Monday, or the first of every 1, 2, 3, 6 or 12 months, the
/// first interval that gives at most eight ticks.
public struct DateTicks: Sendable {
    public struct Tick: Sendable, Equatable {
        public var day: Int
        public var label: String
    }

    public enum Interval: Sendable, Equatable {
        case days(Int), weeks(Int), months(Int)
    }

    public let interval: Interval
    public let ticks: [Tick]

    public static let maximumTicks = 8

    public init(first: Int, last: Int) {
        let candidates: [Interval] = [.days(1), .days(2), .weeks(1), .weeks(2), .months(1), .months(2), .months(3),
                                      .months(6), .months(12)]
        var chosen: (Interval, [Tick]) = (.months(12), [])
        for c in candidates {
            let t = Self.ticks(c, first: first, last: last)
            chosen = (c, t)
            if t.count <= Self.maximumTicks { break }
        }
        if case .months(12) = chosen.0, chosen.1.count > Self.maximumTicks {
            // Decades of data: every few years.
            let years = (chosen.1.count + Self.maximumTicks - 1) / Self.maximumTicks
            chosen.1 = chosen.1.enumerated().filter { $0.offset % years == 0 }.map(\.element)
        }
        interval = chosen.0
        ticks = chosen.1
    }

    static func ticks(_ interval: Interval, first: Int, last: Int) -> [Tick] {
        var out: [Tick] = []
        switch interval {
        case .days(let n):
            for day in first...last where day % n == 0 || n == 1 {
                out.append(Tick(day: day, label: CalendarDate(dayNumber: day).description))
            }
        case .weeks(let n):
            var day = first
            while CalendarDate(dayNumber: day).isoWeekday != 1 { day += 1 }
            while day <= last {
                // Every n-th Monday counted from the epoch's week, so ticks do not move with the range.
                if n == 1 || ((day + 3) / 7) % n == 0 { out.append(Tick(day: day, label: CalendarDate(dayNumber: day).description)) }
                day += 7
            }
        case .months(let n):
            let start = CalendarDate(dayNumber: first)
            var year = start.year, month = start.month
            while true {
                guard let date = CalendarDate(year: year, month: month, day: 1) else { break }
                if date.dayNumber > last { break }
                if date.dayNumber >= first && (month - 1) % n == 0 {
                    let label = n == 12 ? String(year) : String(date.description.prefix(7))
                    out.append(Tick(day: date.dayNumber, label: label))
                }
                month += 1
                if month > 12 { month = 1; year += 1 }
            }
        }
        return out
    }
}
