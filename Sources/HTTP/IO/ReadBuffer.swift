import Glibc

/// Bytes received on one connection and not yet consumed. Received data lands directly in the
/// tail (no intermediate copy); consumed bytes are dropped by moving the reader index, and the
/// remainder is compacted to the front only when the tail runs out of room.
struct ReadBuffer: ~Copyable {
    private var storage: UnsafeMutableRawBufferPointer
    private var readerIndex = 0
    private var writerIndex = 0

    init(capacity: Int) {
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    var readableCount: Int { writerIndex - readerIndex }
    var isEmpty: Bool { readerIndex == writerIndex }

    /// The unconsumed bytes, valid until the next mutation.
    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[readerIndex..<writerIndex])
    }

    mutating func consume(_ count: Int) {
        precondition(count <= readableCount)
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    /// Receives from `fd` into free space, growing up to `maxCapacity`. Returns bytes read, 0 at end
    /// of stream, nil when nothing is waiting or the buffer is full (the caller stops reading then).
    mutating func receive(from fd: Int32, maxCapacity: Int) throws(IOError) -> Int? {
        if writerIndex == storage.count {
            if readerIndex > 0 {
                compact()
            } else if storage.count < maxCapacity {
                reallocate(to: min(maxCapacity, storage.count * 2))
            } else {
                return nil
            }
        }
        let free = UnsafeMutableRawBufferPointer(rebasing: storage[writerIndex...])
        switch try syscall("recv", { recv(fd, free.baseAddress, free.count, 0) }) {
        case .done(let count):
            writerIndex += count
            return count
        case .wouldBlock:
            return nil
        }
    }

    /// Room for `capacity` bytes, so that a large body arrives in a few large reads rather than
    /// thousands of small ones (each also a write to its spool file).
    mutating func reserve(_ capacity: Int) {
        if storage.count < capacity { reallocate(to: capacity) }
    }

    /// Gives back what `reserve` took, once the unconsumed bytes fit in `capacity`, so an idle
    /// connection holds no more than a fresh one.
    mutating func shrink(to capacity: Int) {
        if storage.count > capacity && readableCount <= capacity { reallocate(to: capacity) }
    }

    private mutating func compact() {
        let count = readableCount
        if count > 0 {
            storage.baseAddress!.copyMemory(from: storage.baseAddress! + readerIndex, byteCount: count)
        }
        readerIndex = 0
        writerIndex = count
    }

    private mutating func reallocate(to capacity: Int) {
        let replacement = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        replacement.copyMemory(from: readable)
        writerIndex = readableCount
        readerIndex = 0
        storage.deallocate()
        storage = replacement
    }
}
