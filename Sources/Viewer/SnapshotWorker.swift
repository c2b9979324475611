// SnapshotWorker: the background half of a live view — turns the newest request into a snapshot
// on its own thread; the frame loop copies the latest snapshot under a lock and never waits.

import Foundation

/// Runs `work` on a background thread for the newest request; requests that arrive while one runs
/// collapse into the newest. Each published snapshot gets the next version number, so a frame loop
/// rebuilds its scene only on change.
public final class SnapshotWorker<Request, Snapshot>: @unchecked Sendable {
    private let name: String
    private let work: (Request) -> Snapshot
    private let condition = NSCondition()
    private var pending: Request?
    private var latest: Snapshot?
    private var version = 0
    private var busy = false, stopped = false

    /// A worker that runs `work` (on its thread, named `name`, once started).
    public init(name: String, work: @escaping (Request) -> Snapshot) {
        (self.name, self.work) = (name, work)
    }

    /// The latest snapshot (nil before the first), its version (0 before the first) and whether a
    /// newer one is being made or waits to be.
    public func snapshot() -> (latest: Snapshot?, version: Int, working: Bool) {
        condition.lock()
        defer { condition.unlock() }
        return (latest, version, busy || pending != nil)
    }

    /// Asks for a snapshot of `request`, replacing any request not yet started.
    public func request(_ request: Request) {
        condition.lock()
        pending = request
        condition.broadcast()
        condition.unlock()
    }

    /// Starts the background thread with a first request.
    public func start(first: Request) {
        request(first)
        let t = Thread { [self] in loop() }
        t.name = name
        t.start()
    }

    /// Ends the background thread after its current request.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `request` on the calling thread (headless use) and publishes the snapshot.
    @discardableResult
    public func runSynchronously(_ request: Request) -> Snapshot {
        let s = work(request)
        publish(s)
        return s
    }

    private func publish(_ s: Snapshot) {
        condition.lock()
        (latest, version) = (s, version + 1)
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while pending == nil && !stopped { condition.wait() }
            if stopped { condition.unlock(); return }
            let request = pending!
            (pending, busy) = (nil, true)
            condition.unlock()
            let s = work(request)
            condition.lock()
            (latest, version, busy) = (s, version + 1, false)
            condition.unlock()
        }
    }
}
