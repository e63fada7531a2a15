import Glibc

/// A shared library opened at run time, so that nothing CUDA is needed to build or to run without a GPU.
final class DynamicLibrary: @unchecked Sendable {
    // @unchecked: the handle is only read after init, and dlsym is thread-safe.
    private let handle: UnsafeMutableRawPointer

    /// nil when the library is not there (or not loadable), with dlerror's reason in `failure`.
    init?(_ name: String, failure: inout String) {
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
            failure = dlerror().map { String(cString: $0) } ?? "\(name) could not be opened"
            return nil
        }
        self.handle = handle
    }

    /// The function `name` as the C type `T`, or nil when the library lacks it.
    func function<T>(_ name: String, as type: T.Type) -> T? {
        guard let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    deinit { dlclose(handle) }
}

extension DynamicLibrary {
    /// The function `name` as the C type `T`, or an error naming what `library` lacks.
    func require<T>(_ name: String, from library: String) throws(GPUError) -> T {
        guard let function = function(name, as: T.self) else { throw .unavailable("\(library) has no \(name)") }
        return function
    }
}
