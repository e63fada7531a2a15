import Glibc
@testable import HTTP
import Testing

struct ReadBufferTests {
    /// A connected pair of stream sockets with `count` bytes (0, 1, 2, ...) waiting at the first.
    private func socketPair(waiting count: Int) -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0) }
        precondition(write(fds[1], bytes, count) == count)
        return (fds[0], fds[1])
    }

    @Test func reservingRoomKeepsUnreadBytesAndTakesLargerReads() throws {
        let (reading, writing) = socketPair(waiting: 40_000)
        defer { close(reading); close(writing) }
        var buffer = ReadBuffer(capacity: 16)
        #expect(try buffer.receive(from: reading, maxCapacity: 16) == 16)
        buffer.consume(10)
        buffer.reserve(64 * 1024)
        #expect(Array(buffer.readable) == [10, 11, 12, 13, 14, 15])
        let next = try #require(try buffer.receive(from: reading, maxCapacity: 16))
        #expect(next > 16)
        #expect(Array(buffer.readable.prefix(8)) == [10, 11, 12, 13, 14, 15, 16, 17])
    }

    @Test func shrinkingWaitsUntilTheUnreadBytesFit() throws {
        let (reading, writing) = socketPair(waiting: 1000)
        defer { close(reading); close(writing) }
        var buffer = ReadBuffer(capacity: 16)
        buffer.reserve(512)
        #expect(try buffer.receive(from: reading, maxCapacity: 16) == 512)
        buffer.shrink(to: 16)
        #expect(buffer.readableCount == 512, "nothing unread is dropped")
        buffer.consume(500)
        buffer.shrink(to: 16)
        #expect(Array(buffer.readable) == (500..<512).map { UInt8(truncatingIfNeeded: $0) })
        #expect(try buffer.receive(from: reading, maxCapacity: 16) == 4, "back to 16 bytes, 12 of them held")
    }
}
