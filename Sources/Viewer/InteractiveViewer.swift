import CGLFW
import Foundation
import Scene

/// A window that plays episodes: poll input → update camera and playback → build the scene →
/// render → swap. Mouse: left-drag orbits, right-drag (or shift + left) pans, scroll zooms.
public final class InteractiveViewer {
    /// Builds the scene of an episode at a step; a nil camera asks for the default framing.
    public typealias SceneSource = (_ episode: Int, _ step: Int, _ camera: Camera?, _ hidden: Set<Layer>) throws -> Scene

    public static let help = [
        "space  play / pause          left/right  step -/+1 (shift: 10)",
        "up/down  speed x2 / /2       n/p  next / previous episode",
        "drag  orbit   right-drag or shift-drag  pan   scroll  zoom",
        "t  trails   w  world geoms   g  ghosts   r  reset camera",
        "1-9  layers: robot context future ghost prediction trail goal world contact   c  contacts",
        "s  screenshot (view-N.png)   h  help on/off   q/esc  quit",
    ]

    /// Help lines of the command's own keys, shown after `help`.
    public var extraHelp: [String] = []
    /// Status lines added to the HUD each frame (e.g. the Langevin step), read on the frame loop.
    public var status: () -> [String] = { [] }
    /// The command's own keys: called on a key press before the built-in keys; returns whether it
    /// handled the key.
    public var onKey: (_ key: Int32, _ shift: Bool) -> Bool = { _, _ in false }
    /// Called once per frame before the scene is built (take the latest background snapshot here).
    public var beforeFrame: () throws -> Void = {}
    /// A left press (without shift) at `cursor` in a window of `size` (both in window units, as
    /// `Camera.project` takes them) seen by `camera`: returns whether the command takes the drag
    /// (e.g. a goal under the cursor); then cursor moves go to `onDrag` instead of orbiting.
    public var onPress: (_ cursor: SIMD2<Double>, _ size: SIMD2<Int>, _ camera: Camera) -> Bool = { _, _, _ in false }
    /// Cursor moves during a drag that `onPress` took.
    public var onDrag: (_ cursor: SIMD2<Double>, _ size: SIMD2<Int>, _ camera: Camera) -> Void = { _, _, _ in }
    /// The end of a drag that `onPress` took.
    public var onRelease: () -> Void = {}

    private let window: OpaquePointer
    /// The window's renderer (settings such as `translucency` may be changed before `run`).
    public let renderer: Renderer
    private let source: SceneSource
    private var playback: Playback
    private var camera: Camera?
    private var hidden: Set<Layer> = []
    /// The HUD shows one line "h  help" until `h` (the keys are printed on the terminal at start).
    private var showHelp = false
    private var dragging: Int32 = -1
    /// Whether the current left drag belongs to the command (`onPress` took it).
    private var commandDrag = false
    private var lastCursor = SIMD2<Double>(0, 0)
    private var shift = false
    private var screenshots = 0
    private var frameMilliseconds = 0.0
    private var lastError: Error?
    private let samples: Int

    public init(title: String, width: Int = 1280, height: Int = 720, samples: Int = 4, playback: Playback,
                source: @escaping SceneSource) throws {
        window = try GLFW.makeWindow(width: width, height: height, title: title, visible: true, samples: samples)
        glfwSwapInterval(1)
        // HiDPI: text in framebuffer pixels, scaled with the monitor's content scale
        var sx: Float = 1, sy: Float = 1
        glfwGetWindowContentScale(window, &sx, &sy)
        renderer = try Renderer(fontPixels: Int((15 * max(1, min(sx, 4))).rounded()))
        self.playback = playback
        self.source = source
        self.samples = samples
        installCallbacks()
    }

    /// Every key the window knows: the built-in ones and the command's own.
    public var allHelp: [String] { Self.help + extraHelp }

    deinit { glfwDestroyWindow(window) }

    /// Runs until the window closes or `q`/Esc; rethrows a scene-building error.
    public func run() throws {
        print(allHelp.joined(separator: "\n"))
        fflush(stdout)
        var last = glfwGetTime()
        while glfwWindowShouldClose(window) == 0 {
            glfwPollEvents()
            let now = glfwGetTime()
            playback.advance(seconds: now - last)
            last = now
            var fbw: Int32 = 0, fbh: Int32 = 0
            glfwGetFramebufferSize(window, &fbw, &fbh)
            guard fbw > 0, fbh > 0 else { continue }  // minimised
            let start = glfwGetTime()
            try beforeFrame()
            let scene = try source(playback.episode, playback.step, camera, hidden)
            if camera == nil { camera = scene.camera }
            renderer.draw(scene, width: Int(fbw), height: Int(fbh), hud: hud())
            glFinish()
            frameMilliseconds = 0.9 * frameMilliseconds + 0.1 * (glfwGetTime() - start) * 1000
            glfwSwapBuffers(window)
            if let lastError { throw lastError }
        }
    }

    private func hud() -> [String] {
        var lines = [String(format: "episode %d/%d  step %d/%d  speed x%g%@  frame %.1f ms",
                            playback.episode + 1, playback.episodes, playback.step, playback.length - 1,
                            playback.speed, playback.paused ? "  (paused)" : "", frameMilliseconds)]
        lines += status()
        if !hidden.isEmpty { lines.append("hidden: " + hidden.sorted().map(\.rawValue).joined(separator: " ")) }
        if showHelp { lines += allHelp } else { lines.append("h  help") }
        return lines
    }

    // MARK: - Input

    private func key(_ key: Int32, action: Int32, mods: Int32) {
        shift = mods & GLFW_MOD_SHIFT != 0
        guard action == GLFW_PRESS || action == GLFW_REPEAT else { return }
        if onKey(key, shift) { return }
        switch key {
        case GLFW_KEY_ESCAPE, GLFW_KEY_Q: glfwSetWindowShouldClose(window, GLFW_TRUE)
        case GLFW_KEY_SPACE: playback.paused.toggle()
        case GLFW_KEY_RIGHT: playback.scrub(shift ? 10 : 1)
        case GLFW_KEY_LEFT: playback.scrub(shift ? -10 : -1)
        case GLFW_KEY_UP: playback.changeSpeed(by: 2)
        case GLFW_KEY_DOWN: playback.changeSpeed(by: 0.5)
        case GLFW_KEY_N: playback.changeEpisode(by: 1)
        case GLFW_KEY_P: playback.changeEpisode(by: -1)
        case GLFW_KEY_T: toggle(.trail)
        case GLFW_KEY_W: toggle(.world)
        case GLFW_KEY_G: toggle(.ghost)
        case GLFW_KEY_R: camera = nil
        case GLFW_KEY_C: toggle(.contact)
        case GLFW_KEY_1...GLFW_KEY_9: toggle(Layer.allCases[Int(key - GLFW_KEY_1)])
        case GLFW_KEY_H:
            showHelp.toggle()
            if showHelp { print(allHelp.joined(separator: "\n")); fflush(stdout) }
        case GLFW_KEY_S: saveScreenshot()
        default: break
        }
    }

    private func toggle(_ layer: Layer) {
        if hidden.contains(layer) { hidden.remove(layer) } else { hidden.insert(layer) }
    }

    private func saveScreenshot() {
        var w: Int32 = 0, h: Int32 = 0
        glfwGetFramebufferSize(window, &w, &h)
        do {
            let offscreen = try OffscreenRenderer(width: Int(w), height: Int(h), samples: samples)
            let scene = try source(playback.episode, playback.step, camera, hidden)
            screenshots += 1
            let path = "view-\(screenshots).png"
            try offscreen.render(scene).writePNG(to: path)
            print("wrote \(path)")
        } catch {
            print("screenshot failed: \(error)")
        }
    }

    private func cursor(_ x: Double, _ y: Double) {
        defer { lastCursor = SIMD2(x, y) }
        guard dragging >= 0, var c = camera else { return }
        var ww: Int32 = 0, wh: Int32 = 0
        glfwGetWindowSize(window, &ww, &wh)  // cursor positions are in window (not framebuffer) units
        if commandDrag {
            onDrag(SIMD2(x, y), SIMD2(Int(ww), Int(wh)), c)
            return
        }
        let d = SIMD2(x, y) - lastCursor, scale = 1 / Double(max(wh, 1))
        if dragging == GLFW_MOUSE_BUTTON_RIGHT || (dragging == GLFW_MOUSE_BUTTON_LEFT && shift) {
            c.pan(right: -d.x * scale, up: d.y * scale)
        } else {
            c.orbit(azimuth: -d.x * 0.4, elevation: d.y * 0.4)
        }
        camera = c
    }

    private func button(_ button: Int32, action: Int32, mods: Int32) {
        shift = mods & GLFW_MOD_SHIFT != 0
        dragging = action == GLFW_PRESS ? button : -1
        if action == GLFW_PRESS && button == GLFW_MOUSE_BUTTON_LEFT && !shift, let c = camera {
            var x = 0.0, y = 0.0, ww: Int32 = 0, wh: Int32 = 0
            glfwGetCursorPos(window, &x, &y)
            glfwGetWindowSize(window, &ww, &wh)
            commandDrag = onPress(SIMD2(x, y), SIMD2(Int(ww), Int(wh)), c)
        } else if action == GLFW_RELEASE && commandDrag {
            commandDrag = false
            onRelease()
        }
    }

    private static func of(_ w: OpaquePointer?) -> InteractiveViewer {
        Unmanaged<InteractiveViewer>.fromOpaque(glfwGetWindowUserPointer(w)!).takeUnretainedValue()
    }

    private func installCallbacks() {
        glfwSetWindowUserPointer(window, Unmanaged.passUnretained(self).toOpaque())
        glfwSetKeyCallback(window) { w, key, _, action, mods in InteractiveViewer.of(w).key(key, action: action, mods: mods) }
        glfwSetMouseButtonCallback(window) { w, button, action, mods in
            InteractiveViewer.of(w).button(button, action: action, mods: mods)
        }
        glfwSetCursorPosCallback(window) { w, x, y in InteractiveViewer.of(w).cursor(x, y) }
        glfwSetScrollCallback(window) { w, _, dy in
            let v = InteractiveViewer.of(w)
            v.camera?.zoom(by: pow(0.9, dy))
        }
    }
}
