import CSim

/// An error from the simulator, carrying the bridge's status and message
/// (for loaders: "file:line: what and why").
public struct SimulationError: Error, CustomStringConvertible, Equatable {
    /// The bridge status, e.g. `SIM_ERR_PARSE`.
    public let status: Int32
    /// What went wrong, naming the file, line, element or batch entry where known.
    public let message: String

    public init(status: Int32, message: String) {
        self.status = status
        self.message = message
    }

    /// The status as its C name, e.g. "SIM_ERR_PARSE".
    public var statusName: String { String(cString: sim_statusName(status)) }

    public var description: String { message.isEmpty ? statusName : message }

    public static let parse = Int32(SIM_ERR_PARSE)
    public static let model = Int32(SIM_ERR_MODEL)
    public static let argument = Int32(SIM_ERR_ARGUMENT)
    public static let nonFinite = Int32(SIM_ERR_NONFINITE)
    public static let io = Int32(SIM_ERR_IO)
    public static let notFound = Int32(SIM_ERR_NOT_FOUND)
    public static let unsupported = Int32(SIM_ERR_UNSUPPORTED)
}

/// Calls a bridge function that fills a message buffer, throwing on a non-OK status.
func checked(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
    var buffer = [CChar](repeating: 0, count: 16384)  // a refused file lists every problem
    let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    if status != SIM_OK {
        let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        throw SimulationError(status: status, message: message)
    }
}

/// Throws for a non-OK status of a call without a message buffer.
func check(_ status: Int32, _ what: @autoclosure () -> String) throws {
    if status != SIM_OK {
        throw SimulationError(status: status, message: "\(what()): \(String(cString: sim_statusName(status)))")
    }
}
