import Synchronization

extension GEMM {
    /// Packed panels for one task of a blocked multiply: a slice of A for up to `Blocking.height` rows and one
    /// block of B. Allocated once and reused, since training calls GEMM thousands of times a second.
    final class Workspace: @unchecked Sendable {
        let a: UnsafeMutablePointer<Float>
        let b: UnsafeMutablePointer<Float>

        init() {
            // packA's last 16-lane store may run 4 floats past its panels.
            a = Self.allocate(Blocking.height * Blocking.depth + 16)
            b = Self.allocate(Blocking.depth * Blocking.width)
        }

        deinit {
            a.deallocate()
            b.deallocate()
        }

        /// 64-byte aligned, so each packed vector is one cache line.
        private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
            UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
                .bindMemory(to: Float.self, capacity: count)
        }

        /// Free workspaces. It grows to the most tasks that ever ran at once (threads × concurrent callers,
        /// such as several training runs) and keeps them.
        private static let free = Mutex<[Workspace]>([])

        static func with<Result>(_ body: (Workspace) -> Result) -> Result {
            let workspace = free.withLock { $0.popLast() } ?? Workspace()
            defer { free.withLock { $0.append(workspace) } }
            return body(workspace)
        }
    }
}
