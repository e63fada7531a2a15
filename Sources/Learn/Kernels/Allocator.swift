import CLinux

/// How the process's allocator treats the large buffers a model's forward and backward make: activations
/// of a 224-pixel batch run to tens of megabytes each, and glibc hands anything over 32 MiB out as a fresh
/// mmap, which costs a page fault and a zeroed page per 4 KiB every time; inference at 224 pixels spent
/// a seventh of its time there. Kept on the heap instead, freed buffers are reused at once.
public enum Allocator {
    /// Large blocks come from the heap up to 1 GiB, and the heap keeps up to 512 MiB free at its top
    /// rather than returning it to the system after every step. Call once, before any training or inference.
    public static func keepLargeBlocks() {
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 29)
        _ = mallopt(M_TOP_PAD, 1 << 26)
    }

    /// Gives free heap memory back to the system, in every arena. With the trim threshold above, glibc
    /// would never do it by itself, and the arenas of the request threads keep the free pages their
    /// peaks left behind; once a minute costs training at most one round of page faults per minute.
    public static func returnFreeMemory() {
        _ = malloc_trim(0)
    }
}
