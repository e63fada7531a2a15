import HTTP

/// The request head parser and the chunked decoder are incremental: a client may split its bytes
/// anywhere, so parsing everything at once and parsing it dripped in pieces must agree exactly, or
/// two readers of one connection could see two different requests (how smuggling starts).
enum HTTPFuzz {
    private enum HeadOutcome: Equatable {
        case incomplete
        case complete(summary: String, framing: BodyFraming, consumed: Int)
        case refused(ParseError)
    }

    private enum BodyOutcome: Equatable {
        case decoded(body: [UInt8], consumed: Int, complete: Bool)
        case refused(ParseError)
    }

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        var input = FuzzInput(bytes)
        let piece = input.int(in: 1...64)
        let message = input.rest()
        let whole = head(message, piece: max(message.count, 1))
        let dripped = head(message, piece: piece)
        try expect(whole == dripped, "the head parsed whole gave \(whole), in pieces of \(piece) \(dripped)")
        guard case .complete(_, let framing, let consumed) = whole else { return }
        try expect(consumed > 0 && consumed <= message.count, "the head consumed \(consumed) of \(message.count) bytes")
        guard framing == .chunked else { return }
        let body = Array(message[consumed...])
        let bodyWhole = chunked(body, piece: max(body.count, 1))
        let bodyDripped = chunked(body, piece: piece)
        try expect(bodyWhole == bodyDripped, "the chunked body decoded whole gave \(bodyWhole), in pieces of \(piece) \(bodyDripped)")
    }

    /// Feeds `message` as a connection would: each call passes everything received so far.
    private static func head(_ message: [UInt8], piece: Int) -> HeadOutcome {
        var parser = RequestHeadParser(maxHeadBytes: 4096, maxHeaderCount: 32)
        var received = 0
        while received < message.count {
            received = min(received + piece, message.count)
            switch message[..<received].withUnsafeBytes({ buffer in Result { () throws(ParseError) in try parser.parse(buffer) } }) {
            case .success(.complete(let head, let framing, let consumed)):
                return .complete(summary: summary(head), framing: framing, consumed: consumed)
            case .success(.incomplete):
                continue
            case .failure(let error):
                return .refused(error)
            }
        }
        return .incomplete
    }

    private static func summary(_ head: RequestHead) -> String {
        let fields = head.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        return "\(head.method) \(head.target) \(head.path) \(head.query) \(head.version) keepAlive=\(head.keepAlive) "
            + "continue=\(head.expectsContinue)\n\(fields)"
    }

    private static func chunked(_ body: [UInt8], piece: Int) -> BodyOutcome {
        var decoder = ChunkedDecoder(maxLineBytes: 256, maxTrailerBytes: 1024)
        var decoded: [UInt8] = []
        var consumed = 0
        while consumed < body.count, !decoder.isComplete {
            let end = min(consumed + piece, body.count)
            let step = body[consumed..<end].withUnsafeBytes { buffer in
                Result { () throws(ParseError) in try decoder.decode(buffer) { decoded.append(contentsOf: $0) } }
            }
            switch step {
            // Short of complete, the decoder takes all it is given.
            case .success(let used): consumed += used
            case .failure(let error): return .refused(error)
            }
        }
        return .decoded(body: decoded, consumed: consumed, complete: decoder.isComplete)
    }
}
