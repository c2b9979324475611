// mjcf.cpp — reads the supported subset of MuJoCo's MJCF into a ModelSpec.
//
// The subset (README.md lists it; unsupported constructs are collected and all reported, each
// with "file:line: what and why"; what has no effect on the dynamics is ignored with a warning):
//   <mujoco model>, <include file> (spliced in place, see expandIncludes)
//   <compiler angle eulerseq inertiafromgeom autolimits inertiagrouprange coordinate
//     settotalmass meshdir assetdir>
//   <option timestep gravity integrator density viscosity wind solver iterations tolerance
//     ls_iterations ls_tolerance impratio> with <flag ...>
//   <default class> (nested) with <joint> <geom> <site> and every actuator kind
//   <asset> with <mesh> (textures and materials ignored)
//   <worldbody> with <body name pos quat|euler|axisangle|xyaxes|zaxis childclass>, <joint>,
//     <geom> (mesh geoms included), <site>, <inertial>; <camera> and <light> ignored
//   <actuator> with <motor> <position> <velocity> <intvelocity> <damper> <cylinder> <general>
//     on joints and tendons, <adhesion> (and any of those) on a body: MuJoCo's body transmission
//     through the body's contacts (<muscle> refused by name)
//   integrator: Euler, RK4, implicit, implicitfast (SIM_INTEGRATOR_* in that order)
//
// Semantics follow MuJoCo's compiler: defaults and their inheritance, angle units, euler
// sequences, fromto, autolimits, and the mass properties of bodies computed from their geoms
// with MuJoCo's volume and inertia formulas. A body's mass, centre of mass and full inertia
// (about the centre of mass, body frame) are stored in its BodySpec.
//
// XML is read by pugixml (Debian's libpugixml-dev) rather than tinyxml2: tinyxml2 refuses
// documents nested more than 100 elements deep (TINYXML2_MAX_ELEMENT_DEPTH), and a chain of N
// links nests N bodies. pugixml parses without recursion, and so does the MJCF walk below, so
// deep chains cost no stack.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <clocale>
#include <cstdlib>
#include <cstring>
#include <climits>
#include <fstream>
#include <locale>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <pugixml.hpp>

#include "convex.hpp"
#include "model.hpp"

namespace sim {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kEps = 1e-14;     // MuJoCo's mjEPS

[[noreturn]] void fail(int status, const std::string& source, int line, const std::string& what) {
  throw SimError{status, source + ":" + std::to_string(line) + ": " + what};
}

std::string quoted(const std::string& s) {
  std::string t = s.size() > 40 ? s.substr(0, 40) + "..." : s;
  return "'" + t + "'";
}

// MARK: - XML

/// A place in a source file: index into the parser's file table, and a 1-based line.
struct Loc {
  int file = 0;
  int line = 0;
};

struct XAttr {
  std::string name, value;
  Loc line;
};

struct XElem {
  std::string name;
  Loc line;
  int parent = -1;
  std::vector<XAttr> attrs;
  std::vector<int> kids;
};

/// Reads a document with pugixml (a non-recursive parser, so deep chains cost no stack) into a
/// flat list of elements with line numbers; nodes[0] is the root element.
///
/// Text inside elements carries no meaning in MJCF; MuJoCo ignores it, and so does this reader
/// (it is listed among the ignored constructs through `strayText`).
class XmlReader {
 public:
  XmlReader(const std::string& text, const std::string& source, int file)
      : s_(text), src_(source), file_(file) {
    for (size_t i = 0; i < s_.size(); ++i)
      if (s_[i] == '\n') lineStarts_.push_back(i + 1);
  }

  /// Lines of text found inside elements (MuJoCo ignores it; so do we, with a warning).
  std::vector<std::pair<int, std::string>> strayText;

  std::vector<XElem> parse() {
    pugi::xml_document doc;
    const pugi::xml_parse_result result =
        doc.load_buffer(s_.data(), s_.size(), pugi::parse_default | pugi::parse_ws_pcdata_single,
                        pugi::encoding_utf8);
    if (result.status == pugi::status_no_document_element)
      fail(SIM_ERR_PARSE, src_, lineOf(result.offset), "no root element: the document is empty");
    if (!result) {
      std::string what = result.description();
      if (result.status == pugi::status_end_element_mismatch || (size_t)result.offset >= s_.size())
        what += " (truncated or mismatched tags?)";
      fail(SIM_ERR_PARSE, src_, lineOf(result.offset), "malformed XML: " + what);
    }
    std::vector<XElem> nodes;
    // depth-first, parents before children, without recursion
    std::vector<std::pair<pugi::xml_node, int>> stack;
    for (pugi::xml_node top = doc.last_child(); top; top = top.previous_sibling())
      stack.push_back({top, -1});
    int roots = 0;
    while (!stack.empty()) {
      auto [node, parent] = stack.back();
      stack.pop_back();
      const int line = lineOf(node.offset_debug());
      if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) {
        std::string text = node.value();
        const size_t a = text.find_first_not_of(" \t\r\n");
        if (a == std::string::npos) continue;
        text = text.substr(a, text.find_last_not_of(" \t\r\n") - a + 1);
        if (parent < 0)
          fail(SIM_ERR_PARSE, src_, line, "unexpected text " + quoted(text) + " outside the root element");
        strayText.push_back({line, "text " + quoted(text) + " in <" + nodes[parent].name + ">"});
        continue;
      }
      if (node.type() != pugi::node_element) continue;
      if (parent < 0 && ++roots > 1) fail(SIM_ERR_PARSE, src_, line, "more than one root element");
      XElem e;
      e.name = node.name();
      e.line = Loc{file_, line};
      e.parent = parent;
      for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
        for (const XAttr& seen : e.attrs)
          if (seen.name == a.name())
            fail(SIM_ERR_PARSE, src_, line, "attribute '" + seen.name + "' repeated in <" + e.name + ">");
        e.attrs.push_back(XAttr{a.name(), a.value(), e.line});
      }
      const int index = (int)nodes.size();
      if (parent >= 0) nodes[parent].kids.push_back(index);
      nodes.push_back(std::move(e));
      for (pugi::xml_node child = node.last_child(); child; child = child.previous_sibling())
        stack.push_back({child, index});
    }
    if (nodes.empty()) fail(SIM_ERR_PARSE, src_, 1, "no root element: the document is empty");
    return nodes;
  }

 private:
  int lineOf(ptrdiff_t offset) const {
    if (offset < 0) return 1;
    return (int)(std::upper_bound(lineStarts_.begin(), lineStarts_.end(), (size_t)offset) -
                 lineStarts_.begin());
  }

  const std::string& s_;
  std::string src_;
  int file_;
  std::vector<size_t> lineStarts_{0};
};

// MARK: - Values of elements (also what default classes hold)

enum { kFalse = 0, kTrue = 1, kAuto = 2 };

constexpr int kGeomMesh = SIM_GEOM_MESH;
constexpr int kGeomHfield = 1;  // MuJoCo's mjGEOM_HFIELD: terrain, static bodies only
constexpr int kJointFree = SIM_JOINT_FREE, kJointBall = SIM_JOINT_BALL;

struct JointVals {
  int type = SIM_JOINT_HINGE;
  Vec3 pos = Vec3::Zero();
  Vec3 axis = Vec3::UnitZ();
  double range[2] = {0, 0};
  int limited = kAuto;
  double damping = 0, armature = 0, stiffness = 0, springref = 0, ref = 0;
  double solref[2] = {0.02, 1.0};
  double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  double margin = 0, frictionloss = 0;
  double solreffriction[2] = {0.02, 1.0};
  double solimpfriction[5] = {0.9, 0.95, 0.001, 0.5, 2};
  double actfrcrange[2] = {0, 0};
  int actfrclimited = kAuto;
  double springdamper[2] = {0, 0};
};

struct GeomVals {
  int type = SIM_GEOM_SPHERE;
  double size[3] = {0, 0, 0};
  bool hasFromto = false;
  double fromto[6] = {0, 0, 0, 0, 0, 0};
  Vec3 pos = Vec3::Zero();
  Quat quat = Quat::Identity();
  bool hasMass = false;
  double mass = 0;
  double density = 1000;
  std::string mesh;  ///< mesh asset name (type mesh)
  Loc meshLine;
  float rgba[4] = {0.5f, 0.5f, 0.5f, 1.0f};
  int group = 0;
  ContactParams contact;
};

struct EqualityVals {
  double solref[2] = {0.02, 1.0};
  double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  bool active = true;
};

struct SiteVals {
  int type = SIM_GEOM_SPHERE;
  double size[3] = {0.005, 0.005, 0.005};
  bool hasFromto = false;
  double fromto[6] = {0, 0, 0, 0, 0, 0};
  Vec3 pos = Vec3::Zero();
  Quat quat = Quat::Identity();
};

/// An actuator as MuJoCo's <general> holds it: every kind (motor, position, velocity, ...)
/// is a shortcut that sets gain, bias and dynamics, and one default per class serves them all.
struct ActuatorVals {
  double gear[6] = {1, 0, 0, 0, 0, 0};
  double ctrlrange[2] = {0, 0};
  int ctrllimited = kAuto;
  double forcerange[2] = {0, 0};
  int forcelimited = kAuto;
  std::string dyntype = "none", gaintype = "fixed", biastype = "none";
  double dynprm[10] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  double gainprm[10] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  double biasprm[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  double actrange[2] = {0, 0};
  int actlimited = kAuto;
  bool actearly = false;
  std::string kind = "general";  ///< the element that last set gain and bias in a default
  double inheritrange = 0;       ///< position: ctrlrange from the joint range, scaled
};

/// A tendon's values as MuJoCo's <default><tendon> holds them (both fixed and spatial read
/// them): the spec's parameters (no path) and `limited` before autolimits resolves it.
struct TendonVals {
  TendonSpec spec;
  int limited = kAuto;
};

struct DefaultClass {
  std::string name;
  Loc line;
  JointVals joint;
  TendonVals tendon;
  GeomVals geom;
  SiteVals site;
  ActuatorVals actuator;
  EqualityVals equality;
  PairSpec pair;  ///< <default><pair>: every value of a <pair> but its geoms
  Vec3 meshScale = Vec3::Ones();  ///< <default><mesh scale>: the meshes of this class
  int meshInertia = kMeshInertiaLegacy;  ///< <default><mesh inertia>
};

// MARK: - Parser

class MJCFParser {
 public:
  MJCFParser(const std::string& xml, const std::string& source, const std::string& path)
      : xml_(xml) {
    files_.push_back(FileInfo{source.empty() ? "<string>" : source, path, -1, Loc{}});
  }

  ModelSpec run() {
    try {
      readModel();
    } catch (const SimError& e) {
      // a hard error after unsupported constructs: report them all, the hard error last
      if (problems_.empty()) throw;
      throw SimError{SIM_ERR_PARSE, problemText() + "\n" + e.message};
    }
    if (!problems_.empty()) throw SimError{SIM_ERR_PARSE, problemText()};
    spec_.warnings = ignoredText();
    return std::move(spec_);
  }

 private:
  struct FileInfo {
    std::string name;   ///< as written in messages
    std::string path;   ///< path on disk ("" for a string with no file behind it)
    int includedBy;     ///< file index, -1 for the main document
    Loc includedAt;     ///< the <include> element
  };

  void readModel() {
    {
      XmlReader reader(xml_, files_[0].name, 0);
      nodes_ = reader.parse();
      for (auto& [line, what] : reader.strayText) ignore(Loc{0, line}, what);
    }
    if (nodes_[0].name != "mujoco")
      failParse(nodes_[0].line,
                "the root element is <" + nodes_[0].name + ">; an MJCF model starts with <mujoco>");
    expandIncludes();  // grows nodes_: references into it are taken after
    const XElem& root = nodes_[0];
    spec_.source = files_[0].name;
    spec_.name = "MuJoCo Model";
    allowAttrs(root, {"model"});
    if (const XAttr* a = attr(root, "model")) spec_.name = a->value;

    // MuJoCo reads the sections in this order whatever their order in the file.
    std::vector<int> compilers, options, defaults, worlds, actuators, assets, keyframes, equalities,
        contacts, tendons;
    for (int k : nodes_[0].kids) {
      const XElem& e = nodes_[k];
      if (e.name == "compiler") compilers.push_back(k);
      else if (e.name == "option") options.push_back(k);
      else if (e.name == "default") defaults.push_back(k);
      else if (e.name == "worldbody") worlds.push_back(k);
      else if (e.name == "actuator") actuators.push_back(k);
      else if (e.name == "asset") assets.push_back(k);
      else if (e.name == "visual" || e.name == "statistic" || e.name == "size" ||
               e.name == "custom" || e.name == "sensor")
        ignore(e.line, "<" + e.name + ">");
      else if (e.name == "keyframe") keyframes.push_back(k);
      else if (e.name == "equality") equalities.push_back(k);
      else if (e.name == "contact") contacts.push_back(k);
      else if (e.name == "tendon") tendons.push_back(k);
      else if (e.name == "body")
        ignore(e.line, "<body> outside <worldbody> (MuJoCo skips it)");
      else refuseElement(e, "mujoco");
    }
    for (int k : compilers) readCompiler(nodes_[k]);
    for (int k : options) readOption(nodes_[k]);
    // MuJoCo merges every top-level <default> into class 'main'
    classes_.push_back(DefaultClass{"main", Loc{}, {}, {}, {}, {}, {}, {}, {}});
    classIndex_["main"] = 0;
    for (int k : defaults) readDefaults(k);
    for (int k : assets) readAssets(nodes_[k]);

    BodySpec world;
    world.name = "world";
    world.parent = -1;
    world.where = where(worlds.empty() ? root.line : nodes_[worlds[0]].line);
    spec_.bodies.push_back(world);
    names_[0]["world"] = worlds.empty() ? root.line : nodes_[worlds[0]].line;
    for (int k : worlds) readWorld(k);
    applyTotalMass();
    checkMovingMass();
    for (int k : tendons) readTendons(nodes_[k]);
    for (int k : actuators) readActuators(nodes_[k]);
    for (int k : equalities) readEqualities(nodes_[k]);
    for (int k : contacts) readContacts(nodes_[k]);
    for (int k : keyframes) readKeyframes(nodes_[k]);
  }

  /// solref, solimp, active of an <equality> default or element.
  void applyEquality(const XElem& e, EqualityVals& v, bool isDefault) {
    if (isDefault) allowAttrs(e, {"solref", "solimp", "active"});
    if (const XAttr* a = attr(e, "solref")) {
      auto x = numbers(e, *a, 2, 2);
      v.solref[0] = x[0];
      v.solref[1] = x[1];
    }
    if (const XAttr* a = attr(e, "solimp")) {
      auto x = numbers(e, *a, 1, 5);
      std::copy(x.begin(), x.end(), v.solimp);
    }
    if (const XAttr* a = attr(e, "active")) v.active = boolean(e, *a);
  }

  /// Index of a named body (kind 0), joint (1), site (3) or tendon (4) in the spec, −1 when absent.
  int indexOf(int kind, const std::string& name) const {
    if (kind == 0) {
      for (size_t i = 0; i < spec_.bodies.size(); ++i) if (spec_.bodies[i].name == name) return (int)i;
    } else if (kind == 1) {
      for (size_t i = 0; i < spec_.joints.size(); ++i) if (spec_.joints[i].name == name) return (int)i;
    } else if (kind == 4) {
      for (size_t i = 0; i < spec_.tendons.size(); ++i) if (spec_.tendons[i].name == name) return (int)i;
    } else {
      for (size_t i = 0; i < spec_.sites.size(); ++i) if (spec_.sites[i].name == name) return (int)i;
    }
    return -1;
  }

  /// <equality><connect|weld|joint|tendon>: MuJoCo's equality constraints (flex ones are
  /// refused). Names resolve to bodies (body1, body2 = world by default), sites (site1, site2),
  /// joints (joint1, joint2 optional) or tendons (tendon1, tendon2 optional).
  void readEqualities(const XElem& q) {
    allowAttrs(q, {});
    for (int k : q.kids) {
      const XElem& e = nodes_[k];
      if (e.name != "connect" && e.name != "weld" && e.name != "joint" && e.name != "tendon") {
        refuseElement(e, "equality");
        continue;
      }
      for (int kk : e.kids) refuseElement(nodes_[kk], e.name);
      if (e.name == "joint")
        allowAttrs(e, {"name", "class", "active", "solref", "solimp", "joint1", "joint2", "polycoef"});
      else if (e.name == "tendon")
        allowAttrs(e, {"name", "class", "active", "solref", "solimp", "tendon1", "tendon2", "polycoef"});
      else
        allowAttrs(e, {"name", "class", "active", "solref", "solimp", "body1", "body2", "site1",
                       "site2", "anchor", "relpose", "torquescale"});
      EqualityVals v = classes_[classOf(e, 0)].equality;
      applyEquality(e, v, false);
      EqualitySpec eq;
      if (const XAttr* a = attr(e, "name")) eq.name = a->value;
      eq.where = where(e.line);
      eq.type = e.name == "connect" ? EqualitySpec::kConnect
                : e.name == "weld"  ? EqualitySpec::kWeld
                : e.name == "joint" ? EqualitySpec::kJoint
                                    : EqualitySpec::kTendon;
      std::copy(v.solref, v.solref + 2, eq.solref);
      std::copy(v.solimp, v.solimp + 5, eq.solimp);
      eq.active = v.active;
      auto object = [&](const char* attrName, int kind, int fallback) {
        const XAttr* a = attr(e, attrName);
        if (!a) return fallback;
        const int i = indexOf(kind, a->value);
        if (i < 0) {
          if (kind == 1 && skippedJoints_.count(a->value)) return -2;  // refused already
          failModel(a->line, "<" + e.name + "> " + attrName + " " + quoted(a->value) + " names no " +
                                 (kind == 0 ? "body" : kind == 1 ? "joint" : kind == 4 ? "tendon" : "site"));
        }
        if (kind == 4 && tendonSkipped_[i]) return -2;  // refused already
        return i;
      };
      if (eq.type == EqualitySpec::kJoint || eq.type == EqualitySpec::kTendon) {
        const bool joint = eq.type == EqualitySpec::kJoint;
        const char* first = joint ? "joint1" : "tendon1";
        if (!attr(e, first))
          failModel(e.line, "<" + e.name + "> in <equality> needs '" + first + "'");
        eq.obj1 = object(first, joint ? 1 : 4, -1);
        eq.obj2 = object(joint ? "joint2" : "tendon2", joint ? 1 : 4, -1);
        if (eq.obj1 == -2 || eq.obj2 == -2) continue;
        if (const XAttr* a = attr(e, "polycoef")) {
          auto x = numbers(e, *a, 1, 5);
          std::fill(eq.polycoef, eq.polycoef + 5, 0.0);
          std::copy(x.begin(), x.end(), eq.polycoef);
        }
      } else {
        const bool bodies = attr(e, "body1") || attr(e, "body2");
        eq.sites = attr(e, "site1") || attr(e, "site2");
        if (bodies == eq.sites)
          failModel(e.line, "<" + e.name + "> needs body1 (and optionally body2) or site1 and site2, not both");
        if (eq.sites) {
          if (!attr(e, "site1") || !attr(e, "site2"))
            failModel(e.line, "<" + e.name + "> needs both site1 and site2");
          eq.obj1 = object("site1", 3, -1);
          eq.obj2 = object("site2", 3, -1);
        } else {
          if (!attr(e, "body1")) failModel(e.line, "<" + e.name + "> needs body1");
          eq.obj1 = object("body1", 0, -1);
          eq.obj2 = object("body2", 0, 0);
        }
        getVec3(e, "anchor", eq.anchor);
        if (e.name == "connect" && eq.sites && attr(e, "anchor"))
          failModel(e.line, "<connect> with sites takes no anchor");
        if (e.name == "connect" && !eq.sites && !attr(e, "anchor"))
          failModel(e.line, "<connect> needs 'anchor' (the point on body1)");
        if (const XAttr* a = attr(e, "relpose")) {
          auto x = numbers(e, *a, 7, 7);
          std::copy(x.begin(), x.end(), eq.relpose);
        }
        getNumber(e, "torquescale", eq.torquescale);
      }
      spec_.equalities.push_back(eq);
    }
  }

  /// The mechanical attributes of a <tendon> default or a <fixed>/<spatial> tendon (MuJoCo reads
  /// the same table for both). Stiffness and damping polynomials beyond the first coefficient,
  /// armature and actuator force ranges on tendons are refused.
  void applyTendon(const XElem& e, TendonVals& v, bool isDefault) {
    std::vector<const char*> allowed = {"limited", "range", "margin", "solreflimit", "solimplimit",
                                        "frictionloss", "solreffriction", "solimpfriction",
                                        "stiffness", "damping", "springlength", "armature",
                                        "actuatorfrclimited", "actuatorfrcrange"};
    if (!isDefault)
      for (const char* n : {"name", "class"}) allowed.push_back(n);
    for (const XAttr& a : e.attrs) {
      if (std::find_if(allowed.begin(), allowed.end(), [&](const char* n) { return a.name == n; }) !=
          allowed.end())
        continue;
      if (a.name == "group" || a.name == "width" || a.name == "material" || a.name == "rgba" ||
          a.name == "user")
        ignore(a.line, "attribute '" + a.name + "' of <" + e.name + ">");
      else
        unsupported(a.line, "attribute '" + a.name + "' of <" + e.name + "> is not supported");
    }
    auto prefix = [&](const char* name, double* out, size_t minCount, size_t maxCount) {
      if (const XAttr* a = attr(e, name)) {
        auto x = numbers(e, *a, minCount, maxCount);
        std::copy(x.begin(), x.end(), out);
        return (int)x.size();
      }
      return 0;
    };
    TendonSpec& t = v.spec;
    if (const XAttr* a = attr(e, "limited")) v.limited = triState(e, *a);
    prefix("range", t.range, 2, 2);
    prefix("solreflimit", t.limitSolref, 2, 2);
    prefix("solimplimit", t.limitSolimp, 1, 5);
    prefix("solreffriction", t.frictionSolref, 2, 2);
    prefix("solimpfriction", t.frictionSolimp, 1, 5);
    getNumber(e, "margin", t.margin);
    getNumber(e, "frictionloss", t.frictionloss);
    if (prefix("springlength", t.springlength, 1, 2) == 1) t.springlength[1] = t.springlength[0];
    // stiffness and damping: MuJoCo 4 reads a polynomial (coefficient 0 first); only linear is modelled
    for (const char* name : {"stiffness", "damping"})
      if (const XAttr* a = attr(e, name)) {
        auto x = numbers(e, *a, 1, 4);
        for (size_t k = 1; k < x.size(); ++k)
          if (x[k] != 0) {
            unsupported(a->line, "attribute '" + std::string(name) + "' of <" + e.name +
                                     ">: nonlinear (polynomial) tendon springs and dampers are not "
                                     "supported (only one coefficient)");
            break;
          }
        (std::string(name) == "stiffness" ? t.stiffness : t.damping) = x[0];
      }
    if (const XAttr* a = attr(e, "armature"))
      if (number(e, *a) != 0)
        unsupported(a->line, "attribute 'armature' of <" + e.name + "> is not supported: tendon "
                             "inertia is not modelled (only 0 is)");
    if (const XAttr* a = attr(e, "actuatorfrcrange")) {
      auto r = numbers(e, *a, 2, 2);
      if (r[0] != 0 || r[1] != 0)
        unsupported(a->line, "attribute 'actuatorfrcrange' of <" + e.name + "> is not supported: "
                             "actuator force limits on tendons are not modelled");
    }
    if (const XAttr* a = attr(e, "actuatorfrclimited"))
      if (triState(e, *a) == kTrue)
        unsupported(a->line, "attribute 'actuatorfrclimited' of <" + e.name + "> is not supported: "
                             "actuator force limits on tendons are not modelled");
  }

  /// <tendon><fixed|spatial>: fixed tendons over hinge/slide joints (<joint joint coef>), spatial
  /// tendons through sites (<site site>); wrapping geoms and pulleys are refused.
  void readTendons(const XElem& t) {
    allowAttrs(t, {});
    for (int k : t.kids) {
      const XElem& e = nodes_[k];
      if (e.name != "fixed" && e.name != "spatial") {
        refuseElement(e, "tendon");
        continue;
      }
      TendonVals v = classes_[classOf(e, 0)].tendon;
      applyTendon(e, v, false);
      TendonSpec ts = v.spec;
      if (const XAttr* a = attr(e, "name")) {
        ts.name = a->value;
        if (!ts.name.empty()) {
          auto it = tendonNames_.find(ts.name);
          if (it != tendonNames_.end())
            failModel(a->line, "duplicate tendon name " + quoted(ts.name) + " (first at " +
                                   lineText(it->second, a->line) + ")");
          tendonNames_[ts.name] = a->line;
        }
      }
      ts.where = where(e.line);
      ts.type = e.name == "fixed" ? TendonSpec::kFixed : TendonSpec::kSpatial;
      const std::string what = "<" + e.name + "> tendon" + (ts.name.empty() ? "" : " " + quoted(ts.name));
      bool skip = false;
      for (int kk : e.kids) {
        const XElem& w = nodes_[kk];
        for (int k3 : w.kids) refuseElement(nodes_[k3], w.name);
        if (ts.type == TendonSpec::kFixed && w.name == "joint") {
          allowAttrs(w, {"joint", "coef"});
          const XAttr* j = attr(w, "joint");
          const XAttr* c = attr(w, "coef");
          if (!j || !c) failModel(w.line, "<joint> in a fixed tendon needs 'joint' and 'coef'");
          const int ji = indexOf(1, j->value);
          if (ji < 0) {
            if (skippedJoints_.count(j->value)) { skip = true; continue; }  // refused already
            failModel(j->line, what + ": unknown joint " + quoted(j->value));
          }
          if (spec_.joints[ji].type != SIM_JOINT_HINGE && spec_.joints[ji].type != SIM_JOINT_SLIDE)
            failModel(j->line, what + ": joint " + quoted(j->value) +
                                   " is not a hinge or slide (a fixed tendon needs scalar joints)");
          if (std::find(ts.joints.begin(), ts.joints.end(), ji) != ts.joints.end())
            failModel(j->line, what + ": joint " + quoted(j->value) + " appears twice");
          const double coef = number(w, *c);
          ts.joints.push_back(ji);
          ts.coefs.push_back(coef);
        } else if (ts.type == TendonSpec::kSpatial && w.name == "site") {
          allowAttrs(w, {"site"});
          const XAttr* a = attr(w, "site");
          if (!a) failModel(w.line, "<site> in a spatial tendon needs 'site'");
          const int si = indexOf(3, a->value);
          if (si < 0) failModel(a->line, what + ": unknown site " + quoted(a->value));
          ts.sites.push_back(si);
        } else if (ts.type == TendonSpec::kSpatial && (w.name == "geom" || w.name == "pulley")) {
          unsupported(w.line, "<" + w.name + "> in a spatial tendon is not supported: only "
                              "straight paths through sites are (no wrapping or pulleys)");
          skip = true;
        } else {
          failModel(w.line, "<" + w.name + "> is not allowed in a <" + e.name + "> tendon");
        }
      }
      if (ts.type == TendonSpec::kFixed && ts.joints.empty() && !skip)
        failModel(e.line, what + " has no joints");
      if (ts.type == TendonSpec::kSpatial && ts.sites.size() < 2 && !skip)
        failModel(e.line, what + ": a spatial path needs at least two sites");
      const bool hasRange = !(ts.range[0] == 0 && ts.range[1] == 0);
      if (v.limited == kAuto) {
        if (!autolimits_ && hasRange)
          failModel(e.line, what + " has 'range' but no 'limited' while the compiler's autolimits "
                                   "is false: set limited, or autolimits=\"true\"");
        ts.limited = hasRange;
      } else {
        ts.limited = v.limited == kTrue;
      }
      if (ts.limited && !(ts.range[0] < ts.range[1]))
        failModel(e.line, what + " range " + fmtPair(ts.range) + ": the lower limit must be below the upper");
      if (limitsDisabled_) ts.limited = false;
      // a tendon over a refused joint is left out (that joint is reported); its index stays so
      // that names resolve: mark it with no path
      if (skip) ts.joints.clear(), ts.coefs.clear(), ts.sites.clear();
      tendonSkipped_.push_back(skip);
      spec_.tendons.push_back(ts);
    }
  }

  /// condim, friction, solref, solreffriction, solimp, margin, gap of a <pair> default or element.
  void applyPair(const XElem& e, PairSpec& v, bool isDefault) {
    if (isDefault)
      allowAttrs(e, {"condim", "friction", "solref", "solreffriction", "solimp", "margin", "gap",
                     "adhesion"});
    else
      allowAttrs(e, {"name", "class", "geom1", "geom2", "condim", "friction", "solref",
                     "solreffriction", "solimp", "margin", "gap", "adhesion"});
    if (const XAttr* a = attr(e, "adhesion"))
      if (number(e, *a) != 0) unsupported(a->line, "pair adhesion is not supported");
    if (const XAttr* a = attr(e, "condim")) {
      v.condim = integer(e, *a);
      if (v.condim != 1 && v.condim != 3 && v.condim != 4 && v.condim != 6)
        failModel(a->line, "attribute 'condim' of <pair> must be 1, 3, 4 or 6");
    }
    auto prefix = [&](const char* name, double* out, size_t minCount, size_t maxCount) {
      if (const XAttr* a = attr(e, name)) {
        auto x = numbers(e, *a, minCount, maxCount);  // a prefix; the rest keeps its value
        std::copy(x.begin(), x.end(), out);
      }
    };
    prefix("friction", v.friction, 1, 5);
    prefix("solref", v.solref, 2, 2);
    prefix("solreffriction", v.solreffriction, 2, 2);
    prefix("solimp", v.solimp, 1, 5);
    getNumber(e, "margin", v.margin);
    getNumber(e, "gap", v.gap);
  }

  /// <contact><pair geom1 geom2>, <contact><exclude body1 body2>: names must resolve (a pair
  /// with a height-field geom, which is not simulated, is ignored).
  void readContacts(const XElem& q) {
    allowAttrs(q, {});
    for (int k : q.kids) {
      const XElem& e = nodes_[k];
      if (e.name != "pair" && e.name != "exclude") {
        refuseElement(e, "contact");
        continue;
      }
      for (int kk : e.kids) refuseElement(nodes_[kk], e.name);
      auto named = [&](const char* attrName, int kind) {
        const XAttr* a = attr(e, attrName);
        if (!a) failModel(e.line, "<" + e.name + "> needs '" + attrName + "'");
        const int i = kind == 0 ? indexOf(0, a->value) : geomIndex(a->value);
        if (i < 0 && !(kind == 2 && skippedGeoms_.count(a->value)))
          failModel(a->line, "<" + e.name + "> " + attrName + " " + quoted(a->value) + " names no " +
                                 (kind == 0 ? "body" : "geom"));
        return i;
      };
      if (e.name == "exclude") {
        allowAttrs(e, {"name", "body1", "body2"});
        ExcludeSpec x;
        if (const XAttr* a = attr(e, "name")) x.name = a->value;
        x.where = where(e.line);
        x.body1 = named("body1", 0);
        x.body2 = named("body2", 0);
        spec_.excludes.push_back(x);
        continue;
      }
      PairSpec p = classes_[classOf(e, 0)].pair;
      applyPair(e, p, false);
      if (const XAttr* a = attr(e, "name")) p.name = a->value;
      p.where = where(e.line);
      p.geom1 = named("geom1", 2);
      p.geom2 = named("geom2", 2);
      if (p.geom1 < 0 || p.geom2 < 0) {
        ignore(e.line, "<pair> with a height-field geom");
        continue;
      }
      if (p.geom1 == p.geom2) failModel(e.line, "<pair> names geom " + quoted(attr(e, "geom1")->value) + " twice");
      spec_.pairs.push_back(p);
    }
  }

  int geomIndex(const std::string& name) const {
    for (size_t i = 0; i < spec_.geoms.size(); ++i) if (spec_.geoms[i].name == name) return (int)i;
    return -1;
  }

  /// <keyframe><key name time qpos qvel ctrl>: named states; sizes must match the model.
  void readKeyframes(const XElem& k) {
    allowAttrs(k, {});
    const size_t nu = spec_.actuators.size();
    // qpos0 as compileModel makes it: ref, an identity quaternion, a free body's pose
    std::vector<double> qpos0;
    size_t nv = 0;
    for (const JointSpec& j : spec_.joints) {
      if (j.type == kJointFree) {
        const BodySpec& b = spec_.bodies[j.body];
        const Quat q = b.quat.normalized();
        qpos0.insert(qpos0.end(), {b.pos.x(), b.pos.y(), b.pos.z(), q.w(), q.x(), q.y(), q.z()});
        nv += 6;
      } else if (j.type == kJointBall) {
        qpos0.insert(qpos0.end(), {1.0, 0.0, 0.0, 0.0});
        nv += 3;
      } else {
        qpos0.push_back(j.ref);
        nv += 1;
      }
    }
    const size_t nq = qpos0.size();
    for (int c : k.kids) {
      const XElem& e = nodes_[c];
      if (e.name != "key") {
        refuseElement(e, "keyframe");
        continue;
      }
      allowAttrs(e, {"name", "time", "qpos", "qvel", "ctrl", "act", "mpos", "mquat"});
      KeyframeSpec key;
      key.where = where(e.line);
      if (const XAttr* a = attr(e, "name")) key.name = a->value;
      getNumber(e, "time", key.time);
      auto vec = [&](const char* name, size_t n, std::vector<double> fallback) {
        const XAttr* a = attr(e, name);
        if (!a) return fallback;
        auto v = numbers(e, *a, 0, 1u << 30);
        if (v.size() != n)
          failModel(a->line, "<key> '" + std::string(name) + "' has " + std::to_string(v.size()) +
                                 " numbers; the model needs " + std::to_string(n));
        return v;
      };
      key.qpos = vec("qpos", nq, qpos0);
      key.qvel = vec("qvel", nv, std::vector<double>(nv, 0.0));
      key.ctrl = vec("ctrl", nu, std::vector<double>(nu, 0.0));
      if (const XAttr* a = attr(e, "act"))
        if (!numbers(e, *a, 0, 1u << 30).empty())
          failModel(a->line, "<key> 'act': the model has no activation states");
      for (const char* m : {"mpos", "mquat"})  // mocap bodies are static here
        if (const XAttr* a = attr(e, m)) ignore(a->line, "attribute '" + std::string(m) + "' of <key>");
      spec_.keyframes.push_back(std::move(key));
    }
  }

  const std::string& xml_;
  std::vector<FileInfo> files_;
  std::vector<XElem> nodes_;
  ModelSpec spec_;

  // compiler settings
  bool degree_ = true;
  int inertiaFromGeom_ = kAuto;
  bool autolimits_ = true;
  std::string eulerseq_ = "xyz";
  int groupRange_[2] = {0, 5};
  double totalMass_ = -1;  // settotalmass; < 0: not given
  double boundMass_ = 0, boundInertia_ = 0;  // lower bounds on every body's mass and moments
  std::string meshdir_, assetdir_;

  std::vector<DefaultClass> classes_;
  std::map<std::string, int> classIndex_;
  std::vector<char> bodyExplicitInertial_;
  std::vector<int> bodyJointCount_;
  std::vector<char> bodyHasJoint_;
  std::map<std::string, int> jointIndex_;  // filled when the actuators are read
  std::set<std::string> skippedJoints_;    // refused joints (free, ball): not an unknown name
  std::map<std::string, Loc> tendonNames_; // tendon names and where they were defined
  std::vector<char> tendonSkipped_;        // [tendons] refused already (a reported construct)
  std::set<std::string> skippedGeoms_;     // height fields: not simulated, not an unknown name
  std::map<std::string, Loc> names_[5];  // body, joint, geom, site, actuator → where

  // MARK: errors, unsupported and ignored constructs

  /// "file:line" of a location.
  std::string at(Loc l) const { return files_[l.file].name + ":" + std::to_string(l.line); }
  /// "line N" in the same file as `from`, else "file:line".
  std::string lineText(Loc l, Loc from) const {
    return l.file == from.file ? "line " + std::to_string(l.line) : at(l);
  }
  SourceLocation where(Loc l) const { return SourceLocation{files_[l.file].name, l.line}; }

  [[noreturn]] void failParse(Loc l, const std::string& what) {
    throw SimError{SIM_ERR_PARSE, at(l) + ": " + what};
  }
  [[noreturn]] void failModel(Loc l, const std::string& what) {
    throw SimError{SIM_ERR_MODEL, at(l) + ": " + what};
  }

  // Unsupported constructs are collected, not thrown at once, so that a refused file lists all
  // of them; identical problems are grouped with the places they occur.
  std::vector<std::pair<std::string, std::vector<Loc>>> problems_;
  std::vector<std::pair<std::string, std::vector<Loc>>> ignored_;

  static void record(std::vector<std::pair<std::string, std::vector<Loc>>>& list, Loc l,
                     const std::string& what) {
    for (auto& p : list)
      if (p.first == what) {
        p.second.push_back(l);
        return;
      }
    list.push_back({what, {l}});
  }
  void unsupported(Loc l, const std::string& what) { record(problems_, l, what); }
  /// Something read and dropped: it has no effect on the dynamics simulated here.
  void ignore(Loc l, const std::string& what) { record(ignored_, l, what); }

  std::string problemText() const {
    std::string out;
    for (const auto& [what, locs] : problems_) {
      if (!out.empty()) out += "\n";
      out += at(locs[0]) + ": " + what;
      if (locs.size() > 1) {
        out += " (also at";
        for (size_t k = 1; k < locs.size() && k < 6; ++k)
          out += (k > 1 ? ", " : " ") + lineText(locs[k], locs[0]);
        if (locs.size() > 6) out += " and " + std::to_string(locs.size() - 6) + " more";
        out += ")";
      }
    }
    return out;
  }

  std::string ignoredText() const {
    if (ignored_.empty()) return "";
    std::string out = files_[0].name + ": ignored (no effect on the simulated dynamics):";
    for (size_t k = 0; k < ignored_.size(); ++k) {
      const auto& [what, locs] = ignored_[k];
      out += (k ? "; " : " ") + what;
      if (locs.size() > 1) out += " ×" + std::to_string(locs.size());
      out += " (" + lineText(locs[0], Loc{0, 0}) + ")";  // "line N" in the main file
    }
    return out;
  }

  static std::string describe(const XElem& e) {
    for (const XAttr& a : e.attrs)
      if (a.name == "name") return "<" + e.name + " name='" + a.value + "'>";
    return "<" + e.name + ">";
  }

  void refuseElement(const XElem& e, const std::string& parent) {
    static const std::map<std::string, std::string> why = {
        {"freejoint", "free joints are not supported (hinge and slide joints only)"},
        {"equality", "equality constraints are not supported"},
        {"general", "this <general> actuator is not supported"},
        {"muscle", "muscle actuators are not supported"},
        {"adhesion", "adhesion actuators are not supported"},
        {"intvelocity", "intvelocity actuators are not supported"},
        {"plugin", "plugins are not supported"},
        {"extension", "plugins are not supported"},
        {"composite", "composites are not supported"},
        {"flexcomp", "flexes are not supported"},
        {"deformable", "flexes and skins are not supported"},
        {"replicate", "<replicate> is not supported"},
        {"attach", "<attach> is not supported"},
    };
    auto it = why.find(e.name);
    unsupported(e.line, "<" + e.name + "> in <" + parent + ">: " +
                            (it != why.end() ? it->second : "unknown or unsupported element"));
  }

  // MARK: includes

  static std::string dirOf(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? "" : path.substr(0, slash + 1);
  }

  static bool readFile(const std::string& path, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream os;
    os << in.rdbuf();
    if (in.bad()) return false;
    text = os.str();
    return true;
  }

  static std::string canonical(const std::string& path) {
    char buf[PATH_MAX];
    if (realpath(path.c_str(), buf)) return buf;
    return path;
  }

  /// Replaces every <include file> by the children of the included document's root, as MuJoCo
  /// does: the path is relative to the including file's directory (or, as MuJoCo also accepts,
  /// the main file's); a file included twice, an include cycle or more than kMaxIncludeDepth
  /// nested includes are refused with the chain that leads there.
  void expandIncludes() {
    constexpr int kMaxIncludeDepth = 16;
    std::map<std::string, Loc> included;  // canonical path → the <include> that read it
    if (!files_[0].path.empty()) included[canonical(files_[0].path)] = Loc{0, 0};
    for (size_t k = 0; k < nodes_.size(); ++k) {  // grows as documents are spliced in
      if (nodes_[k].name != "include") continue;
      const XElem inc = nodes_[k];
      const int parent = inc.parent;
      if (parent < 0) failParse(inc.line, "<include> cannot be the root element");
      for (const XAttr& a : inc.attrs)
        if (a.name != "file")
          failParse(a.line, "attribute '" + a.name + "' of <include> is not supported");
      if (!inc.kids.empty()) failParse(inc.line, "<include> has no child elements");
      const XAttr* f = attr(inc, "file");
      if (!f || f->value.empty()) failParse(inc.line, "<include> needs 'file'");
      // the chain of includes that leads here, for messages and the depth guard
      int depth = 0;
      std::string chain;
      for (int fi = inc.line.file; fi >= 0; fi = files_[fi].includedBy, ++depth)
        chain = files_[fi].name + (chain.empty() ? "" : " → ") + chain;
      if (depth > kMaxIncludeDepth)
        failParse(inc.line, "includes nested more than " + std::to_string(kMaxIncludeDepth) +
                                " deep: " + chain);
      std::string path = f->value;
      if (path[0] != '/') {
        const std::string near = dirOf(files_[inc.line.file].path.empty()
                                           ? files_[inc.line.file].name
                                           : files_[inc.line.file].path) + path;
        const std::string main = dirOf(files_[0].path) + path;
        std::ifstream probe(near);
        path = probe.good() ? near : main;
        if (!probe.good() && !std::ifstream(main).good()) path = near;
      }
      std::string text;
      if (!readFile(path, text))
        throw SimError{SIM_ERR_IO, at(inc.line) + ": <include> file " + quoted(f->value) +
                                       " cannot be read (looked for " + path + ")"};
      const std::string key = canonical(path);
      for (int fi = inc.line.file; fi >= 0; fi = files_[fi].includedBy)
        if (!files_[fi].path.empty() && canonical(files_[fi].path) == key)
          failParse(inc.line, "include cycle: " + chain + " → " + f->value);
      auto seen = included.find(key);
      if (seen != included.end())
        failParse(inc.line, "file " + quoted(f->value) + " is already included (at " +
                                at(seen->second) + "); MuJoCo includes a file once");
      included[key] = inc.line;
      const int fileIndex = (int)files_.size();
      files_.push_back(FileInfo{path, path, inc.line.file, inc.line});
      XmlReader reader(text, path, fileIndex);
      std::vector<XElem> sub = reader.parse();
      for (auto& [line, what] : reader.strayText) ignore(Loc{fileIndex, line}, what);
      // splice: the included root's children take the <include>'s place in its parent
      const int offset = (int)nodes_.size();
      for (XElem& e : sub) {
        e.parent = e.parent <= 0 ? parent : e.parent + offset;
        for (int& kid : e.kids) kid += offset;
      }
      std::vector<int> rootKids = sub[0].kids;
      for (XElem& e : sub) nodes_.push_back(std::move(e));
      std::vector<int>& kids = nodes_[parent].kids;
      auto pos = std::find(kids.begin(), kids.end(), (int)k);
      pos = kids.erase(pos);
      kids.insert(pos, rootKids.begin(), rootKids.end());
      nodes_[k].name = "";  // spliced out
    }
  }

  // MARK: attributes

  static const XAttr* attr(const XElem& e, const char* name) {
    for (const XAttr& a : e.attrs)
      if (a.name == name) return &a;
    return nullptr;
  }

  /// Every attribute of `e` must be in `allowed` (read by the caller) or `ignored` (no effect on
  /// the dynamics simulated here: listed in the model's warning); others are unsupported.
  void allowAttrs(const XElem& e, std::initializer_list<const char*> allowed,
                  std::initializer_list<const char*> ignored = {}) {
    static const std::map<std::string, std::string> why = {
        {"frictionloss", "dry friction is not modelled"},
        {"margin", "limit and contact margins are not modelled"},
        {"solimplimit", "only solreflimit is modelled (the impedance is MuJoCo's default)"},
        {"solreffriction", "friction loss is not modelled"},
        {"solimpfriction", "friction loss is not modelled"},
        {"springdamper", "give stiffness and damping instead"},
        {"actuatorfrcrange", "actuator force limits are not modelled"},
        {"actuatorfrclimited", "actuator force limits are not modelled"},
        {"actuatorgravcomp", "gravity compensation is not modelled"},
        {"user", "user data is not supported"},
        {"mesh", "mesh geoms are not supported"},
        {"hfield", "height fields are not supported"},
        {"material", "materials (assets) are not supported"},
        {"fitscale", "mesh fitting is not supported"},
        {"shellinertia", "shell inertia is not supported (geoms are solid)"},
        {"fluidshape", "fluid forces are not modelled"},
        {"fluidcoef", "fluid forces are not modelled"},
        {"mocap", "mocap bodies are not supported"},
        {"gravcomp", "gravity compensation is not modelled"},
        {"class", "a <body> has no class in MJCF; use childclass"},
        {"forcerange", "actuator force limits are not modelled"},
        {"forcelimited", "actuator force limits are not modelled"},
        {"actlimited", "motors have no activation"},
        {"actrange", "motors have no activation"},
        {"lengthrange", "length ranges are not supported"},
        {"site", "only joint transmissions are supported"},
        {"tendon", "only joint transmissions are supported"},
        {"jointinparent", "only joint transmissions are supported"},
        {"cranksite", "only joint transmissions are supported"},
        {"slidersite", "only joint transmissions are supported"},
        {"body", "only joint transmissions are supported"},
        {"refsite", "only joint transmissions are supported"},
        {"cranklength", "only joint transmissions are supported"},
        {"density", "fluid forces are not modelled (medium density must stay 0)"},
        {"viscosity", "fluid forces are not modelled"},
        {"wind", "wind is not modelled"},
        {"magnetic", "magnetic fields are not modelled"},
        {"o_margin", "contacts are not simulated"},
        {"impratio", "contacts are not simulated"},
        {"jacobian", "solver options are not supported"},
        {"solver", "solver options are not supported"},
        {"iterations", "solver options are not supported"},
        {"tolerance", "solver options are not supported"},
        {"coordinate", "coordinate='global' was removed from MuJoCo; frames are local"},
        {"balanceinertia", "inertias are used as given; fix them instead"},
        {"boundmass", "masses are used as given"},
        {"boundinertia", "inertias are used as given"},
        {"settotalmass", "masses are used as given"},
        {"discardvisual", "not supported"},
    };
    for (const XAttr& a : e.attrs) {
      bool ok = false;
      for (const char* name : allowed)
        if (a.name == name) ok = true;
      if (ok) continue;
      for (const char* name : ignored)
        if (a.name == name) ok = true;
      if (ok) {
        ignore(a.line, "attribute '" + a.name + "' of <" + e.name + ">");
        continue;
      }
      auto it = why.find(a.name);
      unsupported(a.line, "attribute '" + a.name + "' of <" + e.name + "> is not supported" +
                              (it != why.end() ? ": " + it->second : std::string()));
    }
  }

  static bool numberToken(const std::string& t) {
    size_t k = 0, n = t.size();
    if (k < n && (t[k] == '+' || t[k] == '-')) ++k;
    size_t digits = 0;
    while (k < n && std::isdigit((unsigned char)t[k])) ++k, ++digits;
    if (k < n && t[k] == '.') {
      ++k;
      while (k < n && std::isdigit((unsigned char)t[k])) ++k, ++digits;
    }
    if (digits == 0) return false;
    if (k < n && (t[k] == 'e' || t[k] == 'E')) {
      ++k;
      if (k < n && (t[k] == '+' || t[k] == '-')) ++k;
      size_t e = 0;
      while (k < n && std::isdigit((unsigned char)t[k])) ++k, ++e;
      if (e == 0) return false;
    }
    return k == n;
  }

  /// strtod on a token already checked by numberToken, independent of the C locale's decimal
  /// point; underflow gives 0 or a subnormal (accepted), overflow gives infinity (refused).
  static double toDouble(std::string t) {
    const char* point = std::localeconv()->decimal_point;
    if (point && point[0] && std::strcmp(point, ".") != 0) {
      size_t dot = t.find('.');
      if (dot != std::string::npos) t.replace(dot, 1, point);
    }
    return std::strtod(t.c_str(), nullptr);
  }

  std::vector<double> numbers(const XElem& e, const XAttr& a, size_t minCount, size_t maxCount) {
    std::vector<double> out;
    std::istringstream words(a.value);
    words.imbue(std::locale::classic());
    std::string t;
    while (words >> t) {
      if (!numberToken(t)) {
        std::string low = t;
        for (char& c : low) c = (char)std::tolower((unsigned char)c);
        bool nonfinite =
            low.find("nan") != std::string::npos || low.find("inf") != std::string::npos;
        failParse(a.line, "attribute '" + a.name + "' of <" + e.name + ">: " + quoted(t) +
                              (nonfinite ? " is not a finite number" : " is not a number"));
      }
      double v = toDouble(t);
      if (!std::isfinite(v))
        failParse(a.line, "attribute '" + a.name + "' of <" + e.name + ">: " + quoted(t) +
                              " is out of the range of a double");
      out.push_back(v);
    }
    if (out.size() < minCount || out.size() > maxCount) {
      std::string want = minCount == maxCount
                             ? std::to_string(minCount)
                             : std::to_string(minCount) + " to " + std::to_string(maxCount);
      failParse(a.line, "attribute '" + a.name + "' of <" + e.name + "> needs " + want +
                            (maxCount == 1 ? " number" : " numbers") + ", got " +
                            std::to_string(out.size()) + " in " + quoted(a.value));
    }
    return out;
  }

  double number(const XElem& e, const XAttr& a) { return numbers(e, a, 1, 1)[0]; }

  bool getNumber(const XElem& e, const char* name, double& v) {
    if (const XAttr* a = attr(e, name)) {
      v = number(e, *a);
      return true;
    }
    return false;
  }

  bool getVec3(const XElem& e, const char* name, Vec3& v) {
    if (const XAttr* a = attr(e, name)) {
      auto x = numbers(e, *a, 3, 3);
      v = Vec3(x[0], x[1], x[2]);
      return true;
    }
    return false;
  }

  int integer(const XElem& e, const XAttr& a) {
    std::string t;
    std::istringstream words(a.value);
    std::vector<std::string> tokens;
    while (words >> t) tokens.push_back(t);
    bool ok = tokens.size() == 1;
    long v = 0;
    if (ok) {
      const std::string& s = tokens[0];
      size_t k = (s[0] == '+' || s[0] == '-') ? 1 : 0;
      ok = k < s.size() && s.size() - k <= 9;
      for (size_t j = k; ok && j < s.size(); ++j) ok = std::isdigit((unsigned char)s[j]) != 0;
      if (ok) v = std::stol(s);
    }
    if (!ok)
      failParse(a.line, "attribute '" + a.name + "' of <" + e.name + "> needs one integer, got " +
                            quoted(a.value));
    return (int)v;
  }

  int keyword(const XElem& e, const XAttr& a, std::initializer_list<const char*> words,
              const std::string& why = "") {
    int k = 0;
    std::string list;
    for (const char* w : words) {
      if (a.value == w) return k;
      list += (k ? ", " : "") + std::string(w);
      ++k;
    }
    failParse(a.line, "attribute '" + a.name + "' of <" + e.name + ">: " + quoted(a.value) +
                          (why.empty() ? " is not one of " + list : why));
  }

  int triState(const XElem& e, const XAttr& a) {
    return keyword(e, a, {"false", "true", "auto"});
  }

  bool boolean(const XElem& e, const XAttr& a) { return keyword(e, a, {"false", "true"}) == 1; }

  double angleUnit() const { return degree_ ? kPi / 180.0 : 1.0; }

  // MARK: orientation

  static Quat quatFromZ(const Vec3& vec) {  // MuJoCo's mjuu_z2quat: minimal rotation z -> vec
    Vec3 axis = Vec3::UnitZ().cross(vec);
    double s = axis.norm();
    if (s < 1e-10) {
      axis = Vec3::UnitX();
    } else {
      axis /= s;
    }
    double ang = std::atan2(s, vec.z());
    return Quat(std::cos(ang / 2), axis.x() * std::sin(ang / 2), axis.y() * std::sin(ang / 2),
                axis.z() * std::sin(ang / 2));
  }

  /// Reads quat / euler / axisangle / xyaxes / zaxis (at most one); true when one was given.
  bool readOrientation(const XElem& e, Quat& q) {
    const char* kinds[] = {"quat", "euler", "axisangle", "xyaxes", "zaxis"};
    const XAttr* found = nullptr;
    for (const char* k : kinds) {
      if (const XAttr* a = attr(e, k)) {
        if (found)
          failParse(a->line, "<" + e.name + "> has both '" + found->name + "' and '" + a->name +
                                 "': give one orientation");
        found = a;
      }
    }
    if (!found) return false;
    const XAttr& a = *found;
    auto bad = [&](const std::string& why) {
      failModel(a.line, "attribute '" + a.name + "' of <" + e.name + ">: " + why);
    };
    if (a.name == "quat") {
      auto v = numbers(e, a, 4, 4);
      Eigen::Vector4d w(v[0], v[1], v[2], v[3]);
      const double n = std::sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2] + w[3] * w[3]);
      if (n < kEps) bad("the quaternion is zero");
      if (std::abs(n - 1) > 1e-15) w /= n;  // as MuJoCo: a unit quaternion is kept to the last bit
      q = Quat(w[0], w[1], w[2], w[3]);
    } else if (a.name == "euler") {
      auto v = numbers(e, a, 3, 3);
      q = Quat::Identity();
      for (int k = 0; k < 3; ++k) {
        double ang = v[k] * angleUnit();
        char c = eulerseq_[k];
        char lc = (char)std::tolower((unsigned char)c);
        Vec3 ax = lc == 'x' ? Vec3::UnitX() : lc == 'y' ? Vec3::UnitY() : Vec3::UnitZ();
        Quat r(Eigen::AngleAxisd(ang, ax));
        q = (c == lc) ? q * r : r * q;  // lowercase: moving axes; uppercase: fixed axes
      }
      q.normalize();
    } else if (a.name == "axisangle") {
      auto v = numbers(e, a, 4, 4);
      Vec3 ax(v[0], v[1], v[2]);
      double n = ax.norm();
      if (n < kEps) bad("the axis is zero");
      ax /= n;
      double ang = v[3] * angleUnit();
      q = Quat(std::cos(ang / 2), ax.x() * std::sin(ang / 2), ax.y() * std::sin(ang / 2),
               ax.z() * std::sin(ang / 2));
    } else if (a.name == "xyaxes") {
      auto v = numbers(e, a, 6, 6);
      Vec3 x(v[0], v[1], v[2]), y(v[3], v[4], v[5]);
      double nx = x.norm();
      if (nx < kEps) bad("the x axis is zero");
      x /= nx;
      y -= x * x.dot(y);
      double ny = y.norm();
      if (ny < kEps) bad("the y axis is zero or parallel to the x axis");
      y /= ny;
      Vec3 z = x.cross(y);
      z.normalize();
      Mat3 R;
      R.col(0) = x;
      R.col(1) = y;
      R.col(2) = z;
      q = Quat(R);
      q.normalize();
    } else {  // zaxis
      Vec3 z = Vec3::Zero();
      getVec3(e, "zaxis", z);
      double n = z.norm();
      if (n < kEps) bad("the z axis is zero");
      q = quatFromZ(z / n);
    }
    return true;
  }

  // MARK: compiler and option

  void readCompiler(const XElem& e) {
    allowAttrs(e, {"angle", "eulerseq", "inertiafromgeom", "autolimits", "inertiagrouprange",
                   "coordinate", "settotalmass", "meshdir", "assetdir", "boundmass",
                   "boundinertia", "balanceinertia"},
               {"texturedir", "discardvisual", "fusestatic", "strippath", "saveinertial",
                "usethread", "alignfree", "exactmeshinertia", "convexhull", "inertiafromgeom_"});
    for (int k : e.kids) {
      if (nodes_[k].name == "lengthrange") ignore(nodes_[k].line, "<lengthrange>");
      else refuseElement(nodes_[k], "compiler");
    }
    if (const XAttr* a = attr(e, "angle")) degree_ = keyword(e, *a, {"radian", "degree"}) == 1;
    if (const XAttr* a = attr(e, "inertiafromgeom")) inertiaFromGeom_ = triState(e, *a);
    if (const XAttr* a = attr(e, "autolimits")) autolimits_ = boolean(e, *a);
    if (const XAttr* a = attr(e, "coordinate")) {
      // MuJoCo removed 'global'; 'local' is its only value and the default
      if (a->value != "local")
        unsupported(a->line, "attribute 'coordinate' of <compiler>: " + quoted(a->value) +
                                 " was removed from MuJoCo; only 'local' frames exist");
    }
    if (const XAttr* a = attr(e, "settotalmass")) totalMass_ = number(e, *a);
    if (const XAttr* a = attr(e, "boundmass")) boundMass_ = number(e, *a);
    if (const XAttr* a = attr(e, "boundinertia")) boundInertia_ = number(e, *a);
    if (const XAttr* a = attr(e, "balanceinertia"))
      if (boolean(e, *a)) ignore(a->line, "attribute 'balanceinertia' of <compiler>");
    if (const XAttr* a = attr(e, "meshdir")) meshdir_ = a->value;
    if (const XAttr* a = attr(e, "assetdir")) assetdir_ = a->value;
    if (const XAttr* a = attr(e, "eulerseq")) {
      bool ok = a->value.size() == 3;
      for (char c : a->value) ok = ok && std::strchr("xyzXYZ", c) != nullptr && c != 0;
      if (!ok)
        failParse(a->line, "attribute 'eulerseq' of <compiler>: " + quoted(a->value) +
                               " must be three of x, y, z (moving axes) or X, Y, Z (fixed axes)");
      eulerseq_ = a->value;
    }
    if (const XAttr* a = attr(e, "inertiagrouprange")) {
      std::istringstream w(a->value);
      std::vector<std::string> t;
      std::string s;
      while (w >> s) t.push_back(s);
      if (t.size() != 2)
        failParse(a->line, "attribute 'inertiagrouprange' of <compiler> needs 2 integers, got " +
                               quoted(a->value));
      for (int k = 0; k < 2; ++k) {
        XAttr one = *a;
        one.value = t[k];
        groupRange_[k] = integer(e, one);
      }
    }
  }

  void readOption(const XElem& e) {
    // the constraint solver's settings are read; contact-only settings have no effect yet
    allowAttrs(e, {"timestep", "gravity", "integrator", "density", "viscosity", "wind", "solver",
                   "iterations", "tolerance", "ls_iterations", "ls_tolerance", "impratio", "cone"},
               {"noslip_tolerance", "ccd_tolerance", "noslip_iterations", "ccd_iterations",
                "sdf_iterations", "sdf_initpoints", "jacobian", "o_margin",
                "o_solref", "o_solimp", "o_friction", "magnetic", "actuatorgroupdisable",
                "collision", "apirate", "mpr_tolerance", "mpr_iterations"});
    if (const XAttr* a = attr(e, "timestep")) {
      double dt = number(e, *a);
      if (!(dt > 0)) failModel(a->line, "attribute 'timestep' of <option> must be positive");
      spec_.timestep = dt;
    }
    getVec3(e, "gravity", spec_.gravity);
    SolverOptions& so = spec_.solver;
    if (const XAttr* a = attr(e, "solver"))
      so.solver = keyword(e, *a, {"PGS", "CG", "Newton"});  // = SIM_SOLVER_PGS, _CG, _NEWTON
    if (const XAttr* a = attr(e, "cone")) so.elliptic = keyword(e, *a, {"pyramidal", "elliptic"}) == 1;
    auto count = [&](const char* name, int& x) {
      if (const XAttr* a = attr(e, name)) {
        x = integer(e, *a);
        if (x < 0) failModel(a->line, std::string("attribute '") + name + "' of <option> must not be negative");
      }
    };
    auto positive = [&](const char* name, double& x, bool zeroOk) {
      if (const XAttr* a = attr(e, name)) {
        x = number(e, *a);
        if (!(x > 0 || (zeroOk && x == 0)))
          failModel(a->line, std::string("attribute '") + name + "' of <option> must be " +
                                 (zeroOk ? "non-negative" : "positive"));
      }
    };
    count("iterations", so.iterations);
    count("ls_iterations", so.lsIterations);
    positive("tolerance", so.tolerance, true);
    positive("ls_tolerance", so.lsTolerance, true);
    positive("impratio", so.impratio, false);
    for (const char* name : {"density", "viscosity", "wind"})
      if (const XAttr* a = attr(e, name)) {
        auto v = numbers(e, *a, 1, 3);
        if (std::string(name) == "density") spec_.fluidDensity = v[0];
        else if (std::string(name) == "viscosity") spec_.fluidViscosity = v[0];
        else if (v.size() == 3) spec_.wind = Vec3(v[0], v[1], v[2]);
        else failParse(a->line, "attribute 'wind' of <option> needs 3 numbers");
      }
    if (const XAttr* a = attr(e, "integrator")) {
      // MuJoCo's mjtIntegrator order, which the SIM_INTEGRATOR_* values follow
      spec_.integrator = keyword(e, *a, {"Euler", "RK4", "implicit", "implicitfast"});
    }
    for (int k : e.kids) {
      const XElem& f = nodes_[k];
      if (f.name != "flag") {
        refuseElement(f, "option");
        continue;
      }
      // flags that change nothing here; the others must keep MuJoCo's default
      allowAttrs(f, {"contact", "energy", "gravity", "limit", "passive", "actuation",
                     "clampctrl", "eulerdamp", "constraint", "equality", "frictionloss",
                     "warmstart", "filterparent", "sensor", "midphase", "refsafe", "override",
                     "island", "multiccd", "nativeccd", "fwdinv", "invdiscrete", "autoreset",
                     "spring", "damper"});
      for (int c : f.kids) refuseElement(nodes_[c], "flag");
      for (const XAttr& a : f.attrs) {
        const bool enable = keyword(f, a, {"enable", "disable"}) == 0;
        if (a.name == "gravity") {
          if (!enable) gravityDisabled_ = true;
        } else if (a.name == "limit" || a.name == "constraint") {
          if (!enable) {
            limitsDisabled_ = true;
            spec_.solver.limits = false;
          }
          if (!enable && a.name == "constraint") {
            spec_.solver.frictionloss = false;
            spec_.solver.equality = false;
          }
        } else if (a.name == "frictionloss") {
          spec_.solver.frictionloss = enable;
        } else if (a.name == "contact") {
          spec_.solver.contact = enable;
        } else if (a.name == "equality") {
          spec_.solver.equality = enable;
        } else if (a.name == "filterparent") {
          spec_.solver.filterparent = enable;
        } else if (a.name == "multiccd") {
          spec_.solver.multiccd = enable;
        } else if (a.name == "warmstart") {
          spec_.solver.warmstart = enable;
        } else if (a.name == "refsafe") {
          spec_.solver.refsafe = enable;
        } else if (a.name == "passive" || a.name == "actuation" ||
                   a.name == "clampctrl" || a.name == "eulerdamp" ||
                   a.name == "spring" || a.name == "damper") {
          if (!enable)
            unsupported(a.line, "<flag " + a.name + "=\"disable\"> is not supported");
        } else if (a.name == "override" || a.name == "energy" || a.name == "fwdinv" ||
                   a.name == "invdiscrete" || a.name == "island" ||
                   a.name == "autoreset") {
          // enable-type flags without effect on the dynamics here
        } else {
          ignore(a.line, "<flag " + a.name + ">");
        }
      }
    }
    if (gravityDisabled_) spec_.gravity = Vec3::Zero();
  }
  bool gravityDisabled_ = false;
  bool limitsDisabled_ = false;       // <flag limit|constraint="disable">

  // MARK: defaults

  void readDefaults(int top) {
    // preorder walk; a class's values are complete before its children copy them
    struct Item {
      int node, parentClass;
    };
    std::vector<Item> stack{{top, -1}};
    while (!stack.empty()) {
      Item it = stack.back();
      stack.pop_back();
      const XElem& d = nodes_[it.node];
      allowAttrs(d, {"class"});
      int ci;
      if (it.parentClass < 0) {
        ci = 0;
        if (const XAttr* a = attr(d, "class"))
          if (a->value != "main")
            failParse(a->line, "the top-level <default> is class 'main' and cannot be renamed to " +
                                   quoted(a->value));
        classes_[0].line = d.line;
      } else {
        const XAttr* a = attr(d, "class");
        if (!a || a->value.empty())
          failParse(d.line, "a nested <default> needs a class name");
        auto found = classIndex_.find(a->value);
        if (found != classIndex_.end())
          failModel(a->line, "default class " + quoted(a->value) +
                                 " is defined twice (first at " +
                                 lineText(classes_[found->second].line, a->line) + ")");
        DefaultClass c = classes_[it.parentClass];
        c.name = a->value;
        c.line = d.line;
        ci = (int)classes_.size();
        classes_.push_back(c);
        classIndex_[a->value] = ci;
      }
      std::set<std::string> seen;
      std::vector<int> nested;
      for (int k : d.kids) {
        const XElem& c = nodes_[k];
        if (c.name == "default") {
          nested.push_back(k);
          continue;
        }
        if (c.name == "mesh") {  // MuJoCo's mesh defaults: scale and inertia shape the mass
          allowAttrs(c, {"scale", "inertia"}, {"maxhullvert"});
          getVec3(c, "scale", classes_[ci].meshScale);
          if (const XAttr* x = attr(c, "inertia"))
            classes_[ci].meshInertia = keyword(c, *x, {"legacy", "exact", "convex", "shell"});
          continue;
        }
        static const std::set<std::string> visualOnly = {
            "camera", "light", "material", "texture", "hfield",
            "flex", "skin", "flexcomp"};
        if (visualOnly.count(c.name)) {  // no effect unless something that uses it is loaded
          ignore(c.line, "<" + c.name + "> default");
          continue;
        }
        const bool actuatorKind = isActuatorKind(c.name);
        if (c.name == "equality" || c.name == "pair" || c.name == "tendon") {
          if (!seen.insert(c.name).second)
            failParse(c.line, "a second <" + c.name + "> in default class '" + classes_[ci].name + "'");
          for (int kk : c.kids) refuseElement(nodes_[kk], c.name);
          if (c.name == "equality") applyEquality(c, classes_[ci].equality, true);
          else if (c.name == "pair") applyPair(c, classes_[ci].pair, true);
          else applyTendon(c, classes_[ci].tendon, true);
          continue;
        }
        if (c.name != "joint" && c.name != "geom" && c.name != "site" && !actuatorKind) {
          refuseElement(c, "default");
          continue;
        }
        if (!seen.insert(c.name).second)
          failParse(c.line,
                    "a second <" + c.name + "> in default class '" + classes_[ci].name + "'");
        for (int kk : c.kids) refuseElement(nodes_[kk], c.name);
        checkDefaultElement(c);
        DefaultClass& dc = classes_[ci];
        if (c.name == "joint") applyJoint(c, dc.joint, true);
        else if (c.name == "geom") applyGeom(c, dc.geom, true, nullptr);
        else if (c.name == "site") applySite(c, dc.site, true, nullptr);
        else applyActuator(c, dc.actuator, true);
      }
      for (auto k = nested.rbegin(); k != nested.rend(); ++k) stack.push_back({*k, ci});
    }
  }

  int classOf(const XElem& e, int inherited) {
    if (const XAttr* a = attr(e, "class")) return lookupClass(*a);
    return inherited;
  }

  int lookupClass(const XAttr& a) {
    auto it = classIndex_.find(a.value);
    if (it == classIndex_.end())
      failModel(a.line, "unknown default class " + quoted(a.value));
    return it->second;
  }

  // MARK: element attribute readers (used for defaults and elements alike)

  /// Elements inside <default> set values only: no name, no class of their own.
  void checkDefaultElement(const XElem& e) {
    for (const char* k : {"name", "class"})
      if (const XAttr* a = attr(e, k))
        failParse(a->line, "<" + e.name + "> inside <default> cannot have a " + k +
                               (std::string(k) == "class"
                                    ? " (nest <default class=\"...\"> instead)"
                                    : ""));
  }

  void applyJoint(const XElem& e, JointVals& v, bool isDefault) {
    // limits and dry friction are soft constraints with their own solref/solimp
    if (isDefault)
      allowAttrs(e, {"type", "pos", "axis", "range", "limited", "damping", "armature", "stiffness",
                     "springref", "ref", "solreflimit", "group", "frictionloss", "margin",
                     "springdamper", "actuatorfrclimited", "actuatorfrcrange", "actuatorgravcomp",
                     "solimplimit", "solreffriction", "solimpfriction"},
                 {"user"});
    else
      allowAttrs(e, {"name", "class", "type", "pos", "axis", "range", "limited", "damping",
                     "armature", "stiffness", "springref", "ref", "solreflimit", "group",
                     "frictionloss", "margin", "springdamper", "actuatorfrclimited",
                     "actuatorfrcrange", "actuatorgravcomp", "solimplimit", "solreffriction",
                     "solimpfriction"},
                 {"user"});
    if (const XAttr* a = attr(e, "type")) {
      if (a->value == "free" || a->value == "ball") {
        v.type = a->value == "free" ? kJointFree : kJointBall;
      } else {
        v.type = keyword(e, *a, {"hinge", "slide"}) == 0 ? SIM_JOINT_HINGE : SIM_JOINT_SLIDE;
      }
    }
    // MuJoCo's defaults (0, false) are accepted; other values change the dynamics
    auto mustBeZero = [&](const char* name, const char* why) {
      if (const XAttr* a = attr(e, name)) {
        auto x = numbers(e, *a, 1, 2);
        for (double y : x)
          if (y != 0) {
            unsupported(a->line, "attribute '" + std::string(name) + "' of <joint> is not "
                                     "supported: " + why + " (only 0 is)");
            break;
          }
      }
    };
    if (const XAttr* a = attr(e, "margin")) v.margin = number(e, *a);
    auto solimp = [&](const char* name, double* out) {
      if (const XAttr* a = attr(e, name)) {
        auto r = numbers(e, *a, 1, 5);  // MuJoCo reads a prefix; the rest keeps its default
        for (size_t k = 0; k < r.size(); ++k) out[k] = r[k];
      }
    };
    solimp("solimplimit", v.solimp);
    solimp("solimpfriction", v.solimpfriction);
    if (const XAttr* a = attr(e, "solreffriction")) {
      auto r = numbers(e, *a, 2, 2);
      v.solreffriction[0] = r[0];
      v.solreffriction[1] = r[1];
    }
    if (const XAttr* a = attr(e, "springdamper")) {
      auto r = numbers(e, *a, 2, 2);
      if ((r[0] != 0 || r[1] != 0) && !(r[0] > 0 && r[1] > 0))
        failModel(a->line, "attribute 'springdamper' of <joint>: when given, the time constant and "
                           "damping ratio must both be positive");
      v.springdamper[0] = r[0];
      v.springdamper[1] = r[1];
    }
    if (const XAttr* a = attr(e, "actuatorfrcrange")) {
      auto r = numbers(e, *a, 2, 2);
      v.actfrcrange[0] = r[0];
      v.actfrcrange[1] = r[1];
    }
    if (const XAttr* a = attr(e, "actuatorfrclimited")) v.actfrclimited = triState(e, *a);
    if (const XAttr* a = attr(e, "actuatorgravcomp"))
      if (boolean(e, *a))
        unsupported(a->line, "attribute 'actuatorgravcomp' of <joint> is not supported: gravity "
                             "compensation is not modelled");
    getVec3(e, "pos", v.pos);
    getVec3(e, "axis", v.axis);
    if (const XAttr* a = attr(e, "range")) {
      auto r = numbers(e, *a, 2, 2);
      v.range[0] = r[0];
      v.range[1] = r[1];
    }
    if (const XAttr* a = attr(e, "limited")) v.limited = triState(e, *a);
    auto nonneg = [&](const char* name, double& x) {
      if (const XAttr* a = attr(e, name)) {
        x = number(e, *a);
        if (x < 0)
          failModel(a->line,
                    std::string("attribute '") + name + "' of <joint> must not be negative");
      }
    };
    nonneg("damping", v.damping);
    nonneg("armature", v.armature);
    nonneg("stiffness", v.stiffness);
    nonneg("frictionloss", v.frictionloss);
    getNumber(e, "springref", v.springref);
    getNumber(e, "ref", v.ref);
    if (const XAttr* a = attr(e, "solreflimit")) {
      auto r = numbers(e, *a, 2, 2);
      v.solref[0] = r[0];
      v.solref[1] = r[1];
    }
    if (const XAttr* a = attr(e, "group")) integer(e, *a);
  }

  void readSizes(const XElem& e, double size[3]) {
    if (const XAttr* a = attr(e, "size")) {
      auto s = numbers(e, *a, 1, 3);
      for (size_t k = 0; k < s.size(); ++k) size[k] = s[k];
    }
  }

  void readFromto(const XElem& e, bool& has, double fromto[6]) {
    if (const XAttr* a = attr(e, "fromto")) {
      auto f = numbers(e, *a, 6, 6);
      for (int k = 0; k < 6; ++k) fromto[k] = f[k];
      has = true;
    }
  }

  int shapeType(const XElem& e, const XAttr& a, bool site) {
    static const std::map<std::string, int> types = {
        {"plane", SIM_GEOM_PLANE},       {"sphere", SIM_GEOM_SPHERE}, {"capsule", SIM_GEOM_CAPSULE},
        {"ellipsoid", SIM_GEOM_ELLIPSOID}, {"cylinder", SIM_GEOM_CYLINDER}, {"box", SIM_GEOM_BOX}};
    if (!site && a.value == "mesh") return kGeomMesh;
    if (!site && a.value == "hfield") return kGeomHfield;
    auto it = types.find(a.value);
    if (it == types.end() || (site && it->second == SIM_GEOM_PLANE)) {
      bool known =
          a.value == "mesh" || a.value == "hfield" || a.value == "sdf" || a.value == "plane";
      failParse(a.line, "attribute 'type' of <" + e.name + ">: " + quoted(a.value) +
                            (known ? " is not supported" : " is not a geom type") + " (" +
                            (site ? "sphere, capsule, ellipsoid, cylinder, box"
                                  : "plane, sphere, capsule, ellipsoid, cylinder, box") +
                            ")");
    }
    return it->second;
  }

  /// `explicitOrientation` (elements only) reports whether the element itself gave one.
  void applyGeom(const XElem& e, GeomVals& v, bool isDefault, bool* explicitOrientation) {
    if (isDefault)
      allowAttrs(e, {"type", "size", "fromto", "pos", "quat", "euler", "axisangle", "xyaxes",
                     "zaxis", "mass", "density", "rgba", "group", "contype", "conaffinity",
                     "condim", "priority", "friction", "solmix", "solref", "solimp", "margin",
                     "gap", "mesh", "fluidshape", "shellinertia", "hfield"},
                 {"material", "user", "fluidcoef", "fitscale"});
    else
      allowAttrs(e, {"name", "class", "type", "size", "fromto", "pos", "quat", "euler",
                     "axisangle", "xyaxes", "zaxis", "mass", "density", "rgba", "group",
                     "contype", "conaffinity", "condim", "priority", "friction", "solmix",
                     "solref", "solimp", "margin", "gap", "mesh", "fluidshape", "shellinertia",
                     "hfield"},
                 {"material", "user", "fluidcoef", "fitscale"});
    if (const XAttr* a = attr(e, "type")) v.type = shapeType(e, *a, false);
    if (const XAttr* a = attr(e, "mesh")) {
      v.mesh = a->value;
      v.meshLine = a->line;
    }
    if (const XAttr* a = attr(e, "fluidshape"))
      if (keyword(e, *a, {"none", "ellipsoid"}) != 0)
        unsupported(a->line, "fluidshape 'ellipsoid' is not supported: fluid forces are not "
                             "modelled");
    if (const XAttr* a = attr(e, "shellinertia"))
      if (boolean(e, *a))
        unsupported(a->line, "shellinertia is not supported (geoms are solid)");
    if (const XAttr* a = attr(e, "hfield")) (void)a;  // used by type="hfield" (static only)
    readSizes(e, v.size);
    readFromto(e, v.hasFromto, v.fromto);
    getVec3(e, "pos", v.pos);
    bool o = readOrientation(e, v.quat);
    if (explicitOrientation) *explicitOrientation = o;
    if (const XAttr* a = attr(e, "mass")) {
      v.mass = number(e, *a);
      v.hasMass = true;
      if (v.mass < 0) failModel(a->line, "geom mass must not be negative, got " + quoted(a->value));
    }
    if (const XAttr* a = attr(e, "density")) {
      v.density = number(e, *a);
      if (v.density < 0)
        failModel(a->line, "geom density must not be negative, got " + quoted(a->value));
    }
    if (const XAttr* a = attr(e, "rgba")) {
      auto c = numbers(e, *a, 4, 4);
      for (int k = 0; k < 4; ++k) v.rgba[k] = (float)c[k];
    }
    if (const XAttr* a = attr(e, "group")) v.group = integer(e, *a);
    // contact parameters (collision.cpp)
    ContactParams& c = v.contact;
    if (const XAttr* a = attr(e, "contype")) c.contype = integer(e, *a);
    if (const XAttr* a = attr(e, "conaffinity")) c.conaffinity = integer(e, *a);
    if (const XAttr* a = attr(e, "priority")) c.priority = integer(e, *a);
    if (const XAttr* a = attr(e, "condim")) {
      c.condim = integer(e, *a);
      if (c.condim != 1 && c.condim != 3 && c.condim != 4 && c.condim != 6)
        failModel(a->line, "attribute 'condim' of <geom> must be 1, 3, 4 or 6");
    }
    if (const XAttr* a = attr(e, "friction")) {
      auto f = numbers(e, *a, 1, 3);  // a prefix; the rest keeps its value
      for (size_t k = 0; k < f.size(); ++k) c.friction[k] = f[k];
    }
    if (const XAttr* a = attr(e, "solmix")) c.solmix = number(e, *a);
    if (const XAttr* a = attr(e, "solref")) {
      auto r = numbers(e, *a, 2, 2);
      c.solref[0] = r[0];
      c.solref[1] = r[1];
    }
    if (const XAttr* a = attr(e, "solimp")) {
      auto r = numbers(e, *a, 3, 5);
      for (size_t k = 0; k < r.size(); ++k) c.solimp[k] = r[k];
    }
    if (const XAttr* a = attr(e, "margin")) c.margin = number(e, *a);
    if (const XAttr* a = attr(e, "gap")) c.gap = number(e, *a);
  }

  void applySite(const XElem& e, SiteVals& v, bool isDefault, bool* explicitOrientation) {
    if (isDefault)
      allowAttrs(e, {"type", "size", "fromto", "pos", "quat", "euler", "axisangle", "xyaxes",
                     "zaxis", "rgba", "group"}, {"material", "user"});
    else
      allowAttrs(e, {"name", "class", "type", "size", "fromto", "pos", "quat", "euler",
                     "axisangle", "xyaxes", "zaxis", "rgba", "group"}, {"material", "user"});
    if (const XAttr* a = attr(e, "type")) v.type = shapeType(e, *a, true);
    readSizes(e, v.size);
    readFromto(e, v.hasFromto, v.fromto);
    getVec3(e, "pos", v.pos);
    bool o = readOrientation(e, v.quat);
    if (explicitOrientation) *explicitOrientation = o;
    if (const XAttr* a = attr(e, "rgba")) numbers(e, *a, 4, 4);
    if (const XAttr* a = attr(e, "group")) integer(e, *a);
  }

  /// The actuator kinds this loader simulates (the others are refused where they are used).
  static bool simulatedKind(const std::string& n) {
    return n == "motor" || n == "general" || n == "position" || n == "velocity" ||
           n == "intvelocity" || n == "damper" || n == "cylinder" || n == "adhesion";
  }

  static bool isActuatorKind(const std::string& n) {
    return n == "motor" || n == "general" || n == "position" || n == "velocity" ||
           n == "intvelocity" || n == "damper" || n == "cylinder" || n == "muscle" ||
           n == "adhesion";
  }

  /// Reads an actuator element (or its default) of any kind into `v`, as MuJoCo does: the
  /// shortcuts set gain and bias (position: kp, -kp q - kv qdot; velocity: kv, -kv qdot).
  void applyActuator(const XElem& e, ActuatorVals& v, bool isDefault) {
    const std::string& kind = e.name;
    std::vector<const char*> allowed = {"gear", "ctrlrange", "ctrllimited", "forcerange",
                                        "forcelimited", "group", "tendon", "site", "body",
                                        "jointinparent", "cranksite", "slidersite", "refsite",
                                        "cranklength"};
    if (!isDefault)
      for (const char* n : {"name", "class", "joint"}) allowed.push_back(n);
    if (kind == "general")
      for (const char* n : {"dyntype", "gaintype", "biastype", "dynprm", "gainprm", "biasprm",
                            "actlimited", "actrange", "actearly"})
        allowed.push_back(n);
    if (kind == "position")
      for (const char* n : {"kp", "kv", "dampratio", "timeconst", "inheritrange"})
        allowed.push_back(n);
    if (kind == "velocity" || kind == "damper") allowed.push_back("kv");
    if (kind == "intvelocity")
      for (const char* n : {"kp", "kv", "dampratio", "inheritrange", "actlimited", "actrange"})
        allowed.push_back(n);
    if (kind == "cylinder")
      for (const char* n : {"timeconst", "area", "diameter", "bias"}) allowed.push_back(n);
    if (kind == "adhesion")  // MuJoCo's schema: no gear, ctrllimited or other transmission
      allowed = isDefault ? std::vector<const char*>{"ctrlrange", "forcerange", "forcelimited", "group", "gain"}
                          : std::vector<const char*>{"ctrlrange", "forcerange", "forcelimited", "group", "gain",
                                                     "name", "class", "body"};
    for (const XAttr& a : e.attrs) {
      bool ok = std::find_if(allowed.begin(), allowed.end(), [&](const char* n) {
                  return a.name == n;
                }) != allowed.end();
      if (ok) continue;
      if (a.name == "user" || a.name == "actdim" || a.name == "nsample" || a.name == "interp" ||
          a.name == "delay") {
        ignore(a.line, "attribute '" + a.name + "' of <" + kind + ">");
        continue;
      }
      if (isDefault && !simulatedKind(kind))
        continue;  // a kind we do not simulate: refused where an actuator uses it
      unsupported(a.line, "attribute '" + a.name + "' of <" + kind + "> is not supported");
    }
    if (const XAttr* a = attr(e, "gear")) {
      auto g = numbers(e, *a, 1, 6);
      for (int k = 0; k < 6; ++k) v.gear[k] = k < (int)g.size() ? g[k] : 0;
    }
    auto pair = [&](const char* name, double out[2]) {
      if (const XAttr* a = attr(e, name)) {
        auto r = numbers(e, *a, 2, 2);
        out[0] = r[0];
        out[1] = r[1];
      }
    };
    pair("ctrlrange", v.ctrlrange);
    pair("forcerange", v.forcerange);
    pair("actrange", v.actrange);
    if (const XAttr* a = attr(e, "actlimited")) v.actlimited = triState(e, *a);
    if (const XAttr* a = attr(e, "actearly")) v.actearly = boolean(e, *a);
    if (const XAttr* a = attr(e, "ctrllimited")) v.ctrllimited = triState(e, *a);
    if (const XAttr* a = attr(e, "forcelimited")) v.forcelimited = triState(e, *a);
    if (const XAttr* a = attr(e, "group")) integer(e, *a);
    auto prm = [&](const char* name, double out[10]) {
      if (const XAttr* a = attr(e, name)) {
        auto p = numbers(e, *a, 1, 10);
        for (int k = 0; k < 10; ++k) out[k] = k < (int)p.size() ? p[k] : 0;
      }
    };
    auto setBias = [&](double b0, double b1, double b2) {
      std::fill(v.biasprm, v.biasprm + 10, 0.0);
      v.biasprm[0] = b0, v.biasprm[1] = b1, v.biasprm[2] = b2;
    };
    auto setGain = [&](double g) {
      std::fill(v.gainprm, v.gainprm + 10, 0.0);
      v.gainprm[0] = g;
    };
    const std::string inherited = v.kind;
    if (kind == "general") {
      if (const XAttr* a = attr(e, "dyntype")) v.dyntype = a->value;
      if (const XAttr* a = attr(e, "gaintype")) v.gaintype = a->value;
      if (const XAttr* a = attr(e, "biastype")) v.biastype = a->value;
      prm("dynprm", v.dynprm);
      prm("gainprm", v.gainprm);
      prm("biasprm", v.biasprm);
      v.kind = inherited == "general" || isDefault ? "general" : inherited;
      if (isDefault) v.kind = "general";
    } else if (kind == "motor") {
      v.dyntype = "none", v.gaintype = "fixed", v.biastype = "none";
      setGain(1);
      setBias(0, 0, 0);
      v.kind = "motor";
    } else if (kind == "position" || kind == "intvelocity") {
      // kp and kv come from a default set by <position> or <general>, else MuJoCo's 1 and 0;
      // intvelocity is the same servo on an integrated control (dyntype integrator), its
      // inheritrange giving actrange instead of ctrlrange
      const bool intvelocity = kind == "intvelocity";
      const bool from = inherited == "position" || inherited == "general" || inherited == "intvelocity";
      double kp = from ? v.gainprm[0] : 1, kv = from ? -v.biasprm[2] : 0;
      getNumber(e, "kp", kp);
      getNumber(e, "kv", kv);
      if (const XAttr* a = attr(e, "dampratio")) {
        if (number(e, *a) != 0)
          unsupported(a->line, "attribute 'dampratio' of <position> is not supported: give kv");
      } else if (kv < 0) {
        unsupported(e.line, "<position> inherits a damping ratio (positive biasprm[2]) from its "
                            "default, which is not supported: give kv");
      }
      // timeconst > 0: the control passes through a first-order filter (MuJoCo: filterexact)
      double timeconst = from && v.dyntype == "filterexact" ? v.dynprm[0] : 0;
      if (!intvelocity) getNumber(e, "timeconst", timeconst);
      if (timeconst < 0) failModel(e.line, "attribute 'timeconst' of <position> must not be negative");
      if (const XAttr* a = attr(e, "inheritrange")) {
        v.inheritrange = number(e, *a);
        if (v.inheritrange < 0)
          failModel(a->line, "attribute 'inheritrange' of <" + kind + "> must not be negative");
        // MuJoCo: the range it would set cannot be given beside it
        const char* range = intvelocity ? "actrange" : "ctrlrange";
        if (v.inheritrange > 0 && attr(e, range))
          failModel(a->line, "<" + kind + "> " + range + " and inheritrange cannot both be given");
      }
      v.dyntype = timeconst > 0 ? "filterexact" : "none", v.gaintype = "fixed", v.biastype = "affine";
      if (timeconst > 0) {
        std::fill(v.dynprm, v.dynprm + 10, 0.0);
        v.dynprm[0] = timeconst;
      }
      if (intvelocity) v.dyntype = "integrator";
      setGain(kp);
      setBias(0, -kp, -kv);
      v.kind = kind;
    } else if (kind == "velocity") {
      const bool from = inherited == "velocity" || inherited == "general";
      double kv = from ? v.gainprm[0] : 1;
      getNumber(e, "kv", kv);
      v.dyntype = "none", v.gaintype = "fixed", v.biastype = "affine";
      setGain(kv);
      setBias(0, 0, -kv);
      v.kind = "velocity";
    } else if (kind == "damper") {
      // MuJoCo's damper: force = −kv·velocity·ctrl (affine gain, no bias), ctrl ≥ 0 and limited
      double kv = v.gaintype == "affine" ? -v.gainprm[2] : 0;
      getNumber(e, "kv", kv);
      if (kv < 0) failModel(e.line, "<damper> kv must not be negative");
      v.dyntype = "none", v.gaintype = "affine", v.biastype = "none";
      std::fill(v.gainprm, v.gainprm + 10, 0.0);
      v.gainprm[2] = -kv;
      v.ctrllimited = kTrue;
      v.kind = "damper";
    } else if (kind == "adhesion") {
      // MuJoCo 4.0.1's <adhesion>: gainprm[0] = gain (when not given: the default's gainprm[0] if
      // that default is a fixed-gain <general> or an <adhesion>, else 1), gain fixed, no bias, no
      // dynamics, ctrl limited (measured against MuJoCo with defaults of every kind)
      const bool fromDefault = (inherited == "general" || inherited == "adhesion") && v.gaintype == "fixed";
      double gain = fromDefault ? v.gainprm[0] : 1;
      getNumber(e, "gain", gain);
      if (gain < 0) failModel(e.line, "<adhesion> gain must not be negative");
      if (v.ctrlrange[0] < 0 || v.ctrlrange[1] < 0)
        failModel(e.line, "<adhesion> ctrlrange " + fmtPair(v.ctrlrange) + " must not be negative");
      v.gainprm[0] = gain;
      v.dyntype = "none", v.gaintype = "fixed", v.biastype = "none";
      v.ctrllimited = kTrue;
      v.kind = "adhesion";
    } else if (kind == "cylinder") {
      // MuJoCo's pneumatic/hydraulic cylinder: a first-order filter on the control (timeconst),
      // force area·act + bias[0] + bias[1]·length + bias[2]·velocity; unset values come from
      // the default (area = gainprm[0], bias = biasprm, timeconst = dynprm[0])
      double timeconst = v.dynprm[0], area = v.gainprm[0], diameter = -1;
      getNumber(e, "timeconst", timeconst);
      getNumber(e, "area", area);
      getNumber(e, "diameter", diameter);
      if (const XAttr* a = attr(e, "bias")) {
        auto x = numbers(e, *a, 3, 3);
        std::copy(x.begin(), x.end(), v.biasprm);
      }
      if (diameter >= 0) area = kPi / 4 * diameter * diameter;
      v.dynprm[0] = timeconst;
      v.gainprm[0] = area;
      v.dyntype = "filter", v.gaintype = "fixed", v.biastype = "affine";
      v.kind = "cylinder";
    } else {
      v.kind = kind;  // a kind we do not simulate
    }
  }


  void checkName(int kind, const XElem& e, std::string& out) {
    static const char* kinds[] = {"body", "joint", "geom", "site", "actuator"};
    const XAttr* a = attr(e, "name");
    if (!a) return;
    out = a->value;
    if (out.empty()) return;
    auto it = names_[kind].find(out);
    if (it != names_[kind].end())
      failModel(a->line, std::string("duplicate ") + kinds[kind] + " name " + quoted(out) +
                             (out == "world" && kind == 0
                                  ? " (the world body is called 'world')"
                                  : " (first at " + lineText(it->second, a->line) + ")"));
    names_[kind][out] = a->line;
  }

  // MARK: shapes

  struct Shape {
    int type;
    double size[3];
    Vec3 pos;
    Quat quat;
  };

  /// Resolves fromto, checks sizes (MuJoCo's checksize). `what` is "geom" or "site".
  Shape resolveShape(const XElem& e, int type, const double sizeIn[3], bool hasFromto,
                     const double fromto[6], const Vec3& pos, const Quat& quat,
                     bool explicitOrient) {
    Shape s{type, {sizeIn[0], sizeIn[1], sizeIn[2]}, pos, quat};
    if (hasFromto) {
      if (type != SIM_GEOM_CAPSULE && type != SIM_GEOM_CYLINDER && type != SIM_GEOM_ELLIPSOID &&
          type != SIM_GEOM_BOX)
        failModel(e.line, "<" + e.name + "> 'fromto' needs a capsule, cylinder, ellipsoid or box");
      if (pos != Vec3::Zero())
        failModel(e.line, "<" + e.name + "> has both 'pos' and 'fromto'");
      if (explicitOrient)
        failModel(e.line, "<" + e.name + "> has both an orientation and 'fromto'");
      Vec3 from(fromto[0], fromto[1], fromto[2]), to(fromto[3], fromto[4], fromto[5]);
      Vec3 vec = from - to;
      double half = vec.norm() / 2;
      if (half < kEps) failModel(e.line, "<" + e.name + "> 'fromto' points coincide");
      s.size[1] = half;
      if (type == SIM_GEOM_ELLIPSOID || type == SIM_GEOM_BOX) {
        s.size[2] = s.size[1];
        s.size[1] = s.size[0];
      }
      s.pos = (from + to) / 2;
      s.quat = quatFromZ(vec / (2 * half));
    }
    int need = 0;
    switch (type) {
      case SIM_GEOM_SPHERE: need = 1; break;
      case SIM_GEOM_CAPSULE:
      case SIM_GEOM_CYLINDER: need = 2; break;
      case SIM_GEOM_ELLIPSOID:
      case SIM_GEOM_BOX: need = 3; break;
      default: need = 0;
    }
    static const char* typeNames[] = {"plane",     "hfield",   "sphere", "capsule",
                                      "ellipsoid", "cylinder", "box"};
    for (int k = 0; k < need; ++k)
      if (!(s.size[k] > 0))
        failModel(e.line, "<" + e.name + "> of type " + typeNames[type] + ": size[" +
                              std::to_string(k) + "] must be positive" +
                              (s.size[k] == 0 ? " (is it missing?)" : ""));
    if (type == SIM_GEOM_PLANE) {
      if (s.size[0] < 0 || s.size[1] < 0)
        failModel(e.line, "<geom> plane half-sizes must not be negative (0 means infinite)");
      if (!(s.size[2] > 0))
        failModel(e.line, "<geom> plane size[2] (grid spacing) must be positive");
    }
    return s;
  }

  static double volume(const Shape& s) {
    const double* z = s.size;
    switch (s.type) {
      case SIM_GEOM_SPHERE: return 4 * kPi * z[0] * z[0] * z[0] / 3;
      case SIM_GEOM_CAPSULE: return kPi * (z[0] * z[0] * 2 * z[1] + 4 * z[0] * z[0] * z[0] / 3);
      case SIM_GEOM_CYLINDER: return kPi * z[0] * z[0] * 2 * z[1];
      case SIM_GEOM_ELLIPSOID: return 4 * kPi * z[0] * z[1] * z[2] / 3;
      case SIM_GEOM_BOX: return 8 * z[0] * z[1] * z[2];
      default: return 0;
    }
  }

  /// MuJoCo's principal inertia of a solid geom of mass m about its centre, geom frame.
  static Vec3 principalInertia(const Shape& s, double m) {
    const double* z = s.size;
    switch (s.type) {
      case SIM_GEOM_SPHERE: {
        double i = 2 * m * z[0] * z[0] / 5;
        return Vec3(i, i, i);
      }
      case SIM_GEOM_CAPSULE: {
        double h = 2 * z[1], r = z[0];
        double ms = m * 4 * r / (4 * r + 3 * h);  // mass of the two hemispheres
        double mc = m - ms;
        double ixy =
            mc * (3 * r * r + h * h) / 12 + 2 * ms * r * r / 5 + ms * h * (3 * r + 2 * h) / 8;
        double iz = mc * r * r / 2 + 2 * ms * r * r / 5;
        return Vec3(ixy, ixy, iz);
      }
      case SIM_GEOM_CYLINDER: {
        double h = 2 * z[1];
        double ixy = m * (3 * z[0] * z[0] + h * h) / 12;
        return Vec3(ixy, ixy, m * z[0] * z[0] / 2);
      }
      case SIM_GEOM_ELLIPSOID:
        return Vec3(m * (z[1] * z[1] + z[2] * z[2]) / 5, m * (z[0] * z[0] + z[2] * z[2]) / 5,
                    m * (z[0] * z[0] + z[1] * z[1]) / 5);
      case SIM_GEOM_BOX:
        return Vec3(m * (z[1] * z[1] + z[2] * z[2]) / 3, m * (z[0] * z[0] + z[2] * z[2]) / 3,
                    m * (z[0] * z[0] + z[1] * z[1]) / 3);
      default: return Vec3::Zero();
    }
  }

  // MARK: bodies

  struct GeomMass {
    double mass;
    Vec3 pos;
    Quat quat;
    Vec3 inertia;
    int group;
  };

  void readWorld(int worldNode) {
    const XElem& w = nodes_[worldNode];
    allowAttrs(w, {});
    if (bodyExplicitInertial_.empty()) {
      bodyExplicitInertial_.push_back(0);
      bodyJointCount_.push_back(0);
    }
    struct Item {
      int node, parentBody, childclass;
    };
    std::vector<Item> stack{{worldNode, -1, 0}};
    while (!stack.empty()) {
      Item it = stack.back();
      stack.pop_back();
      const XElem& b = nodes_[it.node];
      int bi, cls = it.childclass;
      if (it.parentBody < 0) {
        bi = 0;
      } else {
        allowAttrs(b,
                   {"name", "pos", "quat", "euler", "axisangle", "xyaxes", "zaxis", "childclass",
                    "mocap", "gravcomp"},
                   {"user"});
        if (const XAttr* a = attr(b, "mocap"))
          if (boolean(b, *a))  // without equality constraints and contacts, a fixed body
            ignore(a->line, "mocap (a static body here)");
        if (const XAttr* a = attr(b, "gravcomp"))
          if (number(b, *a) != 0)
            unsupported(a->line, "attribute 'gravcomp' of <body> is not supported: gravity "
                                 "compensation is not modelled");
        BodySpec body;
        body.parent = it.parentBody;
        body.where = where(b.line);
        checkName(0, b, body.name);
        getVec3(b, "pos", body.pos);
        readOrientation(b, body.quat);
        if (const XAttr* a = attr(b, "childclass")) cls = lookupClass(*a);
        bi = (int)spec_.bodies.size();
        spec_.bodies.push_back(body);
        bodyExplicitInertial_.push_back(0);
        bodyJointCount_.push_back(0);
      }
      readBodyContents(b, bi, cls);
      for (auto k = b.kids.rbegin(); k != b.kids.rend(); ++k)
        if (nodes_[*k].name == "body") stack.push_back({*k, bi, cls});
    }
  }

  void readBodyContents(const XElem& b, int bi, int cls) {
    const bool world = bi == 0;
    const char* where = world ? "worldbody" : "body";
    const XElem* inertial = nullptr;
    std::vector<GeomMass> geomMasses;
    bodyHasJoint_.resize(spec_.bodies.size(), 0);
    bool hasInertial = false;
    for (int k : b.kids) {
      if (nodes_[k].name == "joint") bodyHasJoint_[bi] = 1;
      if (nodes_[k].name == "inertial") hasInertial = true;
    }
    const bool needMass =
        !world && (inertiaFromGeom_ == kTrue || (inertiaFromGeom_ == kAuto && !hasInertial));
    for (int k : b.kids) {
      const XElem& c = nodes_[k];
      if (c.name == "body") continue;
      if (!c.kids.empty() && c.name != "body") {
        if (c.name == "joint" || c.name == "geom" || c.name == "site" || c.name == "inertial")
          for (int kk : c.kids) refuseElement(nodes_[kk], c.name);
      }
      if (c.name == "camera" || c.name == "light") {
        ignore(c.line, "<" + c.name + ">");
      } else if (c.name == "freejoint") {
        if (world) failModel(c.line, "the world body cannot have joints");
        readFreeJoint(c, bi);
      } else if (c.name == "joint") {
        if (world) failModel(c.line, "the world body cannot have joints");
        readJoint(c, bi, cls);
      } else if (c.name == "geom") {
        readGeom(c, bi, cls, geomMasses, needMass);
      } else if (c.name == "site") {
        readSite(c, bi, cls);
      } else if (c.name == "inertial") {
        if (world) failModel(c.line, "the world body cannot have an <inertial>");
        if (inertial)
          failParse(c.line, "a second <inertial> in the body (the first is at " +
                                lineText(inertial->line, c.line) + ")");
        inertial = &c;
      } else {
        refuseElement(c, where);
      }
    }
    if (world) return;
    BodySpec& body = spec_.bodies[bi];
    bodyExplicitInertial_[bi] = inertial != nullptr;
    MassInfo mi;
    bool fromGeoms = inertiaFromGeom_ == kTrue || (inertiaFromGeom_ == kAuto && !inertial);
    if (inertial) {
      currentBody_ = bi;
      MassInfo ex = readInertial(*inertial);
      if (!fromGeoms) mi = ex;
    }
    if (fromGeoms) mi = geomFrame(geomMasses, b.line);
    if (boundMass_ > 0 || boundInertia_ > 0) {
      // MuJoCo: every body's mass and principal moments raised to the compiler's bounds; a body
      // with nothing to give it an inertial frame gets its own pos and quat as that frame
      // (MuJoCo copies them, in the body's coordinates)
      if (!inertial && mi.mass == 0) {
        mi.com = body.pos;
        mi.frame = body.quat;
      }
      mi.mass = std::max(mi.mass, boundMass_);
      mi.principal = mi.principal.cwiseMax(Vec3::Constant(boundInertia_));
      mi.inertia = rotated(mi.frame, mi.principal);
    }
    body.mass = mi.mass;
    body.com = mi.com;
    body.inertia = mi.inertia;
    body.iquat = mi.frame;
    principal_.resize(spec_.bodies.size(), Vec3::Zero());
    principal_[bi] = mi.principal;
  }

  struct MassInfo {
    double mass = 0;
    Vec3 com = Vec3::Zero();
    Mat3 inertia = Mat3::Zero();
    Vec3 principal = Vec3::Zero();
    Quat frame = Quat::Identity();  ///< principal axes in the body frame (MuJoCo's body_iquat)
  };
  std::vector<Vec3> principal_;

  /// Principal axes of a symmetric inertia as a rotation (columns = axes, det +1).
  static Quat principalFrame(const Mat3& I) {
    Eigen::SelfAdjointEigenSolver<Mat3> es(I);
    Mat3 Q = es.eigenvectors();
    if (Q.determinant() < 0) Q.col(2) = -Q.col(2);
    return Quat(Q).normalized();
  }
  int currentBody_ = 0;

  static Mat3 rotated(const Quat& q, const Vec3& diag) {
    Mat3 R = q.toRotationMatrix();
    return R * diag.asDiagonal() * R.transpose();
  }

  static Vec3 eigenvalues(const Mat3& I) {
    Eigen::SelfAdjointEigenSolver<Mat3> es(I, Eigen::EigenvaluesOnly);
    return es.eigenvalues();
  }

  MassInfo readInertial(const XElem& e) {
    allowAttrs(e, {"pos", "quat", "euler", "axisangle", "xyaxes", "zaxis", "mass", "diaginertia",
                   "fullinertia"});
    MassInfo m;
    const XAttr* pos = attr(e, "pos");
    const XAttr* mass = attr(e, "mass");
    if (!pos) failParse(e.line, "<inertial> needs 'pos'");
    if (!mass) failParse(e.line, "<inertial> needs 'mass'");
    getVec3(e, "pos", m.com);
    m.mass = number(e, *mass);
    // a static (welded) body may have zero mass, as in MuJoCo; a moving one may not
    const bool moving = bodyHasJoint_[currentBody_];
    if (m.mass < 0 || (moving && !(m.mass > 0)))
      failModel(mass->line, "<inertial> mass must be positive, got " + quoted(mass->value));
    // zero moments are allowed for a body without joints of its own (MuJoCo checks the mass
    // of what moves, below in checkMovingMass)
    const bool massless = m.mass == 0 || !moving;
    Quat q = Quat::Identity();
    bool oriented = readOrientation(e, q);
    const XAttr* diag = attr(e, "diaginertia");
    const XAttr* full = attr(e, "fullinertia");
    if (diag && full) failParse(full->line, "<inertial> has both 'diaginertia' and 'fullinertia'");
    if (!diag && !full) failParse(e.line, "<inertial> needs 'diaginertia' or 'fullinertia'");
    if (diag) {
      auto d = numbers(e, *diag, 3, 3);
      Vec3 I(d[0], d[1], d[2]);
      if (!(I.minCoeff() > 0) && !(massless && I.minCoeff() >= 0))
        failModel(diag->line, "<inertial> diaginertia " + quoted(diag->value) +
                                  " is not positive definite (every moment must be positive)");
      checkTriangle(I, diag->line, false);
      m.principal = I;
      m.frame = q;
      m.inertia = rotated(q, I);
    } else {
      if (oriented)
        failParse(full->line, "<inertial> 'fullinertia' is given in the body frame; it takes no "
                              "orientation");
      auto f = numbers(e, *full, 6, 6);
      Mat3 I;
      I << f[0], f[3], f[4], f[3], f[1], f[5], f[4], f[5], f[2];
      Vec3 ev = eigenvalues(I);
      if (!(ev.minCoeff() >= kEps) && !(massless && ev.minCoeff() >= -kEps))
        failModel(full->line, "<inertial> fullinertia " + quoted(full->value) +
                                  " is not positive definite (eigenvalues " + fmt(ev) + ")");
      checkTriangle(ev, full->line, true);
      m.principal = ev;
      m.frame = principalFrame(I);
      m.inertia = I;
    }
    return m;
  }

  static std::string fmt(const Vec3& v) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.6g %.6g %.6g", v.x(), v.y(), v.z());
    return buf;
  }

  void checkTriangle(const Vec3& I, Loc line, bool computed) {
    // MuJoCo: A + B >= C for every permutation; computed eigenvalues get rounding slack
    double slack = computed ? 1e-12 * I.sum() : 0.0;
    for (int k = 0; k < 3; ++k) {
      double a = I[(k + 1) % 3], b = I[(k + 2) % 3], c = I[k];
      if (a + b < c - slack)
        failModel(line, "inertia " + fmt(I) +
                            " violates the triangle inequality A + B >= C: no rigid body has it");
    }
  }

  MassInfo geomFrame(const std::vector<GeomMass>& all, Loc line) {
    std::vector<const GeomMass*> sel;
    for (const GeomMass& g : all)
      if (g.group >= groupRange_[0] && g.group <= groupRange_[1]) sel.push_back(&g);
    MassInfo m;
    if (sel.empty()) return m;
    if (sel.size() == 1) {
      m.mass = sel[0]->mass;
      m.com = sel[0]->pos;
      m.inertia = rotated(sel[0]->quat, sel[0]->inertia);
      m.principal = sel[0]->inertia;
      m.frame = sel[0]->quat;  // one geom: its own frame, as MuJoCo
      return m;
    }
    Vec3 c = Vec3::Zero();
    for (const GeomMass* g : sel) {
      m.mass += g->mass;
      c += g->mass * g->pos;
    }
    if (m.mass < kMinVal) return m;  // massless visual geoms only
    m.com = c / m.mass;
    for (const GeomMass* g : sel) {
      Vec3 d = g->pos - m.com;
      m.inertia += rotated(g->quat, g->inertia) +
                   g->mass * (d.squaredNorm() * Mat3::Identity() - d * d.transpose());
    }
    m.inertia = (m.inertia + m.inertia.transpose()) / 2;
    m.principal = eigenvalues(m.inertia);
    m.frame = principalFrame(m.inertia);
    checkTriangle(m.principal, line, true);
    return m;
  }

  void readJoint(const XElem& e, int bi, int cls) {
    int c = classOf(e, cls);
    JointVals v = classes_[c].joint;
    applyJoint(e, v, false);
    JointSpec j;
    checkName(1, e, j.name);
    j.where = where(e.line);
    j.type = v.type;
    j.body = bi;
    j.pos = v.pos;
    const bool multi = v.type == kJointFree || v.type == kJointBall;
    if (v.type == kJointFree && spec_.bodies[bi].parent != 0)
      unsupported(e.line, "a free joint in a body that is not a child of the world body");
    double n = v.axis.norm();
    if (!multi && n < kEps) failModel(e.line, "<joint> axis is zero");
    j.axis = multi ? Vec3::UnitZ() : Vec3(v.axis / n);
    j.damping = v.damping;
    j.armature = v.armature;
    j.stiffness = v.stiffness;
    j.springdamper[0] = v.springdamper[0];
    j.springdamper[1] = v.springdamper[1];
    double unit = v.type == SIM_JOINT_HINGE || v.type == kJointBall ? angleUnit() : 1.0;
    j.ref = v.ref * unit;
    j.springref = v.springref * unit;
    bool hasRange = !(v.range[0] == 0 && v.range[1] == 0);
    if (v.limited == kAuto) {
      if (!autolimits_ && hasRange)
        failModel(e.line, "<joint> has 'range' but no 'limited' while the compiler's autolimits is "
                          "false: set limited=\"true\" or \"false\", or autolimits=\"true\"");
      j.limited = hasRange;
    } else {
      j.limited = v.limited == kTrue;
    }
    if ((j.limited || hasRange) && !(v.range[0] < v.range[1]))
      failModel(e.line, "<joint> range " + fmtPair(v.range) +
                            ": the lower limit must be below the upper" +
                            (hasRange ? "" : " (is 'range' missing?)"));
    if (limitsDisabled_ || v.type == kJointFree) j.limited = false;  // MuJoCo: free joints have no limit
    j.range[0] = v.range[0] * unit;
    j.range[1] = v.range[1] * unit;
    {
      const bool has = !(v.actfrcrange[0] == 0 && v.actfrcrange[1] == 0);
      j.actfrcLimited = v.actfrclimited == kAuto ? has : v.actfrclimited == kTrue;
      if (j.actfrcLimited && !(v.actfrcrange[0] <= v.actfrcrange[1]))
        failModel(e.line, "<joint> actuatorfrcrange " + fmtPair(v.actfrcrange) +
                              ": the lower limit must not be above the upper");
      j.actfrcRange[0] = v.actfrcrange[0];
      j.actfrcRange[1] = v.actfrcrange[1];
    }
    j.limitTimeconst = v.solref[0];
    j.limitDampratio = v.solref[1];
    std::copy(v.solimp, v.solimp + 5, j.limitSolimp);
    j.margin = v.margin;
    j.frictionloss = v.frictionloss;
    std::copy(v.solreffriction, v.solreffriction + 2, j.frictionSolref);
    std::copy(v.solimpfriction, v.solimpfriction + 5, j.frictionSolimp);
    spec_.joints.push_back(j);
    if (++bodyJointCount_[bi] > 6)
      failModel(e.line, "more than 6 joints in one body");
  }

  /// <freejoint name group align>: a free joint with MuJoCo's defaults (no default class applies).
  void readFreeJoint(const XElem& e, int bi) {
    allowAttrs(e, {"name", "group", "align"});
    if (const XAttr* a = attr(e, "align"))
      if (a->value == "true") unsupported(a->line, "<freejoint align=\"true\"> (body frame moved to the inertial frame)");
    if (spec_.bodies[bi].parent != 0)
      unsupported(e.line, "a free joint in a body that is not a child of the world body");
    JointSpec j;
    checkName(1, e, j.name);
    j.where = where(e.line);
    j.type = kJointFree;
    j.body = bi;
    spec_.joints.push_back(j);
    if (++bodyJointCount_[bi] > 6) failModel(e.line, "more than 6 joints in one body");
  }

  static std::string fmtPair(const double r[2]) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "'%.6g %.6g'", r[0], r[1]);
    return buf;
  }

  void readGeom(const XElem& e, int bi, int cls, std::vector<GeomMass>& masses, bool needMass) {
    int c = classOf(e, cls);
    GeomVals v = classes_[c].geom;
    bool explicitOrient = false;
    applyGeom(e, v, false, &explicitOrient);
    if (v.type == kGeomMesh || !v.mesh.empty()) {
      readMeshGeom(e, bi, v, masses, needMass);
      return;
    }
    if (v.type == kGeomHfield) {
      // terrain only acts through contacts, which are not simulated; MuJoCo allows height
      // fields in static bodies only
      for (int b = bi; b > 0; b = spec_.bodies[b].parent)
        if (bodyHasJoint_[b])
          failModel(e.line, "a height-field geom is only allowed in static bodies");
      ignore(e.line, "height-field geom");
      if (const XAttr* a = attr(e, "name")) skippedGeoms_.insert(a->value);
      return;
    }
    Shape s = resolveShape(e, v.type, v.size, v.hasFromto, v.fromto, v.pos, v.quat, explicitOrient);
    GeomSpec g;
    checkName(2, e, g.name);
    g.where = where(e.line);
    g.type = s.type;
    g.body = bi;
    for (int k = 0; k < 3; ++k) g.size[k] = s.size[k];
    g.pos = s.pos;
    g.quat = s.quat;
    for (int k = 0; k < 4; ++k) g.rgba[k] = v.rgba[k];
    g.contact = v.contact;
    if (s.type == SIM_GEOM_PLANE) {
      // MuJoCo: planes only in static bodies (no joint on the path to the world)
      for (int b = bi; b > 0; b = spec_.bodies[b].parent)
        if (bodyHasJoint_[b])
          failModel(e.line,
                    "a plane geom is only allowed in the world body or bodies welded to it");
    }
    spec_.geoms.push_back(g);
    GeomMass gm{0, s.pos, s.quat, Vec3::Zero(), v.group};
    double vol = volume(s);
    if (v.hasMass) {
      if (v.mass > 0 && vol > kMinVal) gm.mass = v.mass;
    } else {
      gm.mass = v.density * vol;
    }
    gm.inertia = principalInertia(s, gm.mass);
    masses.push_back(gm);
  }


  void readSite(const XElem& e, int bi, int cls) {
    int c = classOf(e, cls);
    SiteVals v = classes_[c].site;
    bool explicitOrient = false;
    applySite(e, v, false, &explicitOrient);
    Shape s = resolveShape(e, v.type, v.size, v.hasFromto, v.fromto, v.pos, v.quat, explicitOrient);
    SiteSpec site;
    checkName(3, e, site.name);
    site.where = where(e.line);
    site.body = bi;
    site.pos = s.pos;
    site.quat = s.quat;
    spec_.sites.push_back(site);
  }

  // MARK: assets and mesh geoms

  struct MeshAsset {
    std::string name, file;
    Loc line;
    Vec3 scale = Vec3::Ones();
    bool inlineData = false;
    bool loaded = false;
    int inertiaMode = kMeshInertiaLegacy;
    Mesh mesh;
    MeshMass mass;
    bool hullBuilt = false;
    MeshHull hull;  ///< built for the first geom that uses the mesh, copied for the others
  };
  std::vector<MeshAsset> meshes_;
  std::map<std::string, int> meshIndex_;

  void readAssets(const XElem& a) {
    allowAttrs(a, {});
    for (int k : a.kids) {
      const XElem& e = nodes_[k];
      if (e.name == "texture" || e.name == "material" || e.name == "skin" ||
          e.name == "model") {
        ignore(e.line, "<" + e.name + ">");
        continue;
      }
      if (e.name == "hfield") {  // refused where a geom uses it
        ignore(e.line, "<hfield>");
        continue;
      }
      if (e.name != "mesh") {
        refuseElement(e, "asset");
        continue;
      }
      allowAttrs(e, {"name", "file", "scale", "inertia", "vertex", "face", "refpos", "refquat", "class"},
                 {"smoothnormal", "maxhullvert", "content_type", "texcoord", "normal", "material"});
      for (int kk : e.kids) refuseElement(nodes_[kk], "mesh");
      MeshAsset m;
      m.line = e.line;
      const DefaultClass& dc = classes_[classOf(e, 0)];  // assets take their class or 'main'
      m.scale = dc.meshScale;
      m.inertiaMode = dc.meshInertia;
      if (const XAttr* f = attr(e, "file")) m.file = f->value;
      if (const XAttr* n = attr(e, "name")) {
        m.name = n->value;
      } else {  // MuJoCo names a mesh after its file, without directory and extension
        std::string stem = m.file.substr(m.file.find_last_of('/') + 1);
        m.name = stem.substr(0, stem.find_last_of('.'));
      }
      getVec3(e, "scale", m.scale);
      if (const XAttr* x = attr(e, "inertia")) m.inertiaMode = keyword(e, *x, {"legacy", "exact", "convex", "shell"});
      if (m.inertiaMode == kMeshInertiaConvex)
        unsupported(e.line, "mesh inertia 'convex' is not supported (it needs the convex "
                            "hull): 'legacy', 'exact' and 'shell' are");
      for (const char* r : {"refpos", "refquat"})
        if (const XAttr* x = attr(e, r))
          unsupported(x->line, "attribute '" + std::string(r) + "' of <mesh> is not supported");
      const XAttr* vertex = attr(e, "vertex");
      const XAttr* face = attr(e, "face");
      if (vertex || face) {
        if (!vertex || !face) {
          unsupported(e.line, "a <mesh> with 'vertex' but no 'face' (MuJoCo takes the convex "
                              "hull) is not supported");
        } else {
          auto vs = numbers(e, *vertex, 12, 1u << 30);
          auto fs = numbers(e, *face, 3, 1u << 30);
          if (vs.size() % 3 || fs.size() % 3)
            failParse(e.line, "<mesh> 'vertex' and 'face' need multiples of 3 numbers");
          for (size_t i = 0; i < vs.size(); i += 3) m.mesh.vertices.push_back(Vec3((float)vs[i], (float)vs[i + 1], (float)vs[i + 2]));  // single, as MuJoCo
          for (size_t i = 0; i < fs.size(); i += 3) {
            std::array<int, 3> t;
            for (int q = 0; q < 3; ++q) {
              if (fs[i + q] < 0 || fs[i + q] >= (double)m.mesh.vertices.size() ||
                  fs[i + q] != std::floor(fs[i + q]))
                failModel(face->line, "<mesh> face index out of range");
              t[q] = (int)fs[i + q];
            }
            m.mesh.faces.push_back(t);
          }
          m.inlineData = true;
          m.loaded = true;
          m.mass = meshMass(m.mesh, m.scale, m.inertiaMode);
        }
      } else if (m.file.empty()) {
        failParse(e.line, "<mesh> needs 'file' (or 'vertex' and 'face')");
      }
      if (meshIndex_.count(m.name))
        failModel(e.line, "duplicate mesh name " + quoted(m.name) + " (first at " +
                              lineText(meshes_[meshIndex_[m.name]].line, e.line) + ")");
      meshIndex_[m.name] = (int)meshes_.size();
      meshes_.push_back(std::move(m));
    }
  }

  /// The mesh file's path: relative paths go through meshdir (or assetdir) from the main
  /// file's directory, as MuJoCo resolves them.
  std::string meshPath(const MeshAsset& m) const {
    if (!m.file.empty() && m.file[0] == '/') return m.file;
    std::string dir = !meshdir_.empty() ? meshdir_ : assetdir_;
    if (!dir.empty() && dir.back() != '/') dir += '/';
    if (!dir.empty() && dir[0] == '/') return dir + m.file;
    const std::string main = dirOf(files_[0].path) + dir + m.file;
    if (std::ifstream(main).good() || m.line.file == 0) return main;
    const std::string near = dirOf(files_[m.line.file].path) + dir + m.file;
    return std::ifstream(near).good() ? near : main;
  }

  void readMeshGeom(const XElem& e, int bi, const GeomVals& v, std::vector<GeomMass>& masses,
                    bool needMass) {
    if (v.type != kGeomMesh) {
      unsupported(e.line, "a primitive geom fitted to a mesh (type with 'mesh') is not supported");
      return;
    }
    if (v.hasFromto) failModel(e.line, "a mesh <geom> cannot have 'fromto'");
    if (v.mesh.empty()) failModel(e.line, "a mesh <geom> needs 'mesh'");
    auto found = meshIndex_.find(v.mesh);
    if (found == meshIndex_.end())
      failModel(v.meshLine, "<geom> uses an unknown mesh " + quoted(v.mesh));
    MeshAsset& m = meshes_[found->second];
    const bool counts = needMass && v.group >= groupRange_[0] && v.group <= groupRange_[1] &&
                        (v.hasMass ? v.mass > 0 : v.density > 0);
    if (!m.loaded) {  // every mesh a geom uses is read and checked, as MuJoCo does
      const std::string path = meshPath(m);
      const std::string error = readMesh(path, m.mesh);
      if (!error.empty())
        throw SimError{SIM_ERR_IO, at(m.line) + ": mesh " + quoted(m.name) + ": " + error};
      m.mass = meshMass(m.mesh, m.scale, m.inertiaMode);
      m.loaded = true;
    }
    // drawn as its bounding box for now: size = half-extents, pos = the box centre
    Vec3 lo = Vec3::Constant(INFINITY), hi = Vec3::Constant(-INFINITY);
    for (const Vec3& p : m.mesh.vertices) {
      lo = lo.cwiseMin(p.cwiseProduct(m.scale));
      hi = hi.cwiseMax(p.cwiseProduct(m.scale));
    }
    GeomSpec g;
    checkName(2, e, g.name);
    g.where = where(e.line);
    g.type = kGeomMesh;
    g.body = bi;
    for (int k = 0; k < 3; ++k) g.size[k] = (hi[k] - lo[k]) / 2;
    g.pos = v.pos + v.quat.toRotationMatrix() * ((lo + hi) / 2);
    g.quat = v.quat;
    for (int k = 0; k < 4; ++k) g.rgba[k] = v.rgba[k];
    g.contact = v.contact;
    // the collider's shape: the convex hull of these (MuJoCo collides a mesh's hull)
    g.meshVert.reserve(m.mesh.vertices.size());
    for (const Vec3& p : m.mesh.vertices) g.meshVert.push_back(p.cwiseProduct(m.scale) - (lo + hi) / 2);
    // (the same asset gives every geom the same vertices: one hull per mesh)
    if (!m.hullBuilt) {
      buildMeshHull(g.meshVert, m.hull);
      m.hullBuilt = true;
    }
    g.hull = m.hull;
    // MuJoCo's geom origin for a mesh is its centre of volume (the box centre without a volume)
    if (m.mass.volume > kMinVal) g.hull.centre = m.mass.com - (lo + hi) / 2;
    spec_.geoms.push_back(g);
    if (!counts) return;
    if (!(m.mass.volume > kMinVal))
      failModel(e.line, "mesh " + quoted(m.name) + " has no volume: it cannot give the body mass "
                        "(give the body an <inertial>)");
    // the mesh's centre and principal axes, in the body frame (MuJoCo re-centres the mesh)
    const double mass = v.hasMass ? v.mass : v.density * m.mass.volume;
    Eigen::SelfAdjointEigenSolver<Mat3> es(m.mass.inertia * (mass / m.mass.volume));
    Mat3 Q = es.eigenvectors();
    if (Q.determinant() < 0) Q.col(2) = -Q.col(2);
    const Mat3 R = v.quat.toRotationMatrix();
    GeomMass gm{mass, v.pos + R * m.mass.com, Quat(R * Q).normalized(), es.eigenvalues(), v.group};
    masses.push_back(gm);
  }

  /// settotalmass: every body's mass and inertia scaled so that they add up to the value.
  void applyTotalMass() {
    if (totalMass_ <= 0) return;
    double total = 0;
    for (const BodySpec& b : spec_.bodies) total += b.mass;
    if (!(total > kMinVal)) return;
    const double scale = totalMass_ / total;
    for (size_t b = 1; b < spec_.bodies.size(); ++b) {
      spec_.bodies[b].mass *= scale;
      spec_.bodies[b].inertia *= scale;
      if (b < principal_.size()) principal_[b] *= scale;
    }
  }

  /// MuJoCo: a body with joints needs, in it or a body welded to it, mass and principal moments
  /// of at least mjMINVAL.
  void checkMovingMass() {
    const int nb = (int)spec_.bodies.size();
    principal_.resize(nb, Vec3::Zero());
    std::vector<int> weld(nb, 0);  // the body with joints that carries b; 0 = world
    for (int b = 1; b < nb; ++b)
      weld[b] = bodyJointCount_[b] > 0 ? b : weld[spec_.bodies[b].parent];
    std::vector<char> ok(nb, 0);
    for (int b = 1; b < nb; ++b)
      if (spec_.bodies[b].mass >= kMinVal && principal_[b].minCoeff() >= kMinVal) ok[weld[b]] = 1;
    for (int b = 1; b < nb; ++b)
      if (bodyJointCount_[b] > 0 && !ok[b]) {
        const BodySpec& body = spec_.bodies[b];
        throw SimError{SIM_ERR_MODEL, body.where.file + ":" + std::to_string(body.where.line) + ": " +
                  "body " + (body.name.empty() ? "#" + std::to_string(b) : quoted(body.name)) +
                      " moves on a joint but it and the bodies welded to it have no mass or a "
                      "zero principal inertia: give it geoms or an <inertial>"};
      }
  }

  void readActuators(const XElem& a) {
    allowAttrs(a, {});
    for (int k : a.kids) {
      const XElem& e = nodes_[k];
      if (!simulatedKind(e.name)) {
        refuseElement(e, "actuator");
        continue;
      }
      for (int kk : e.kids) refuseElement(nodes_[kk], e.name);
      int c = classOf(e, 0);
      ActuatorVals v = classes_[c].actuator;
      applyActuator(e, v, false);
      ActuatorSpec act;
      checkName(4, e, act.name);
      act.where = where(e.line);
      // MuJoCo: gain fixed or affine; bias none or affine; dynamics none, integrator, filter, filterexact
      static const std::map<std::string, int> dyntypes = {{"none", kDynNone},
                                                           {"integrator", kDynIntegrator},
                                                           {"filter", kDynFilter},
                                                           {"filterexact", kDynFilterExact}};
      auto dyn = dyntypes.find(v.dyntype);
      if (dyn == dyntypes.end())
        unsupported(e.line, "<" + e.name + "> dyntype " + quoted(v.dyntype) + " is not supported: "
                                "only 'none', 'integrator', 'filter' and 'filterexact'");
      else
        act.dyntype = dyn->second;
      act.tau = v.dynprm[0];
      act.actEarly = v.actearly;
      if (v.gaintype != "fixed" && v.gaintype != "affine")
        unsupported(e.line, "<" + e.name + "> gaintype " + quoted(v.gaintype) +
                                " is not supported: only 'fixed' and 'affine'");
      if (v.biastype != "none" && v.biastype != "affine")
        unsupported(e.line, "<" + e.name + "> biastype " + quoted(v.biastype) +
                                " is not supported: only 'none' and 'affine'");
      if (!simulatedKind(v.kind))
        unsupported(e.line, "<" + e.name + "> takes its dynamics from a <" + v.kind +
                                "> default, which is not supported");
      for (const char* t : {"site", "jointinparent", "cranksite", "slidersite", "refsite"})
        if (const XAttr* x = attr(e, t))
          unsupported(x->line, "attribute '" + std::string(t) + "' of <" + e.name +
                                   "> is not supported: only joint, tendon and body transmissions are");
      const XAttr* j = attr(e, "joint");
      const XAttr* tendon = attr(e, "tendon");
      const XAttr* body = attr(e, "body");
      if ((j != nullptr) + (tendon != nullptr) + (body != nullptr) > 1)
        failModel(e.line, "<" + e.name + "> has more than one of 'joint', 'tendon' and 'body': one transmission only");
      if (!j && !tendon && !body) {
        if (!attr(e, "site") && !attr(e, "jointinparent") && !attr(e, "cranksite"))
          failModel(e.line, "<" + e.name + "> needs 'joint', 'tendon' or 'body' (what it drives)");
        continue;
      }
      act.joint = -1;
      if (body) {
        // MuJoCo's body transmission (adhesion): the moment comes from the body's contacts
        if (e.name != "general" && e.name != "adhesion")
          failModel(body->line, "attribute 'body' of <" + e.name + ">: MuJoCo takes a body transmission on "
                                "<general> and <adhesion> only");
        act.body = indexOf(0, body->value);
        if (act.body < 0)
          failModel(body->line, "<" + e.name + "> acts on an unknown body " + quoted(body->value));
      } else if (tendon) {
        act.tendon = indexOf(4, tendon->value);
        if (act.tendon < 0)
          failModel(tendon->line, "<" + e.name + "> drives an unknown tendon " + quoted(tendon->value));
        if (tendonSkipped_[act.tendon]) continue;  // its tendon was refused already
      } else {
        if (jointIndex_.empty())
          for (size_t i = 0; i < spec_.joints.size(); ++i)
            if (!spec_.joints[i].name.empty()) jointIndex_[spec_.joints[i].name] = (int)i;
        auto found = jointIndex_.find(j->value);
        if (found != jointIndex_.end()) act.joint = found->second;
        if (act.joint < 0) {
          if (skippedJoints_.count(j->value)) continue;  // its joint was refused already
          failModel(j->line, "<" + e.name + "> drives an unknown joint " + quoted(j->value));
        }
      }
      for (int i = 1; i < 6; ++i)
        if (v.gear[i] != 0 && !body)
          failModel(e.line, "<" + e.name + "> gear: only the first component acts on a joint or "
                            "tendon; the other five must be 0");
      act.gear = v.gear[0];
      auto limits = [&](int tri, const double r[2], const char* name, const char* flag,
                        bool& limited) {
        bool hasRange = !(r[0] == 0 && r[1] == 0);
        if (tri == kAuto) {
          if (!autolimits_ && hasRange)
            failModel(e.line, "<" + e.name + "> has '" + name + "' but no '" + flag +
                                  "' while the compiler's autolimits is false: set " + flag +
                                  ", or autolimits=\"true\"");
          limited = hasRange;
        } else {
          limited = tri == kTrue;
        }
        if ((limited || hasRange) && !(r[0] < r[1]))
          failModel(e.line, "<" + e.name + "> " + name + " " + fmtPair(r) +
                                ": the lower limit must be below the upper" +
                                (hasRange ? "" : " (is '" + std::string(name) + "' missing?)"));
      };
      limits(v.ctrllimited, v.ctrlrange, "ctrlrange", "ctrllimited", act.ctrlLimited);
      limits(v.forcelimited, v.forcerange, "forcerange", "forcelimited", act.forceLimited);
      if (act.dyntype != kDynNone) {
        limits(v.actlimited, v.actrange, "actrange", "actlimited", act.actLimited);
        act.actRange[0] = v.actrange[0];
        act.actRange[1] = v.actrange[1];
      }
      act.ctrlRange[0] = v.ctrlrange[0];
      act.ctrlRange[1] = v.ctrlrange[1];
      if ((e.name == "position" || e.name == "intvelocity") && v.inheritrange > 0) {
        // MuJoCo: the joint's (tendon's) range scaled about its centre becomes ctrlrange
        // (position) or actrange (intvelocity: the integrated control is the target)
        const double* range = act.tendon >= 0 ? spec_.tendons[act.tendon].range
                                              : spec_.joints[act.joint].range;
        if (!(range[0] < range[1]))
          failModel(e.line, "<" + e.name + "> inheritrange needs a joint or tendon with a range");
        const double mid = (range[0] + range[1]) / 2,
                     half = (range[1] - range[0]) / 2 * v.inheritrange;
        const bool position = e.name == "position";
        double* out = position ? act.ctrlRange : act.actRange;
        out[0] = mid - half;
        out[1] = mid + half;
        (position ? act.ctrlLimited : act.actLimited) = true;
      }
      if (e.name == "damper" && (act.ctrlRange[0] < 0 || act.ctrlRange[1] < 0))
        failModel(e.line, "<damper> ctrlrange " + fmtPair(act.ctrlRange) + " must not be negative");
      act.forceRange[0] = v.forcerange[0];
      act.forceRange[1] = v.forcerange[1];
      act.gain[0] = v.gainprm[0];
      if (v.gaintype == "affine")
        for (int i = 1; i < 3; ++i) act.gain[i] = v.gainprm[i];
      if (v.biastype == "affine")
        for (int i = 0; i < 3; ++i) act.bias[i] = v.biasprm[i];
      spec_.actuators.push_back(act);
    }
  }

};

}  // namespace

ModelSpec parseMJCF(const std::string& xml, const std::string& source, const std::string& path) {
  return MJCFParser(xml, source, path).run();
}

}  // namespace sim
