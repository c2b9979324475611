/// Playback position over episodes of states: which episode, which (fractional) step, how fast.
/// Pure state; the window maps keys to these calls.
public struct Playback: Equatable, Sendable {
    public let episodes: Int
    /// States per episode (T+1).
    public let length: Int
    public private(set) var episode: Int
    /// Position in states, fractional while playing.
    public private(set) var position: Double = 0
    public var paused = false
    /// Multiple of real time.
    public private(set) var speed = 1.0
    /// States per second of simulated time (1 / timestep).
    public let statesPerSecond: Double
    /// Loop back to the start at the end of an episode.
    public var loops = true

    public init(episodes: Int, length: Int, statesPerSecond: Double, episode: Int = 0, step: Int = 0) {
        self.episodes = max(episodes, 1)
        self.length = max(length, 1)
        self.statesPerSecond = statesPerSecond
        self.episode = min(max(episode, 0), self.episodes - 1)
        self.position = Double(min(max(step, 0), self.length - 1))
    }

    /// The state index shown.
    public var step: Int { min(Int(position), length - 1) }

    /// Advances by `seconds` of wall time unless paused.
    public mutating func advance(seconds: Double) {
        guard !paused, length > 1 else { return }
        position += seconds * speed * statesPerSecond
        if position > Double(length - 1) {
            position = loops ? position.truncatingRemainder(dividingBy: Double(length)) : Double(length - 1)
        }
    }

    /// Moves by whole states (scrubbing), pausing playback.
    public mutating func scrub(_ states: Int) {
        paused = true
        position = Double(min(max(step + states, 0), length - 1))
    }

    public mutating func changeSpeed(by factor: Double) { speed = min(max(speed * factor, 1.0 / 64), 64) }

    /// Moves to another episode (wrapping) and its start.
    public mutating func changeEpisode(by delta: Int) {
        episode = ((episode + delta) % episodes + episodes) % episodes
        position = 0
    }
}
