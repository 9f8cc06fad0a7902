import DatelineCore

/// How a timeline groups days: by day, by ISO 8601 week (Monday to Sunday, labelled
/// `2022-W04`, the year being the ISO week-numbering year), or by calendar month (`2022-01`).
public enum TimeBucket: String, Sendable, Codable, CaseIterable {
    case day, week, month

    /// The bucket that holds `date`.
    public func period(of date: CalendarDate) -> Period {
        switch self {
        case .day:
            return Period(start: date, end: date, label: date.description)
        case .week:
            let monday = date.adding(days: -(date.isoWeekday - 1))
            let (year, week) = TimeBucket.isoWeek(of: date)
            return Period(start: monday, end: monday.adding(days: 6), label: "\(pad4(year))-W\(week < 10 ? "0" : "")\(week)")
        case .month:
            let first = CalendarDate(year: date.year, month: date.month, day: 1)!
            let last = CalendarDate(year: date.year, month: date.month,
                                    day: CalendarDate.daysIn(month: date.month, year: date.year))!
            return Period(start: first, end: last, label: "\(pad4(date.year))-\(date.month < 10 ? "0" : "")\(date.month)")
        }
    }

    /// The ISO 8601 week-numbering year and week (1 … 53) of a date: the week belongs to the
    /// year of its Thursday.
    public static func isoWeek(of date: CalendarDate) -> (year: Int, week: Int) {
        let thursday = date.adding(days: 4 - date.isoWeekday)
        let jan1 = CalendarDate(year: thursday.year, month: 1, day: 1)!
        return (thursday.year, (thursday.dayNumber - jan1.dayNumber) / 7 + 1)
    }

    private func pad4(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
    }
}

/// One bucket: its first and last day and its label.
public struct Period: Sendable, Equatable, Hashable {
    public var start: CalendarDate
    public var end: CalendarDate
    public var label: String
}
