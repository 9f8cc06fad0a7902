/// A seeded pseudo-random sequence (SplitMix64). The same seed gives the same values on every
/// machine and run, so synthetic fixtures and benchmark logs can be rebuilt exactly and a
/// failing property test can be replayed. Not for anything that must be unpredictable.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<n` (`n > 0`), by remainder: the slight bias does not matter here.
    public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// One of `items` (not empty).
    public mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
}
