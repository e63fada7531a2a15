import HTTP
import Quarry

extension DomainErrors {
    /// A file that is not weights Quarry reads is a refused value, 422 under `/api/`, its message the reader's.
    static func weights(_ error: WeightsFileError) -> APIError {
        switch error {
        case .invalidName: .invalid("name", "must be \(WeightsFileError.nameRule)")
        case .nameTaken: .conflict(error.description)
        case .notFound: .notFound(error.description)
        case .tooLarge: APIError(.contentTooLarge, error.description)
        case .unreadable: .badRequest(error.description)
        case .inFolder: APIError(.forbidden, error.description)
        }
    }
}
