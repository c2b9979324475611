// GoalSet+Site: which site of a dataset's robot reaches for the goals, as its meta.json says.

import Trajectories

extension GoalSet {
    /// The goal site a dataset's `meta.json` names: `goals.kind` "site:NAME" among `site_names`,
    /// else the first of `site_names`; index 0 named "0" when the file names none (or is nil).
    public static func goalSite(meta: JSONValue?) -> (index: Int, name: String) {
        guard let meta else { return (0, "0") }
        var names: [String] = []
        if case .array(let items)? = meta["site_names"] { names = items.compactMap { if case .string(let n) = $0 { return n }; return nil } }
        if case .string(let kind)? = meta["goals"]?["kind"], kind.hasPrefix("site:"), let i = names.firstIndex(of: String(kind.dropFirst(5))) {
            return (i, names[i])
        }
        return (0, names.first ?? "0")
    }
}
