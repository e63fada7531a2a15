import Imaging
import Testing

struct ProbeRefusalTests {
    @Test func emptyAndForeignBytesAreRefusedBeforeAnyDecoding() {
        #expect(throws: ImageError.self) { try ImageProbe.probe([UInt8]()) }
        #expect(throws: ImageError.unsupportedFormat) { try ImageProbe.probe(Array("GIF89a......".utf8)) }
        #expect(throws: ImageError.unsupportedFormat) { try ImageProbe.verify(Array("%PDF-1.7 not an image".utf8)) }
    }
}
