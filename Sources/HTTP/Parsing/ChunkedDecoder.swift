/// An incremental decoder for the chunked transfer coding (RFC 9112 §7.1).
///
/// It keeps no buffer: chunk data is handed to `emit` as slices of the caller's input, and the
/// size lines and trailer fields between chunks are checked one byte at a time by a state
/// machine, so input split at any byte decodes the same. Chunk extensions are validated and
/// ignored; trailer fields are validated like header fields and discarded, since no Quarry
/// handler reads them and merging them into the head is what RFC 9110 §6.5.1 warns against.
public struct ChunkedDecoder: Sendable {
    private enum State: Sendable {
        case size
        /// BWS after the size, which only a chunk extension's ";" may follow.
        case sizeWhitespace
        case extensionBeforeName
        case extensionName
        case extensionAfterName
        case extensionBeforeValue
        case extensionToken
        case extensionQuoted
        case extensionQuotedPair
        case extensionAfterQuote
        case extensionAfterValue
        case sizeLF
        case data
        case dataCR
        case dataLF
        case trailerLineStart
        case trailerName
        case trailerValue
        case trailerLF
        case finalLF
        case complete
    }

    /// 15 hex digits is 2^60 - 1 bytes: enough for any body, and the value can never overflow Int.
    static let maxSizeDigits = 15

    private let maxLineBytes: Int
    private let maxTrailerBytes: Int
    private var state = State.size
    /// The size being read, then the bytes of the current chunk not yet emitted.
    private var chunkSize = 0
    private var sizeDigits = 0
    private var lineBytes = 0
    private var trailerBytes = 0
    public private(set) var decodedBytes = 0

    /// `maxLineBytes` bounds each chunk-size line with its extensions and CRLF; `maxTrailerBytes`
    /// bounds the whole trailer section after the last chunk, through the final CRLF.
    public init(maxLineBytes: Int = 4096, maxTrailerBytes: Int = 16384) {
        self.maxLineBytes = maxLineBytes
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// The last chunk and the trailer section have been read.
    public var isComplete: Bool {
        if case .complete = state { true } else { false }
    }

    /// Consumes as much of `input` as it can, calling `emit` with each run of body bytes (a slice
    /// of `input`, valid only during the call), and returns how many bytes it consumed. Once
    /// complete it stops: the rest of `input` belongs to the next pipelined request. Each call
    /// emits at most `input.count` body bytes, so a caller enforcing a body limit with
    /// `decodedBytes` after each call never holds more than one read's worth past the limit.
    public mutating func decode(
        _ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void
    ) throws(ParseError) -> Int {
        var position = 0
        while position < input.count {
            switch state {
            case .complete:
                return position
            case .data:
                let count = min(chunkSize, input.count - position)
                emit(UnsafeRawBufferPointer(rebasing: input[position..<position + count]))
                position += count
                chunkSize -= count
                decodedBytes += count
                if chunkSize == 0 { state = .dataCR }
            default:
                try step(input[position])
                position += 1
            }
        }
        return position
    }

    /// Advances the state machine by one byte outside chunk data.
    private mutating func step(_ byte: UInt8) throws(ParseError) {
        switch state {
        case .dataCR:
            // RFC 9112 §7.1: chunk data is followed by exactly CRLF; anything else means the
            // size did not match the data, and the next "chunk" would be attacker-chosen bytes.
            guard byte == ByteClass.cr else { throw byte == ByteClass.lf ? .bareLF : .missingChunkDataCRLF }
            state = .dataLF
        case .dataLF:
            guard byte == ByteClass.lf else { throw .bareCR }
            state = .size
            chunkSize = 0
            sizeDigits = 0
            lineBytes = 0
        case .trailerLineStart, .trailerName, .trailerValue, .trailerLF, .finalLF:
            trailerBytes += 1
            guard trailerBytes <= maxTrailerBytes else { throw .trailerTooLarge }
            try stepTrailer(byte)
        default:
            lineBytes += 1
            guard lineBytes <= maxLineBytes else { throw .chunkLineTooLong }
            try stepSizeLine(byte)
        }
    }

    /// chunk-size [ chunk-ext ] CRLF, where chunk-size = 1*HEXDIG and
    /// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ) (RFC 9112 §7.1.1).
    private mutating func stepSizeLine(_ byte: UInt8) throws(ParseError) {
        switch state {
        case .size:
            if let digit = ByteClass.hexValue(byte) {
                sizeDigits += 1
                guard sizeDigits <= Self.maxSizeDigits else { throw .chunkSizeOverflow }
                chunkSize = chunkSize << 4 | digit
            } else if sizeDigits == 0 {
                throw lineError(byte, otherwise: .invalidChunkSize)
            } else if byte == ByteClass.cr {
                state = .sizeLF
            } else if byte == ByteClass.semicolon {
                state = .extensionBeforeName
            } else if ByteClass.isWhitespace(byte) {
                state = .sizeWhitespace
            } else {
                throw lineError(byte, otherwise: .invalidChunkSize)
            }
        case .sizeWhitespace:
            // Whitespace after the size is BWS only when an extension follows; "5 \r\n" is refused.
            if byte == ByteClass.semicolon {
                state = .extensionBeforeName
            } else if !ByteClass.isWhitespace(byte) {
                throw lineError(byte, otherwise: .invalidChunkSize)
            }
        case .sizeLF:
            guard byte == ByteClass.lf else { throw .bareCR }
            state = chunkSize == 0 ? .trailerLineStart : .data
        default:
            try stepExtension(byte)
        }
    }

    private mutating func stepExtension(_ byte: UInt8) throws(ParseError) {
        let isTchar = ByteClass.isTchar(byte)
        let isWhitespace = ByteClass.isWhitespace(byte)
        switch state {
        case .extensionBeforeName where isTchar:
            state = .extensionName
        case .extensionBeforeName where isWhitespace, .extensionName where isTchar,
             .extensionAfterName where isWhitespace, .extensionBeforeValue where isWhitespace,
             .extensionToken where isTchar, .extensionAfterValue where isWhitespace:
            break
        case .extensionName where isWhitespace:
            state = .extensionAfterName
        case .extensionName where byte == UInt8(ascii: "="), .extensionAfterName where byte == UInt8(ascii: "="):
            state = .extensionBeforeValue
        case .extensionBeforeValue where isTchar:
            state = .extensionToken
        case .extensionBeforeValue where byte == UInt8(ascii: "\""):
            state = .extensionQuoted
        case .extensionQuoted where byte == UInt8(ascii: "\""):
            state = .extensionAfterQuote
        case .extensionQuoted where byte == UInt8(ascii: "\\"):
            state = .extensionQuotedPair
        case .extensionQuoted where ByteClass.isFieldValue(byte),
             .extensionQuotedPair where ByteClass.isFieldValue(byte):
            // qdtext and quoted-pair admit exactly the field-value bytes (RFC 9110 §5.6.4).
            state = .extensionQuoted
        case .extensionToken where isWhitespace, .extensionAfterQuote where isWhitespace:
            state = .extensionAfterValue
        case .extensionName where byte == ByteClass.semicolon, .extensionAfterName where byte == ByteClass.semicolon,
             .extensionToken where byte == ByteClass.semicolon, .extensionAfterQuote where byte == ByteClass.semicolon,
             .extensionAfterValue where byte == ByteClass.semicolon:
            state = .extensionBeforeName
        case .extensionName where byte == ByteClass.cr, .extensionToken where byte == ByteClass.cr,
             .extensionAfterQuote where byte == ByteClass.cr:
            state = .sizeLF
        default:
            throw lineError(byte, otherwise: .invalidChunkExtension)
        }
    }

    /// trailer-section = *( field-line CRLF ), then the CRLF that ends the body (RFC 9112 §7.1.2).
    /// Field lines obey the same rules as in the head, so a trailer cannot smuggle what a header could not.
    private mutating func stepTrailer(_ byte: UInt8) throws(ParseError) {
        switch state {
        case .trailerLineStart:
            if byte == ByteClass.cr {
                state = .finalLF
            } else if ByteClass.isTchar(byte) {
                state = .trailerName
            } else if ByteClass.isWhitespace(byte) {
                throw .obsoleteLineFolding
            } else {
                throw fieldError(byte, otherwise: .invalidHeaderName)
            }
        case .trailerName:
            if byte == ByteClass.colon {
                state = .trailerValue
            } else if ByteClass.isWhitespace(byte) {
                throw .whitespaceBeforeColon
            } else if !ByteClass.isTchar(byte) {
                throw fieldError(byte, otherwise: .invalidHeaderName)
            }
        case .trailerValue:
            if byte == ByteClass.cr {
                state = .trailerLF
            } else if !ByteClass.isFieldValue(byte) {
                throw fieldError(byte, otherwise: .invalidHeaderValue)
            }
        case .trailerLF, .finalLF:
            guard byte == ByteClass.lf else { throw .bareCR }
            state = state == .finalLF ? .complete : .trailerLineStart
        default:
            preconditionFailure("stepTrailer called outside the trailer section")
        }
    }

    /// NUL is named for itself in trailer fields, as it is in header fields.
    private func fieldError(_ byte: UInt8, otherwise error: ParseError) -> ParseError {
        byte == 0 ? .nulByte : lineError(byte, otherwise: error)
    }

    /// A LF where the grammar does not allow one is always a bare LF: the CR before it is missing.
    private func lineError(_ byte: UInt8, otherwise error: ParseError) -> ParseError {
        byte == ByteClass.lf ? .bareLF : error
    }
}
