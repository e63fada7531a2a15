import Foundation
@testable import Storage
import Testing

/// Signature Version 4 against AWS's own examples (the S3 documentation's "Examples: Signature calculations"
/// and its presigned URL example) and botocore's signer on the same requests (`S3SigV4Auth`,
/// `S3SigV4QueryAuth` with the clock fixed), for the encodings AWS's examples leave out.
struct SignatureV4Tests {
    static let signer = SignatureV4(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                    region: "us-east-1")
    /// 2013-05-24T00:00:00Z, the examples' moment.
    static let moment = Date(timeIntervalSince1970: 1_369_353_600)
    static let host = ("host", "examplebucket.s3.amazonaws.com")

    static func authorization(_ fields: [(name: String, value: String)]) -> String? {
        fields.first { $0.name == "Authorization" }?.value
    }

    @Test func getObjectWithARangeAsAWSDocumentsIt() {
        let request = SignatureV4.Request(method: "GET", path: "/test.txt", headers: [Self.host, ("Range", "bytes=0-9")],
                                          payloadHash: SignatureV4.emptyPayload)
        let fields = Self.signer.sign(request, at: Self.moment)
        #expect(Self.authorization(fields) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(fields.first { $0.name == "x-amz-date" }?.value == "20130524T000000Z")
        var signed = request
        signed.headers += [("x-amz-content-sha256", SignatureV4.emptyPayload), ("x-amz-date", "20130524T000000Z")]
        #expect(SignatureV4.canonicalRequest(signed).text == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
    }

    @Test func listObjectsAsAWSDocumentsIt() {
        let request = SignatureV4.Request(method: "GET", path: "/", query: [("max-keys", "2"), ("prefix", "J")], headers: [Self.host],
                                          payloadHash: SignatureV4.emptyPayload)
        #expect(Self.authorization(Self.signer.sign(request, at: Self.moment))?
            .hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7") == true)
    }

    @Test func presignedURLAsAWSDocumentsIt() {
        let request = SignatureV4.Request(method: "GET", path: "/test.txt", headers: [Self.host], payloadHash: SignatureV4.emptyPayload)
        let query = Self.signer.presign(request, at: Self.moment, expires: 86_400)
        #expect(query.map { "\($0.name)=\($0.value)" } == [
            "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request",
            "X-Amz-Date=20130524T000000Z", "X-Amz-Expires=86400", "X-Amz-SignedHeaders=host",
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
        ])
    }

    /// A key with a space, a plus and a non-ASCII letter, a query name without a value and a value with a
    /// space, another region: botocore signs `GET http://127.0.0.1:8333/quarry-blobs/sha256/ab/c%20d%2B%C3%A9.bin
    /// ?uploads=&partNumber=2&x-id=Upload%20Part` (its S3 signer takes the path as sent, encoded) so.
    @Test func encodingsAWSExamplesLeaveOut() {
        let signer = SignatureV4(accessKeyID: Self.signer.accessKeyID, secretAccessKey: Self.signer.secretAccessKey, region: "eu-west-3")
        let request = SignatureV4.Request(method: "GET", path: "/quarry-blobs/sha256/ab/c d+é.bin",
                                          query: [("uploads", ""), ("partNumber", "2"), ("x-id", "Upload Part")],
                                          headers: [("Host", "127.0.0.1:8333")], payloadHash: SignatureV4.emptyPayload)
        #expect(Self.authorization(signer.sign(request, at: Self.moment))?
            .hasSuffix("Signature=d00e9b0ebae135a9a021c514a1a309a4f38708e7bcb6ca21c769f6709432e799") == true)
        #expect(SignatureV4.encodePath(request.path) == "/quarry-blobs/sha256/ab/c%20d%2B%C3%A9.bin")
        #expect(SignatureV4.encodeQuery(request.query) == "partNumber=2&uploads=&x-id=Upload%20Part")
    }

    @Test func headersAreCanonicalizedAsTheSpecificationSays() {
        let headers = SignatureV4.canonicalHeaders([("My-Header", "  a   b  c "), ("host", "h"), ("my-header", "d")])
        #expect(headers.block == "host:h\nmy-header:a b c,d\n")
        #expect(headers.names == "host;my-header")
    }
}
