import HTTP

/// A multipart body arrives in whatever pieces the network makes, so the parts the parser reports,
/// headers and content, must not depend on where the pieces were cut.
enum MultipartFuzz {
    fileprivate enum Event: Equatable {
        case begin(String)
        case data([UInt8])
        case end
    }

    private struct Outcome: Equatable {
        var events: [Event] = []
        var error: String?
    }

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        var input = FuzzInput(bytes)
        let piece = input.int(in: 1...64)
        // The first line is the Content-Type, so the fuzzer can find boundaries the header accepts.
        let contentType = String(decoding: input.line(), as: UTF8.self)
        let body = input.rest()
        guard let boundary = MultipartParser.boundary(contentType: contentType) else { return }
        let whole = parse(body, boundary: boundary, piece: max(body.count, 1))
        let dripped = parse(body, boundary: boundary, piece: piece)
        try expect(whole == dripped, "parsed whole: \(whole); in pieces of \(piece): \(dripped)")
    }

    private static func parse(_ body: [UInt8], boundary: String, piece: Int) -> Outcome {
        var parser = MultipartParser(boundary: boundary, maxPartHeaderBytes: 512)
        var outcome = Outcome()
        do {
            var start = 0
            while start < body.count {
                let end = min(start + piece, body.count)
                try body[start..<end].withUnsafeBytes { buffer in
                    try parser.feed(buffer) { event in outcome.events.record(event) }
                }
                start = end
            }
            try parser.finish()
        } catch {
            outcome.error = "\(error)"
        }
        return outcome
    }
}

private extension Array where Element == MultipartFuzz.Event {
    /// Content is compared as one run per part, however many callbacks delivered it.
    mutating func record(_ event: MultipartParser.Event) {
        switch event {
        case .partBegin(let fields):
            append(.begin(fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")))
        case .partData(let bytes):
            if case .data(let earlier) = last {
                self[count - 1] = .data(earlier + [UInt8](bytes))
            } else {
                append(.data([UInt8](bytes)))
            }
        case .partEnd:
            append(.end)
        }
    }
}
