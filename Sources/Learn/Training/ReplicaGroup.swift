import Foundation

/// The replicas of one data-parallel step, each computing on its own thread, and the one collective
/// they share: a sum across all of them. Every member calls `sum` at the same points of the step (the
/// model's control flow does not depend on the data, and a failed device keeps walking the model with
/// placeholder values), so each call is a barrier: it returns once every member has given its part,
/// and each gets the same total, added in member order so that every replica computes with identical
/// values.
public final class ReplicaGroup: @unchecked Sendable {
    /// How many members a round waits for.
    public let size: Int
    // Guarded by `condition`: this round's parts by member, the last finished round's total, and
    // how many rounds have finished (a member waits for the count to move past the round it joined).
    private let condition = NSCondition()
    private var parts: [(any Sendable)?]
    private var arrived = 0
    private var total: any Sendable = 0
    private var rounds = 0

    public init(size: Int) {
        precondition(size > 0, "a replica group needs members")
        self.size = size
        parts = Array(repeating: nil, count: size)
    }

    /// One member's view of the group.
    public struct Member: Sendable {
        public let group: ReplicaGroup
        public let index: Int

        /// The element-wise sum of every member's `values` (all the same length and type).
        public func sum<T: BinaryFloatingPoint & Sendable>(_ values: [T]) -> [T] {
            group.sum(values, from: index)
        }
    }

    public func member(_ index: Int) -> Member {
        precondition(index >= 0 && index < size, "member \(index) of \(size)")
        return Member(group: self, index: index)
    }

    private func sum<T: BinaryFloatingPoint & Sendable>(_ values: [T], from member: Int) -> [T] {
        if size == 1 { return values }
        condition.lock()
        defer { condition.unlock() }
        precondition(parts[member] == nil, "member \(member) gave two parts to one round")
        parts[member] = values
        arrived += 1
        let round = rounds
        if arrived == size {
            let all = parts.map { $0 as! [T] }
            var sum = all[0]
            for part in all.dropFirst() {
                precondition(part.count == sum.count, "replicas gave parts of \(sum.count) and \(part.count) values")
                sum.withUnsafeMutableBufferPointer { sum in
                    part.withUnsafeBufferPointer { part in
                        for i in sum.indices { sum[i] += part[i] }
                    }
                }
            }
            total = sum
            parts = Array(repeating: nil, count: size)
            arrived = 0
            rounds += 1
            condition.broadcast()
            return sum
        }
        while rounds == round { condition.wait() }
        // The next round cannot finish before this member joins it, so `total` is still this round's.
        return total as! [T]
    }

    /// Runs `body(member)` for every member at once, each on a thread of its own: the members meet at
    /// barriers, so none may wait for a free thread in a shared pool. Returns the results in member order.
    public func run<T: Sendable>(_ body: @escaping @Sendable (Int) -> T) -> [T] {
        if size == 1 { return [body(0)] }
        let results = ResultSlots<T>(count: size)
        let done = DispatchGroup()
        for member in 0..<size {
            done.enter()
            let thread = Thread {
                results.set(member, body(member))
                done.leave()
            }
            // Training threads walk deep models; give them the main thread's room rather than 512 KiB.
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return results.values
    }
}

/// Each member thread writes its own slot once; `run` reads them after every thread has left.
private final class ResultSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.withLock { slots[index] = value }
    }

    var values: [T] { lock.withLock { slots.map { $0! } } }
}
