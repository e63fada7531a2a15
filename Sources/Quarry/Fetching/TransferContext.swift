import Foundation

/// What curl's C callbacks reach through their user-data pointer: the policy to vet sockets with,
/// where the body goes, and what went wrong, read back once curl_easy_perform returns. One
/// transfer runs on one thread, so nothing here is shared.
final class TransferContext {
    enum Sink: Equatable {
        /// Stream to this descriptor; going past `limit` fails the transfer.
        case file(Int32)
        /// Keep the first `limit` bytes in memory and stop reading there.
        case capture
    }

    let policy: AddressPolicy
    let sink: Sink
    let limit: Int
    private(set) var received = 0
    private(set) var captured: [UInt8] = []
    /// Set when the body hit `limit`: a failure for a file, the normal end for a capture.
    private(set) var reachedLimit = false
    var refusedAddress: String?

    init(policy: AddressPolicy, sink: Sink, limit: Int) {
        self.policy = policy
        self.sink = sink
        self.limit = limit
    }

    /// Takes one chunk of body; false stops the transfer. The byte count is checked here as well as
    /// by CURLOPT_MAXFILESIZE, which only knows a length the server announced.
    func write(_ chunk: UnsafeRawBufferPointer) -> Bool {
        let room = limit - received
        switch sink {
        case .capture:
            captured.append(contentsOf: chunk.prefix(room))
            received += min(room, chunk.count)
            reachedLimit = chunk.count >= room
            return !reachedLimit
        case .file(let descriptor):
            guard chunk.count <= room else {
                reachedLimit = true
                return false
            }
            guard Self.writeAll(chunk, to: descriptor) else { return false }
            received += chunk.count
            return true
        }
    }

    private static func writeAll(_ chunk: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < chunk.count {
            let written = Foundation.write(descriptor, chunk.baseAddress! + offset, chunk.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
