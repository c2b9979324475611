// ReplayBuffer: past negative samples, each row with its own context, for persistent chains.

/// A ring buffer of normalised window rows (context and sample future together, so a chain
/// restarted from it keeps the context it was sampled under) and the step each was stored at.
public struct ReplayBuffer: Sendable {
    /// Features per row.
    public let width: Int
    /// Rows kept at most.
    public let capacity: Int
    /// Stored rows. Shape (count, width), row-major, in slot order.
    public private(set) var rows: [Float] = []
    /// Training step at which each slot was written. Count `count`.
    public private(set) var stepStored: [Int] = []
    /// Slot the next insertion overwrites once the buffer is full.
    public private(set) var nextSlot = 0

    public init(width: Int, capacity: Int) {
        precondition(width > 0 && capacity > 0, "ReplayBuffer: width and capacity must be positive")
        (self.width, self.capacity) = (width, capacity)
    }

    /// Restores a buffer from its saved contents.
    public init(width: Int, capacity: Int, rows: [Float], stepStored: [Int], nextSlot: Int) {
        self.init(width: width, capacity: capacity)
        precondition(rows.count == stepStored.count * width && stepStored.count <= capacity && nextSlot < capacity)
        (self.rows, self.stepStored, self.nextSlot) = (rows, stepStored, nextSlot)
    }

    /// Rows stored.
    public var count: Int { stepStored.count }

    /// Row `index` (width features).
    public func row(_ index: Int) -> ArraySlice<Float> { rows[(index * width)..<((index + 1) * width)] }

    /// Stores the rows of `batch` (B, width), replacing the oldest once full.
    public mutating func insert(_ batch: [Float], step: Int) {
        for b in 0..<(batch.count / width) {
            let source = batch[(b * width)..<((b + 1) * width)]
            if count < capacity {
                rows.append(contentsOf: source)
                stepStored.append(step)
            } else {
                rows.replaceSubrange((nextSlot * width)..<((nextSlot + 1) * width), with: source)
                stepStored[nextSlot] = step
                nextSlot = (nextSlot + 1) % capacity
            }
        }
    }
}
