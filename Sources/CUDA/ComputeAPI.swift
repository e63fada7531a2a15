/// The driver calls that compute: contexts, memory, copies, streams, events, modules and launches.
struct ComputeAPI: @unchecked Sendable {
    typealias Handle = DriverAPI.Handle
    typealias Address = DriverAPI.Address

    let deviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Int32
    let primaryContextRetain: @convention(c) (UnsafeMutablePointer<Handle>, Int32) -> Int32
    let primaryContextRelease: @convention(c) (Int32) -> Int32
    let contextSetCurrent: @convention(c) (Handle) -> Int32
    let memoryGetInfo: @convention(c) (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) -> Int32
    let memoryAllocate: @convention(c) (UnsafeMutablePointer<Address>, Int) -> Int32
    let memoryFree: @convention(c) (Address) -> Int32
    let hostAllocate: @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, Int) -> Int32
    let hostFree: @convention(c) (UnsafeMutableRawPointer?) -> Int32
    let copyHostToDevice: @convention(c) (Address, UnsafeRawPointer?, Int, Handle) -> Int32
    let copyDeviceToHost: @convention(c) (UnsafeMutableRawPointer?, Address, Int, Handle) -> Int32
    let copyDeviceToDevice: @convention(c) (Address, Address, Int, Handle) -> Int32
    let memset32: @convention(c) (Address, UInt32, Int, Handle) -> Int32
    let streamCreate: @convention(c) (UnsafeMutablePointer<Handle>, UInt32) -> Int32
    let streamDestroy: @convention(c) (Handle) -> Int32
    let streamSynchronize: @convention(c) (Handle) -> Int32
    let streamWaitEvent: @convention(c) (Handle, Handle, UInt32) -> Int32
    let eventCreate: @convention(c) (UnsafeMutablePointer<Handle>, UInt32) -> Int32
    let eventRecord: @convention(c) (Handle, Handle) -> Int32
    let eventSynchronize: @convention(c) (Handle) -> Int32
    let eventDestroy: @convention(c) (Handle) -> Int32
    let moduleLoadData: @convention(c) (UnsafeMutablePointer<Handle>, UnsafeRawPointer) -> Int32
    let moduleUnload: @convention(c) (Handle) -> Int32
    let moduleGetFunction: @convention(c) (UnsafeMutablePointer<Handle>, Handle, UnsafePointer<CChar>) -> Int32
    let launchKernel: @convention(c) (
        Handle, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, Handle,
        UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> Int32

    init(_ library: DynamicLibrary, name: String) throws(GPUError) {
        deviceGetAttribute = try library.require("cuDeviceGetAttribute", from: name)
        primaryContextRetain = try library.require("cuDevicePrimaryCtxRetain", from: name)
        primaryContextRelease = try library.require("cuDevicePrimaryCtxRelease_v2", from: name)
        contextSetCurrent = try library.require("cuCtxSetCurrent", from: name)
        memoryGetInfo = try library.require("cuMemGetInfo_v2", from: name)
        memoryAllocate = try library.require("cuMemAlloc_v2", from: name)
        memoryFree = try library.require("cuMemFree_v2", from: name)
        hostAllocate = try library.require("cuMemAllocHost_v2", from: name)
        hostFree = try library.require("cuMemFreeHost", from: name)
        copyHostToDevice = try library.require("cuMemcpyHtoDAsync_v2", from: name)
        copyDeviceToHost = try library.require("cuMemcpyDtoHAsync_v2", from: name)
        copyDeviceToDevice = try library.require("cuMemcpyDtoDAsync_v2", from: name)
        memset32 = try library.require("cuMemsetD32Async", from: name)
        streamCreate = try library.require("cuStreamCreate", from: name)
        streamDestroy = try library.require("cuStreamDestroy_v2", from: name)
        streamSynchronize = try library.require("cuStreamSynchronize", from: name)
        streamWaitEvent = try library.require("cuStreamWaitEvent", from: name)
        eventCreate = try library.require("cuEventCreate", from: name)
        eventRecord = try library.require("cuEventRecord", from: name)
        eventSynchronize = try library.require("cuEventSynchronize", from: name)
        eventDestroy = try library.require("cuEventDestroy_v2", from: name)
        moduleLoadData = try library.require("cuModuleLoadData", from: name)
        moduleUnload = try library.require("cuModuleUnload", from: name)
        moduleGetFunction = try library.require("cuModuleGetFunction", from: name)
        launchKernel = try library.require("cuLaunchKernel", from: name)
    }
}
