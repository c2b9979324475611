import Foundation

/// Scale factors applied to a robot's MJCF text before it is compiled: the recipe field
/// `"physics": {"mass_scale": 2, "damping_scale": 5, "gear_scale": 0.5}` (each optional, default 1).
///
/// Editing the text (not the compiled model) keeps one source of truth: the changed model is an
/// ordinary MJCF whose SHA-256 (`meta.json`'s `model_sha256`) differs from the original's, so a
/// dataset generated with changed physics can never pass for the original.
///
/// - `mass_scale` multiplies every geom's `mass` and `density`, every `<inertial>`'s `mass`,
///   `diaginertia` and `fullinertia`, and sets the root default geom density to 1000·scale (the
///   MJCF default of 1000 kg/m³) when no density is given there. Link masses and link inertias
///   scale; joint `armature` (rotor inertia) does not.
/// - `damping_scale` multiplies every joint's `damping` (the MJCF default 0 stays 0).
/// - `gear_scale` multiplies every motor's `gear` (all six numbers) and sets the root default motor
///   gear to the scale (the MJCF default gear is 1) when none is given there.
/// - `controller_model`: `"changed"` (default) builds the policy (its gravity compensation, feedforward
///   and scheduled gains) from the changed model, so a model-based controller hides the change;
///   `"nominal"` builds it from the unchanged robot, as a controller tuned before the change would be.
public struct PhysicsModification: Equatable, Sendable, CustomStringConvertible {
    /// Multiplies link masses and inertias (unitless).
    public var massScale: Double
    /// Multiplies joint damping (unitless).
    public var dampingScale: Double
    /// Multiplies actuator gears (unitless).
    public var gearScale: Double
    /// The policy is built from the unchanged robot (`controller_model: "nominal"`).
    public var nominalController: Bool

    public init(massScale: Double = 1, dampingScale: Double = 1, gearScale: Double = 1, nominalController: Bool = false) {
        (self.massScale, self.dampingScale, self.gearScale, self.nominalController) = (massScale, dampingScale, gearScale, nominalController)
    }

    /// Reads the recipe's `physics` object; errors name the file and field.
    public init(_ object: RecipeObject) throws {
        try object.rejectUnknownKeys(["mass_scale", "damping_scale", "gear_scale", "controller_model"])
        massScale = try object.double("mass_scale", default: 1, in: 1e-6...1e6)
        dampingScale = try object.double("damping_scale", default: 1, in: 0...1e6)
        gearScale = try object.double("gear_scale", default: 1, in: 1e-6...1e6)
        switch try object.string("controller_model", default: "changed") ?? "changed" {
        case "changed": nominalController = false
        case "nominal": nominalController = true
        case let other: throw object.error("controller_model", "'\(other)' is not changed or nominal")
        }
    }

    /// True when nothing changes.
    public var isIdentity: Bool { massScale == 1 && dampingScale == 1 && gearScale == 1 }

    public var description: String {
        "mass ×\(massScale), damping ×\(dampingScale), gear ×\(gearScale)" + (nominalController ? ", controller from the nominal model" : "")
    }

    // MARK: - Editing the MJCF

    /// The MJCF `xml` with the scale factors applied. Comments and untouched tags are copied byte
    /// for byte; `file` names the source in errors.
    public func apply(toMJCF xml: String, file: String? = nil) throws -> String {
        let tags = try MJCFTags(xml, file: file)
        // the attributes a root <default> must carry so that elements inheriting the MJCF default scale too
        var rootDefaults: [(element: String, attribute: String, value: Double)] = []
        if massScale != 1 { rootDefaults.append(("geom", "density", 1000 * massScale)) }
        if gearScale != 1 { rootDefaults.append(("motor", "gear", gearScale)) }

        var out = ""
        var cursor = xml.startIndex
        let rootDefault = tags.items.firstIndex { $0.name == "default" && $0.path == ["mujoco"] && !$0.isClosing }
        var seenInRootDefault = Set<String>()
        for (index, tag) in tags.items.enumerated() {
            out += xml[cursor..<tag.range.lowerBound]
            cursor = tag.range.upperBound
            if tag.isClosing {
                // close of the root <default>: add the defaults it lacked
                if tag.name == "default", tag.path == ["mujoco"], let r = rootDefault, index > r {
                    for d in rootDefaults where !seenInRootDefault.contains(d.element) {
                        out += "<\(d.element) \(d.attribute)=\"\(Self.format(d.value))\"/>"
                    }
                }
                out += xml[tag.range]
                continue
            }
            var attributes = tag.attributes
            var changed = false
            func scale(_ key: String, by factor: Double) throws {
                guard factor != 1, let i = attributes.firstIndex(where: { $0.key == key }) else { return }
                let numbers = try attributes[i].value.split(whereSeparator: \.isWhitespace).map { text -> Double in
                    guard let x = Double(text) else {
                        throw DatasetError.invalid("\(Self.line(of: tag.range.lowerBound, in: xml)): <\(tag.name) \(key)=\"\(attributes[i].value)\">: not a list of numbers", file: file)
                    }
                    return x
                }
                attributes[i].value = numbers.map { Self.format($0 * factor) }.joined(separator: " ")
                changed = true
            }
            switch tag.name {
            case "geom": try scale("mass", by: massScale); try scale("density", by: massScale)
            case "inertial": for key in ["mass", "diaginertia", "fullinertia"] { try scale(key, by: massScale) }
            case "joint": try scale("damping", by: dampingScale)
            case "motor": try scale("gear", by: gearScale)
            default: break
            }
            let inRootDefault = rootDefault != nil && tag.path == ["mujoco", "default"] && Self.isInside(index, rootDefault!, tags)
            if inRootDefault {
                seenInRootDefault.insert(tag.name)
                for d in rootDefaults where d.element == tag.name && !attributes.contains(where: { $0.key == d.attribute }) {
                    attributes.append((d.attribute, Self.format(d.value)))
                    changed = true
                }
            }
            if changed {
                out += "<" + tag.name + attributes.map { " \($0.key)=\"\($0.value)\"" }.joined() + (tag.isSelfClosing ? "/>" : ">")
            } else {
                out += xml[tag.range]
            }
            // no root <default>: add one right after <mujoco …>
            if tag.name == "mujoco", tag.path.isEmpty, rootDefault == nil, !rootDefaults.isEmpty {
                out += "<default>" + rootDefaults.map { "<\($0.element) \($0.attribute)=\"\(Self.format($0.value))\"/>" }.joined() + "</default>"
            }
        }
        out += xml[cursor...]
        return out
    }

    /// Whether tag `index` lies between the root default's start tag `start` and its close.
    private static func isInside(_ index: Int, _ start: Int, _ tags: MJCFTags) -> Bool {
        guard index > start else { return false }
        for j in (start + 1)..<index where tags.items[j].isClosing && tags.items[j].name == "default" && tags.items[j].path == ["mujoco"] {
            return false
        }
        return true
    }

    /// Shortest round-trip decimal ("2000", "0.5").
    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }

    static func line(of index: String.Index, in text: String) -> String {
        "line \(text[..<index].reduce(1) { $1 == "\n" ? $0 + 1 : $0 })"
    }
}

/// The element tags of an XML text in document order (comments, declarations and text skipped),
/// each with its attributes and the names of the open elements around it.
struct MJCFTags {
    struct Tag {
        var name: String
        var attributes: [(key: String, value: String)]
        /// The tag's characters, `<` to `>`.
        var range: Range<String.Index>
        var isClosing: Bool, isSelfClosing: Bool
        /// Names of the enclosing open elements, outermost first (for a closing tag: those around its element).
        var path: [String]
    }
    var items: [Tag] = []

    init(_ xml: String, file: String?) throws {
        var stack: [String] = []
        var i = xml.startIndex
        func fail(_ message: String, _ at: String.Index) -> DatasetError {
            DatasetError.invalid("\(PhysicsModification.line(of: at, in: xml)): \(message)", file: file)
        }
        while let open = xml[i...].firstIndex(of: "<") {
            let rest = xml[open...]
            if rest.hasPrefix("<!--") {
                guard let end = rest.range(of: "-->") else { throw fail("unterminated comment", open) }
                i = end.upperBound
                continue
            }
            if rest.hasPrefix("<?") || rest.hasPrefix("<!") {
                guard let end = rest.firstIndex(of: ">") else { throw fail("unterminated declaration", open) }
                i = xml.index(after: end)
                continue
            }
            // a tag: find its '>' outside quoted attribute values
            var j = xml.index(after: open)
            var quote: Character?
            while j < xml.endIndex {
                let c = xml[j]
                if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c } else if c == ">" { break }
                j = xml.index(after: j)
            }
            guard j < xml.endIndex else { throw fail("unterminated tag", open) }
            let range = open..<xml.index(after: j)
            var body = Substring(xml[xml.index(after: open)..<j])
            let isClosing = body.hasPrefix("/")
            if isClosing { body = body.dropFirst() }
            let isSelfClosing = body.hasSuffix("/")
            if isSelfClosing { body = body.dropLast() }
            let name = String(body.prefix { !$0.isWhitespace })
            guard !name.isEmpty else { throw fail("a tag without a name", open) }
            var attributes: [(key: String, value: String)] = []
            var a = body.dropFirst(name.count)
            while true {
                a = a.drop { $0.isWhitespace }
                if a.isEmpty { break }
                guard let eq = a.firstIndex(of: "=") else { throw fail("<\(name)>: attribute without a value", open) }
                let key = String(a[..<eq]).trimmingCharacters(in: .whitespaces)
                a = a[a.index(after: eq)...].drop { $0.isWhitespace }
                guard let q = a.first, q == "\"" || q == "'", let close = a.dropFirst().firstIndex(of: q) else {
                    throw fail("<\(name) \(key)=…>: the value must be quoted", open)
                }
                attributes.append((key, String(a[a.index(after: a.startIndex)..<close])))
                a = a[a.index(after: close)...]
            }
            if isClosing {
                guard stack.last == name else { throw fail("</\(name)> closes <\(stack.last ?? "nothing")>", open) }
                stack.removeLast()
                items.append(Tag(name: name, attributes: [], range: range, isClosing: true, isSelfClosing: false, path: stack))
            } else {
                items.append(Tag(name: name, attributes: attributes, range: range, isClosing: false, isSelfClosing: isSelfClosing, path: stack))
                if !isSelfClosing { stack.append(name) }
            }
            i = range.upperBound
        }
        guard stack.isEmpty else { throw DatasetError.invalid("unclosed <\(stack.last!)>", file: file) }
    }
}
