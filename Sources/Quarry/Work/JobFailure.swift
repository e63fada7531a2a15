import CUDA
import Imaging
import Learn
import Storage

/// How a job failed: a stable word a client can act on beside the message a person reads. The job
/// runner records both for every kind (`error_type` and `error`); a run's document shows them
/// (studio-api-related.md asks a failed run for `{"type", "message"}`).
public struct JobFailure: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Device memory ran out: a smaller batch or image size may fit.
        case outOfMemory = "out_of_memory"
        /// The GPU failed, or is not there any more (driver, kernels, a device gone since the start).
        case deviceError = "device_error"
        /// The data cannot train: an image unreadable or missing, the split or its classes gone.
        case dataError = "data_error"
        /// The loss became non-finite: a lower learning rate may help.
        case diverged
        /// The server stopped while it was going (kinds that fail then rather than wait to resume).
        case interrupted
        /// Anything else (a full disk, a corrupt checkpoint, a bug): the message says what.
        case `internal`
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        (self.kind, self.message) = (kind, message)
    }

    /// A thrown error as a failure: its description is the message, as it always was.
    init(_ error: any Error) {
        self.init(Self.kind(of: error), "\(error)")
    }

    private static func kind(of error: any Error) -> Kind {
        switch error {
        case GPUError.outOfMemory: .outOfMemory
        case is GPUError, is GPUUnavailable: .deviceError
        case is ImageError, is DataLoaderError, is SplitError, RunError.notEnoughClasses, StorageError.blobNotFound: .dataError
        case is TrainingError: .diverged
        default: .internal
        }
    }
}
