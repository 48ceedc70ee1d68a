import Foundation

/// The machine a result was measured on (recorded beside timings).
public struct MachineDescription: Codable, Sendable, Equatable {
    /// Operating system and kernel.
    public var system: String
    /// Processor model.
    public var processor: String
    /// Active processor count.
    public var cores: Int
    /// Physical memory in GiB.
    public var memoryGiB: Double
    /// The instruction set the evaluator's kernels ran with (absent in files from before it was
    /// recorded). It changes only the speed: every version gives the same bits.
    public var kernels: InstructionSet?
}

extension MachineDescription {
    /// This machine.
    public static var current: MachineDescription {
        let info = ProcessInfo.processInfo
        var processor = "unknown"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let name = line.split(separator: ":", maxSplits: 1).last
        {
            processor = name.trimmingCharacters(in: .whitespaces)
        }
        return MachineDescription(
            system: info.operatingSystemVersionString, processor: processor, cores: info.activeProcessorCount,
            memoryGiB: (Double(info.physicalMemory) / Double(1 << 30) * 10).rounded() / 10,
            kernels: InstructionSet.inUse)
    }
}
