/// Colours and opacity per layer, so that the real robot, the real future, sampled ghosts and
/// predictions are told apart at a glance.
public struct Palette: Equatable, Sendable {
    /// How one layer is drawn.
    public struct Style: Equatable, Sendable {
        /// RGB in [0, 1] replacing the geom's own colour; nil keeps the MJCF colour.
        public var colour: SIMD3<Float>?
        /// Opacity in [0, 1], multiplied with the geom's own alpha.
        public var opacity: Float

        public init(colour: SIMD3<Float>?, opacity: Float) {
            self.colour = colour
            self.opacity = opacity
        }
    }

    public var styles: [Layer: Style]
    /// Colour of site trails of the real trajectory (ghost trails use the ghost colour).
    public var trail: SIMD4<Float>
    /// Clear colour of the view.
    public var background: SIMD3<Float>
    /// Colour of the ground grid lines.
    public var grid: SIMD4<Float>

    public init(styles: [Layer: Style], trail: SIMD4<Float>, background: SIMD3<Float>, grid: SIMD4<Float>) {
        self.styles = styles
        self.trail = trail
        self.background = background
        self.grid = grid
    }

    /// The default palette: MJCF colours for the robot, a blue-grey fade for context, green for
    /// the real future, translucent magenta ghosts, orange predictions, red goals, cyan contacts.
    public static let standard = Palette(
        styles: [
            .robot: Style(colour: nil, opacity: 1),
            .world: Style(colour: nil, opacity: 1),
            .context: Style(colour: SIMD3(0.55, 0.62, 0.75), opacity: 0.35),
            .future: Style(colour: SIMD3(0.20, 0.75, 0.35), opacity: 1),
            .ghost: Style(colour: SIMD3(0.85, 0.30, 0.90), opacity: 0.30),
            .prediction: Style(colour: SIMD3(1.00, 0.55, 0.10), opacity: 0.70),
            .trail: Style(colour: SIMD3(1.00, 0.85, 0.20), opacity: 0.90),
            .goal: Style(colour: SIMD3(0.90, 0.15, 0.15), opacity: 1),
            .contact: Style(colour: SIMD3(0.05, 0.85, 0.80), opacity: 1),
        ],
        trail: SIMD4(1.00, 0.85, 0.20, 0.90),
        background: SIMD3(0.93, 0.94, 0.96),
        grid: SIMD4(0.70, 0.72, 0.76, 1))

    public func style(_ layer: Layer) -> Style { styles[layer] ?? Style(colour: nil, opacity: 1) }

    /// The colour of a geom drawn on `layer`: the layer's colour (or the geom's own) and the
    /// product of opacities.
    public func colour(of geomRGBA: SIMD4<Float>, on layer: Layer) -> SIMD4<Float> {
        let s = style(layer)
        let rgb = s.colour ?? SIMD3(geomRGBA.x, geomRGBA.y, geomRGBA.z)
        return SIMD4(rgb, geomRGBA.w * s.opacity)
    }

    /// The colour of a line on `layer` (trails of ghosts take the ghost colour, half opaque).
    public func lineColour(on layer: Layer) -> SIMD4<Float> {
        let s = style(layer)
        switch layer {
        case .trail, .robot, .world: return trail
        default: return SIMD4(s.colour ?? SIMD3(trail.x, trail.y, trail.z), min(1, max(s.opacity, 0.5)))
        }
    }
}
