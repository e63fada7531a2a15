import Foundation
@testable import API
import HTTP
@testable import Quarry
import QuarryTesting
import Testing

/// The Studio's errors as studio-api-related.md has them: each domain error's status, code and details
/// in the Studio shape beside what the other surfaces keep; the codes of errors the HTTP layer raises
/// under /api/; health that is not healthy as an error; and the spellings of a boolean query parameter.
/// The routes that raise them are the scenario tables' (`Scenarios/Studio*.swift`).
@Suite struct StudioErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        let error: any Error & Sendable
        let status: Int
        let code: String
        let field: String?
        /// What HITL, JTheta and admin answer: a refused value is their 400, as their specs say.
        let elsewhere: Int

        init(_ error: any Error & Sendable, _ status: Int, _ code: String, field: String? = nil, elsewhere: Int? = nil) {
            (self.error, self.status, self.code, self.field, self.elsewhere) = (error, status, code, field, elsewhere ?? status)
        }

        var description: String { "\(error)" }
    }

    struct Unexpected: Error, CustomStringConvertible {
        var description: String { "disk I/O error at /var/lib/quarry/secret" }
    }

    static let cases: [Case] = [
        Case(ExperimentError.invalid(field: "optimizer.lr", reason: "must be above 0 and at most 10"), 422, "VALIDATION_ERROR",
             field: "optimizer.lr", elsewhere: 400),
        Case(ProjectError.invalid(field: "name", reason: "is required"), 422, "VALIDATION_ERROR", field: "name", elsewhere: 400),
        Case(SplitError.invalid(field: "ratios", reason: "must sum to 1 (they sum to 0.9)"), 422, "VALIDATION_ERROR", field: "ratios",
             elsewhere: 400),
        Case(TrainedModelError.wrongExperiment(run: "run-1", experiment: "exp-2"), 422, "VALIDATION_ERROR", field: "run_id", elsewhere: 400),
        Case(RunError.notEnoughClasses(subset: "train"), 422, "VALIDATION_ERROR", elsewhere: 400),
        Case(ImportError.invalidArchive("an entry leaves the folder"), 422, "VALIDATION_ERROR", elsewhere: 400),
        Case(ProjectError.notFound("proj-1"), 404, "NOT_FOUND"),
        Case(EvaluationError.notFound("evaluation 'eval-1'"), 404, "NOT_FOUND"),
        Case(SplitError.notFound(3), 404, "SPLIT_NOT_FOUND"),
        Case(ExperimentError.notFound("exp-1"), 404, "EXPERIMENT_NOT_FOUND"),
        Case(RunError.notFound("run-1"), 404, "RUN_NOT_FOUND"),
        Case(TrainedModelError.runNotFound("run-1"), 404, "RUN_NOT_FOUND"),
        Case(TrainedModelError.checkpointNotFound(run: "run-1", checkpoint: .best), 404, "CHECKPOINT_NOT_FOUND"),
        Case(SplitError.noImages, 422, "DATASET_NOT_IMPORTED"),
        Case(GPUUnavailable(reason: "gpu:1 is not available: this server has gpu:0"), 422, "GPU_NOT_AVAILABLE", field: "device"),
        Case(ExperimentError.nameTaken("tiny"), 409, "CONFLICT"),
        Case(TrainedModelError.stillTraining(run: "run-1", status: .running), 409, "CONFLICT"),
        Case(RunError.notResumable(id: "run-1", status: .completed), 409, "CONFLICT"),
        Case(ImportError.localImportsDisabled, 403, "FORBIDDEN"),
        Case(APIError.unauthorized, 401, "UNAUTHORIZED"),
        Case(MultipartError.malformed("no closing boundary"), 400, "BAD_REQUEST"),
        Case(MultipartError.tooManyParts(limit: 100), 413, "PAYLOAD_TOO_LARGE"),
        Case(Unexpected(), 500, "INTERNAL_ERROR"),
    ]

    @Test(arguments: cases) func aDomainErrorHasTheStudiosStatusCodeAndDetails(_ expected: Case) throws {
        let studio = try Self.answer(shaped(ErrorShapes.studio) { _ in throw expected.error })
        #expect(studio.status == expected.status)
        let envelope = try #require(studio.json as? [String: Any])
        #expect(Set(envelope.keys) == ["status", "error"] && envelope["status"] as? String == "error")
        let error = try #require(envelope["error"] as? [String: Any])
        let message = try #require(error["message"] as? String)
        #expect(error["code"] as? String == expected.code)
        if let field = expected.field {
            let details = try #require(error["details"] as? [String: String], "\(error)")
            #expect(details["field"] == field && message == "\(field) \(details["reason"] ?? "")")
        } else {
            #expect(error["details"] == nil, "\(error)")
        }
        // Nothing of an unexpected error reaches the client but the request id to find it by in the log.
        if expected.code == "INTERNAL_ERROR" { #expect(message == "internal error (request id test)") }

        let plain = try Self.answer(shaped(ErrorShapes.plain) { _ in throw expected.error })
        #expect(plain.status == expected.elsewhere)
        #expect((plain.json as? [String: String]) == ["error": message])
    }

    /// A format Quarry does not make is the spec's code; a format that is not a string, a validation error.
    @Test func anExportFormatQuarryDoesNotMakeIsUnavailable() throws {
        func refusal(_ body: String) throws -> APIError? {
            do {
                _ = try JSON.decode(ModelExportRequestBody.self, from: Data(body.utf8)).request
                return nil
            } catch {
                return error
            }
        }
        let unavailable = try #require(try refusal(#"{"experiment_id": "e", "run_id": "r", "format": "torchscript"}"#))
        #expect(unavailable.status == .unprocessableContent && unavailable.code == "EXPORT_FORMAT_UNAVAILABLE")
        #expect(unavailable.details == APIError.Details(field: "format", reason: "'torchscript' is not available: onnx or quarry or pytorch or safetensors"))
        let malformed = try #require(try refusal(#"{"experiment_id": "e", "run_id": "r", "format": 3}"#))
        #expect(malformed.code == "VALIDATION_ERROR" && malformed.details?.field == "format")
    }

    /// Errors raised before any handler runs keep their status under /api/, one upper-case code each.
    @Test func httpLayerErrorsUnderTheStudioPathHaveOneCodePerStatus() throws {
        let directory = try TemporaryDirectory("quarry-studio-errors")
        defer { directory.remove() }
        let services = try Services(dataDirectory: directory.path, settings: TestDatabases.settings())
        defer { services.close() }
        let app = App(services: services, configuration: App.Configuration())
        let codes: [(Status, String)] = [
            (.badRequest, "BAD_REQUEST"), (.notFound, "NOT_FOUND"), (.methodNotAllowed, "METHOD_NOT_ALLOWED"),
            (.requestTimeout, "REQUEST_TIMEOUT"), (.contentTooLarge, "PAYLOAD_TOO_LARGE"), (.uriTooLong, "URI_TOO_LONG"),
            (.unsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"), (.expectationFailed, "EXPECTATION_FAILED"),
            (.headerFieldsTooLarge, "HEADERS_TOO_LARGE"), (.internalServerError, "INTERNAL_ERROR"), (.notImplemented, "NOT_IMPLEMENTED"),
            (.serviceUnavailable, "UNAVAILABLE"), (.versionNotSupported, "HTTP_VERSION_NOT_SUPPORTED"),
            (.insufficientStorage, "INSUFFICIENT_STORAGE"),
        ]
        for (status, code) in codes {
            let answer = try Self.answer(app.errorResponder(status, "refused", Self.head("/api/projects")))
            #expect(answer.status == status.code, "\(status.code)")
            #expect(Self.text(answer.body) == #"{"error":{"code":"\#(code)","message":"refused"},"status":"error"}"#)
        }
        #expect(Set(codes.map(\.1)).count == codes.count && codes.allSatisfy { $0.1 == $0.1.uppercased() })
    }

    /// A server whose database does not answer says so in the error shape, to a monitor without a key.
    @Test func degradedHealthIsAnError() throws {
        let directory = try TemporaryDirectory("quarry-degraded")
        defer { directory.remove() }
        let services = try Services(dataDirectory: directory.path, settings: TestDatabases.settings())
        let app = App(services: services, configuration: App.Configuration())
        guard case .found(let route, _) = app.router.match(.get, path: "/api/system/health") else {
            Issue.record("no health route")
            return
        }
        #expect(try Self.answer(route.handler(Self.request("/api/system/health"))).status == 200)
        services.close()
        let degraded = try Self.answer(route.handler(Self.request("/api/system/health")))
        #expect(degraded.status == 503)
        #expect(Self.text(degraded.body)
            == #"{"error":{"code":"UNAVAILABLE","message":"degraded: the database does not answer"},"status":"error"}"#)
    }

    @Test func booleanQueryParametersTakeEveryUsualSpelling() throws {
        for (spelling, value) in [("true", true), ("True", true), ("TRUE", true), ("1", true), ("yes", true), ("On", true),
                                  ("false", false), ("False", false), ("0", false), ("no", false), ("OFF", false)] {
            #expect(try Self.request("/x?filter_correct=\(spelling)").boolean("filter_correct") == value, "\(spelling)")
        }
        #expect(try Self.request("/x").boolean("filter_correct") == nil)
        #expect(try Self.request("/x?filter_correct=").boolean("filter_correct") == nil)
        #expect(throws: APIError.invalid("filter_correct", "must be true or false (or 1/0, yes/no, on/off)")) {
            try Self.request("/x?filter_correct=maybe").boolean("filter_correct")
        }
    }

    private struct Answer {
        let status: Int
        let body: ResponseBody

        var json: Any? { try? JSONSerialization.jsonObject(with: Data(StudioErrorTests.text(body).utf8)) }
    }

    private static func answer(_ response: Response) throws -> Answer { Answer(status: response.status.code, body: response.body) }

    private static func answer(_ handler: Handler) throws -> Answer { try answer(handler(request("/api/test"))) }

    private static func head(_ target: String) -> RequestHead {
        RequestHead(method: .get, target: target, version: .http1_1, headers: HTTPFields(), keepAlive: true, expectsContinue: false)
    }

    private static func request(_ target: String) -> Request {
        Request(head: head(target), body: .empty, requestID: "test", remoteAddress: "127.0.0.1")
    }

    private static func text(_ body: ResponseBody) -> String {
        if case .bytes(let bytes) = body { return String(decoding: bytes, as: UTF8.self) }
        return ""
    }
}
