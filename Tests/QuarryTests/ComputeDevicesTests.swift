import CUDA
import Foundation
import Learn
@testable import Quarry
import QuarryTesting
import Testing

/// Which device a run, evaluation or pre-labeler computes on, against the emulated driver
/// (`make emulated-gpu`): absent GPUs refused by name, the default choice, a missing kernel file as a
/// clear error, and a GPU busy while anything computes on it.
struct ComputeDevicesTests {
    @Test func devicesAreCheckedChosenAndCountedBusy() throws {
        let missing = EmulatedDevice.configure()
        try #require(missing == nil, "\(missing ?? "")")
        let devices = ComputeDevices(gpus: GPUDevices(driverLibrary: EmulatedDevice.driverPath, log: { _ in }), kernelsPath: nil)
        #expect(devices.unavailability(.cpu) == nil && devices.unavailability(.gpu(0)) == nil)
        #expect(devices.unavailability(.gpu(9)) == "gpu:9 is not available: this server has gpu:0, gpu:1, gpu:2")

        #expect(try devices.choose(nil, preferring: .gpu(9)) == .gpu(0))
        #expect(try devices.choose(nil, preferring: .cpu) == .cpu && devices.choose(.cpu, preferring: .gpu(0)) == .cpu)
        #expect(throws: GPUUnavailable(reason: "gpu:9 is not available: this server has gpu:0, gpu:1, gpu:2")) {
            try devices.choose(.gpu(9), preferring: .cpu)
        }

        // Lists train data-parallel: GPUs only, each once, each here, no more than a batch has samples.
        // What is not a selection is the selection's to say; a GPU that is not here, the devices'.
        #expect(DeviceSelection(list: ["gpu:0"]).problem(batchSize: 1) == nil)
        let problems: [(DeviceSelection, Int, String)] = [
            (DeviceSelection(list: []), 8, "must be cpu, gpu:N or a list of GPUs"),
            (DeviceSelection(list: ["gpu:0", "gpu:x"]), 8, "must be cpu, gpu:N or a list of GPUs"),
            (DeviceSelection(list: ["cpu", "gpu:0"]), 8, "a list trains data-parallel on GPUs only"),
            (DeviceSelection(list: ["gpu:0", "gpu:0"]), 8, "names a GPU twice"),
            (DeviceSelection(list: (0..<17).map { "gpu:\($0)" }), 64, "lists at most 16 GPUs"),
            (DeviceSelection(list: ["gpu:0", "gpu:9"]), 1, "lists 2 GPUs for a batch_size of 1"),
        ]
        for (selection, batch, reason) in problems {
            #expect(selection.problem(batchSize: batch)?.hasPrefix(reason) == true, "\(selection)")
        }
        #expect(throws: Never.self) { try devices.check(DeviceSelection(list: ["gpu:0", "gpu:2"])) }
        #expect(throws: GPUUnavailable(reason: "gpu:9 is not available: this server has gpu:0, gpu:1, gpu:2")) {
            try devices.check(DeviceSelection(list: ["gpu:0", "gpu:9"]))
        }

        #expect(throws: GPUUnavailable(reason: "the GPU kernels (Resources/cuda/kernels.ptx) were not found; set QUARRY_RESOURCES")) {
            try devices.backend(on: .gpu(0))
        }

        #expect(!devices.isBusy(gpu: 0))
        devices.occupying(.gpu(0)) {
            devices.occupying(.gpu(0)) { #expect(devices.isBusy(gpu: 0)) }
            #expect(devices.isBusy(gpu: 0), "busy until the last user leaves")
        }
        #expect(!devices.isBusy(gpu: 0))
    }

    /// A run on two GPUs gets a backend on each, and both are busy while it computes.
    @Test func severalDevicesComputeTogetherAndAreAllBusy() throws {
        let missing = EmulatedDevice.configure()
        try #require(missing == nil, "\(missing ?? "")")
        let devices = ComputeDevices(gpus: GPUDevices(driverLibrary: EmulatedDevice.driverPath, log: { _ in }),
                                     kernelsPath: EmulatedDevice.ptxPath)
        let used = try devices.compute(on: [.gpu(0), .gpu(2)]) { backends in
            #expect(devices.isBusy(gpu: 0) && devices.isBusy(gpu: 2))
            return backends.map(\.device)
        }
        #expect(used == [.gpu(0), .gpu(2)])
        #expect(!devices.isBusy(gpu: 0) && !devices.isBusy(gpu: 2))
    }
}

