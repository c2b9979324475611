// mjcf.cpp — reads the supported subset of MuJoCo's MJCF into a ModelSpec.
//
// The subset (everything else is refused with "source:line: what and why"):
//   <mujoco model>
//   <compiler angle eulerseq inertiafromgeom autolimits inertiagrouprange>
//   <option timestep gravity integrator> with <flag contact energy gravity>
//   <default class> (nested) with <joint> <geom> <site> <motor>
//   <worldbody> with <body name pos quat|euler|axisangle|xyaxes|zaxis childclass>, <joint>,
//     <geom>, <site>, <inertial>
//   <actuator> with <motor name class joint gear ctrlrange ctrllimited>
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
#include <locale>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <pugixml.hpp>

#include "model.hpp"

namespace sim {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMinVal = 1e-15;  // MuJoCo's mjMINVAL
constexpr double kEps = 1e-14;     // MuJoCo's mjEPS

[[noreturn]] void fail(int status, const std::string& source, int line, const std::string& what) {
  throw SimError{status, source + ":" + std::to_string(line) + ": " + what};
}

std::string quoted(const std::string& s) {
  std::string t = s.size() > 40 ? s.substr(0, 40) + "..." : s;
  return "'" + t + "'";
}

// MARK: - XML

struct XAttr {
  std::string name, value;
  int line = 0;
};

struct XElem {
  std::string name;
  int line = 0;
  int parent = -1;
  std::vector<XAttr> attrs;
  std::vector<int> kids;
};

/// Reads a document with pugixml (a non-recursive parser, so deep chains cost no stack) into a
/// flat list of elements with line numbers; nodes[0] is the root element.
class XmlReader {
 public:
  XmlReader(const std::string& text, const std::string& source) : s_(text), src_(source) {
    for (size_t i = 0; i < s_.size(); ++i)
      if (s_[i] == '\n') lineStarts_.push_back(i + 1);
  }

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
        fail(SIM_ERR_PARSE, src_, line,
             "unexpected text " + quoted(text) +
                 (parent < 0 ? std::string(" outside the root element")
                             : " in <" + nodes[parent].name + ">") + ": MJCF elements carry no text");
      }
      if (node.type() != pugi::node_element) continue;
      if (parent < 0 && ++roots > 1) fail(SIM_ERR_PARSE, src_, line, "more than one root element");
      XElem e;
      e.name = node.name();
      e.line = line;
      e.parent = parent;
      for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
        for (const XAttr& seen : e.attrs)
          if (seen.name == a.name())
            fail(SIM_ERR_PARSE, src_, line, "attribute '" + seen.name + "' repeated in <" + e.name + ">");
        e.attrs.push_back(XAttr{a.name(), a.value(), line});
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
  std::vector<size_t> lineStarts_{0};
};

// MARK: - Values of elements (also what default classes hold)

enum { kFalse = 0, kTrue = 1, kAuto = 2 };

struct JointVals {
  int type = SIM_JOINT_HINGE;
  Vec3 pos = Vec3::Zero();
  Vec3 axis = Vec3::UnitZ();
  double range[2] = {0, 0};
  int limited = kAuto;
  double damping = 0, armature = 0, stiffness = 0, springref = 0, ref = 0;
  double solref[2] = {0.02, 1.0};
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
  float rgba[4] = {0.5f, 0.5f, 0.5f, 1.0f};
  int group = 0;
};

struct SiteVals {
  int type = SIM_GEOM_SPHERE;
  double size[3] = {0.005, 0.005, 0.005};
  bool hasFromto = false;
  double fromto[6] = {0, 0, 0, 0, 0, 0};
  Vec3 pos = Vec3::Zero();
  Quat quat = Quat::Identity();
};

struct MotorVals {
  double gear[6] = {1, 0, 0, 0, 0, 0};
  double ctrlrange[2] = {0, 0};
  int ctrllimited = kAuto;
};

struct DefaultClass {
  std::string name;
  int line = 0;
  JointVals joint;
  GeomVals geom;
  SiteVals site;
  MotorVals motor;
};

// MARK: - Parser

class MJCFParser {
 public:
  MJCFParser(const std::string& xml, const std::string& source)
      : xml_(xml), src_(source.empty() ? "<string>" : source) {}

  ModelSpec run() {
    nodes_ = XmlReader(xml_, src_).parse();
    const XElem& root = nodes_[0];
    if (root.name != "mujoco")
      failParse(root.line,
                "the root element is <" + root.name + ">; an MJCF model starts with <mujoco>");
    spec_.source = src_;
    spec_.name = "MuJoCo Model";
    allowAttrs(root, {"model"});
    if (const XAttr* a = attr(root, "model")) spec_.name = a->value;

    // MuJoCo reads the sections in this order whatever their order in the file.
    std::vector<int> compilers, options, defaults, worlds, actuators;
    for (int k : root.kids) {
      const XElem& e = nodes_[k];
      if (e.name == "compiler") compilers.push_back(k);
      else if (e.name == "option") options.push_back(k);
      else if (e.name == "default") defaults.push_back(k);
      else if (e.name == "worldbody") worlds.push_back(k);
      else if (e.name == "actuator") actuators.push_back(k);
      else refuseElement(e, "mujoco");
    }
    for (int k : compilers) readCompiler(nodes_[k]);
    for (int k : options) readOption(nodes_[k]);
    if (defaults.size() > 1)
      failParse(nodes_[defaults[1]].line,
                "a second top-level <default>; put all default classes in one <default> "
                "(the first is at line " + std::to_string(nodes_[defaults[0]].line) + ")");
    classes_.push_back(DefaultClass{"main", 0, {}, {}, {}, {}});
    classIndex_["main"] = 0;
    if (!defaults.empty()) readDefaults(defaults[0]);

    BodySpec world;
    world.name = "world";
    world.parent = -1;
    world.where = {src_, worlds.empty() ? root.line : nodes_[worlds[0]].line};
    spec_.bodies.push_back(world);
    bodyLines_.push_back(world.where.line);
    names_[0]["world"] = world.where.line;
    for (int k : worlds) readWorld(k);
    checkMovingMass();
    for (int k : actuators) readActuators(nodes_[k]);
    return std::move(spec_);
  }

 private:
  const std::string& xml_;
  std::string src_;
  std::vector<XElem> nodes_;
  ModelSpec spec_;

  // compiler settings
  bool degree_ = true;
  int inertiaFromGeom_ = kAuto;
  bool autolimits_ = true;
  std::string eulerseq_ = "xyz";
  int groupRange_[2] = {0, 5};

  std::vector<DefaultClass> classes_;
  std::map<std::string, int> classIndex_;
  std::vector<int> bodyLines_;
  std::vector<char> bodyExplicitInertial_;
  std::vector<int> bodyJointCount_;
  std::vector<char> bodyHasJoint_;
  std::map<std::string, int> jointIndex_;  // filled when the actuators are read
  std::map<std::string, int> names_[5];  // body, joint, geom, site, actuator → line

  // MARK: errors

  [[noreturn]] void failParse(int line, const std::string& what) {
    fail(SIM_ERR_PARSE, src_, line, what);
  }
  [[noreturn]] void failModel(int line, const std::string& what) {
    fail(SIM_ERR_MODEL, src_, line, what);
  }

  static std::string describe(const XElem& e) {
    for (const XAttr& a : e.attrs)
      if (a.name == "name") return "<" + e.name + " name='" + a.value + "'>";
    return "<" + e.name + ">";
  }

  [[noreturn]] void refuseElement(const XElem& e, const std::string& parent) {
    static const std::map<std::string, std::string> why = {
        {"freejoint", "free joints are not supported (hinge and slide joints only)"},
        {"frame", "<frame> is not supported; give the bodies' poses directly"},
        {"include", "<include> is not supported; give the whole model in one document"},
        {"asset", "assets (meshes, textures, materials) are not supported"},
        {"visual", "<visual> is not supported"},
        {"size", "<size> is not supported"},
        {"statistic", "<statistic> is not supported"},
        {"contact", "contacts are not simulated"},
        {"equality", "equality constraints are not supported"},
        {"tendon", "tendons are not supported"},
        {"sensor", "sensors are not supported"},
        {"keyframe", "keyframes are not supported"},
        {"camera", "cameras are not supported"},
        {"light", "lights are not supported"},
        {"general", "only <motor> actuators are supported"},
        {"position", "only <motor> actuators are supported (use feedback gains in a rollout)"},
        {"velocity", "only <motor> actuators are supported (use feedback gains in a rollout)"},
        {"intvelocity", "only <motor> actuators are supported"},
        {"damper", "only <motor> actuators are supported"},
        {"cylinder", "only <motor> actuators are supported"},
        {"muscle", "only <motor> actuators are supported"},
        {"adhesion", "only <motor> actuators are supported"},
        {"plugin", "plugins are not supported"},
        {"composite", "composites are not supported"},
        {"flexcomp", "flexes are not supported"},
        {"replicate", "<replicate> is not supported"},
        {"attach", "<attach> is not supported"},
    };
    auto it = why.find(e.name);
    failParse(e.line, "<" + e.name + "> in <" + parent + ">: " +
                          (it != why.end() ? it->second : "unknown or unsupported element"));
  }

  // MARK: attributes

  static const XAttr* attr(const XElem& e, const char* name) {
    for (const XAttr& a : e.attrs)
      if (a.name == name) return &a;
    return nullptr;
  }

  void allowAttrs(const XElem& e, std::initializer_list<const char*> allowed) {
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
        {"cone", "contacts are not simulated"},
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
      auto it = why.find(a.name);
      failParse(a.line, "attribute '" + a.name + "' of <" + e.name + "> is not supported" +
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
      double n = w.norm();
      if (n < kEps) bad("the quaternion is zero");
      w /= n;
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
    allowAttrs(e, {"angle", "eulerseq", "inertiafromgeom", "autolimits", "inertiagrouprange"});
    if (!e.kids.empty()) refuseElement(nodes_[e.kids[0]], "compiler");
    if (const XAttr* a = attr(e, "angle")) degree_ = keyword(e, *a, {"radian", "degree"}) == 1;
    if (const XAttr* a = attr(e, "inertiafromgeom")) inertiaFromGeom_ = triState(e, *a);
    if (const XAttr* a = attr(e, "autolimits")) autolimits_ = boolean(e, *a);
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
    allowAttrs(e, {"timestep", "gravity", "integrator"});
    if (const XAttr* a = attr(e, "timestep")) {
      double dt = number(e, *a);
      if (!(dt > 0)) failModel(a->line, "attribute 'timestep' of <option> must be positive");
      spec_.timestep = dt;
    }
    getVec3(e, "gravity", spec_.gravity);
    if (const XAttr* a = attr(e, "integrator")) {
      if (a->value == "implicit" || a->value == "implicitfast")
        failParse(a->line, "integrator '" + a->value +
                               "' is not supported: use Euler (semi-implicit, damping implicit) "
                               "or RK4");
      spec_.integrator = keyword(e, *a, {"Euler", "RK4"}) == 0 ? SIM_INTEGRATOR_EULER
                                                               : SIM_INTEGRATOR_RK4;
    }
    for (int k : e.kids) {
      const XElem& f = nodes_[k];
      if (f.name != "flag") refuseElement(f, "option");
      allowAttrs(f, {"contact", "energy", "gravity"});
      if (!f.kids.empty()) refuseElement(nodes_[f.kids[0]], "flag");
      if (const XAttr* a = attr(f, "contact")) keyword(f, *a, {"enable", "disable"});
      if (const XAttr* a = attr(f, "energy")) keyword(f, *a, {"enable", "disable"});
      if (const XAttr* a = attr(f, "gravity")) {
        if (keyword(f, *a, {"enable", "disable"}) == 1) gravityDisabled_ = true;
      }
    }
    if (gravityDisabled_) spec_.gravity = Vec3::Zero();
  }
  bool gravityDisabled_ = false;

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
                                 " is defined twice (first at line " +
                                 std::to_string(classes_[found->second].line) + ")");
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
        if (c.name != "joint" && c.name != "geom" && c.name != "site" && c.name != "motor")
          refuseElement(c, "default");
        if (!seen.insert(c.name).second)
          failParse(c.line,
                    "a second <" + c.name + "> in default class '" + classes_[ci].name + "'");
        if (!c.kids.empty()) refuseElement(nodes_[c.kids[0]], c.name);
        checkDefaultElement(c);
        DefaultClass& dc = classes_[ci];
        if (c.name == "joint") applyJoint(c, dc.joint, true);
        else if (c.name == "geom") applyGeom(c, dc.geom, true, nullptr);
        else if (c.name == "site") applySite(c, dc.site, true, nullptr);
        else applyMotor(c, dc.motor, true);
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
    if (isDefault)
      allowAttrs(e, {"type", "pos", "axis", "range", "limited", "damping", "armature", "stiffness",
                     "springref", "ref", "solreflimit", "group"});
    else
      allowAttrs(e, {"name", "class", "type", "pos", "axis", "range", "limited", "damping",
                     "armature", "stiffness", "springref", "ref", "solreflimit", "group"});
    if (const XAttr* a = attr(e, "type")) {
      if (a->value == "free" || a->value == "ball")
        failParse(a->line, "joint type '" + a->value +
                               "' is not supported: only hinge and slide joints are");
      v.type = keyword(e, *a, {"hinge", "slide"}) == 0 ? SIM_JOINT_HINGE : SIM_JOINT_SLIDE;
    }
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
    getNumber(e, "springref", v.springref);
    getNumber(e, "ref", v.ref);
    if (const XAttr* a = attr(e, "solreflimit")) {
      auto r = numbers(e, *a, 2, 2);
      if (!(r[0] > 0 && r[1] > 0))
        failModel(a->line, "solreflimit " + quoted(a->value) +
                               ": only the positive 'timeconst dampratio' form is supported");
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
                     "gap"});
    else
      allowAttrs(e, {"name", "class", "type", "size", "fromto", "pos", "quat", "euler",
                     "axisangle", "xyaxes", "zaxis", "mass", "density", "rgba", "group",
                     "contype", "conaffinity", "condim", "priority", "friction", "solmix",
                     "solref", "solimp", "margin", "gap"});
    if (const XAttr* a = attr(e, "type")) v.type = shapeType(e, *a, false);
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
    // contact-only parameters: checked for form, without effect (no contacts are simulated)
    for (const char* name : {"contype", "conaffinity", "condim", "priority"})
      if (const XAttr* a = attr(e, name)) integer(e, *a);
    if (const XAttr* a = attr(e, "friction")) numbers(e, *a, 1, 3);
    if (const XAttr* a = attr(e, "solmix")) number(e, *a);
    if (const XAttr* a = attr(e, "solref")) numbers(e, *a, 2, 2);
    if (const XAttr* a = attr(e, "solimp")) numbers(e, *a, 3, 5);
    if (const XAttr* a = attr(e, "margin")) number(e, *a);
    if (const XAttr* a = attr(e, "gap")) number(e, *a);
  }

  void applySite(const XElem& e, SiteVals& v, bool isDefault, bool* explicitOrientation) {
    if (isDefault)
      allowAttrs(e, {"type", "size", "fromto", "pos", "quat", "euler", "axisangle", "xyaxes",
                     "zaxis", "rgba", "group"});
    else
      allowAttrs(e, {"name", "class", "type", "size", "fromto", "pos", "quat", "euler",
                     "axisangle", "xyaxes", "zaxis", "rgba", "group"});
    if (const XAttr* a = attr(e, "type")) v.type = shapeType(e, *a, true);
    readSizes(e, v.size);
    readFromto(e, v.hasFromto, v.fromto);
    getVec3(e, "pos", v.pos);
    bool o = readOrientation(e, v.quat);
    if (explicitOrientation) *explicitOrientation = o;
    if (const XAttr* a = attr(e, "rgba")) numbers(e, *a, 4, 4);
    if (const XAttr* a = attr(e, "group")) integer(e, *a);
  }

  void applyMotor(const XElem& e, MotorVals& v, bool isDefault) {
    if (isDefault)
      allowAttrs(e, {"gear", "ctrlrange", "ctrllimited", "group"});
    else
      allowAttrs(e, {"name", "class", "joint", "gear", "ctrlrange", "ctrllimited", "group"});
    if (const XAttr* a = attr(e, "gear")) {
      auto g = numbers(e, *a, 1, 6);
      for (size_t k = 0; k < g.size(); ++k) v.gear[k] = g[k];
    }
    if (const XAttr* a = attr(e, "ctrlrange")) {
      auto r = numbers(e, *a, 2, 2);
      v.ctrlrange[0] = r[0];
      v.ctrlrange[1] = r[1];
    }
    if (const XAttr* a = attr(e, "ctrllimited")) v.ctrllimited = triState(e, *a);
    if (const XAttr* a = attr(e, "group")) integer(e, *a);
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
                                  : " (first at line " + std::to_string(it->second) + ")"));
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
                   {"name", "pos", "quat", "euler", "axisangle", "xyaxes", "zaxis", "childclass"});
        BodySpec body;
        body.parent = it.parentBody;
        body.where = {src_, b.line};
        checkName(0, b, body.name);
        getVec3(b, "pos", body.pos);
        readOrientation(b, body.quat);
        if (const XAttr* a = attr(b, "childclass")) cls = lookupClass(*a);
        bi = (int)spec_.bodies.size();
        spec_.bodies.push_back(body);
        bodyLines_.push_back(b.line);
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
    for (int k : b.kids)
      if (nodes_[k].name == "joint") bodyHasJoint_[bi] = 1;
    for (int k : b.kids) {
      const XElem& c = nodes_[k];
      if (c.name == "body") continue;
      if (!c.kids.empty() && c.name != "body") {
        if (c.name == "joint" || c.name == "geom" || c.name == "site" || c.name == "inertial")
          refuseElement(nodes_[c.kids[0]], c.name);
      }
      if (c.name == "joint") {
        if (world) failModel(c.line, "the world body cannot have joints");
        readJoint(c, bi, cls);
      } else if (c.name == "geom") {
        readGeom(c, bi, cls, geomMasses);
      } else if (c.name == "site") {
        readSite(c, bi, cls);
      } else if (c.name == "inertial") {
        if (world) failModel(c.line, "the world body cannot have an <inertial>");
        if (inertial)
          failParse(c.line, "a second <inertial> in the body (the first is at line " +
                                std::to_string(inertial->line) + ")");
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
      MassInfo ex = readInertial(*inertial);
      if (!fromGeoms) mi = ex;
    }
    if (fromGeoms) mi = geomFrame(geomMasses, b.line);
    body.mass = mi.mass;
    body.com = mi.com;
    body.inertia = mi.inertia;
    principal_.resize(spec_.bodies.size(), Vec3::Zero());
    principal_[bi] = mi.principal;
  }

  struct MassInfo {
    double mass = 0;
    Vec3 com = Vec3::Zero();
    Mat3 inertia = Mat3::Zero();
    Vec3 principal = Vec3::Zero();
  };
  std::vector<Vec3> principal_;

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
    if (!(m.mass > 0))
      failModel(mass->line, "<inertial> mass must be positive, got " + quoted(mass->value));
    Quat q = Quat::Identity();
    bool oriented = readOrientation(e, q);
    const XAttr* diag = attr(e, "diaginertia");
    const XAttr* full = attr(e, "fullinertia");
    if (diag && full) failParse(full->line, "<inertial> has both 'diaginertia' and 'fullinertia'");
    if (!diag && !full) failParse(e.line, "<inertial> needs 'diaginertia' or 'fullinertia'");
    if (diag) {
      auto d = numbers(e, *diag, 3, 3);
      Vec3 I(d[0], d[1], d[2]);
      if (!(I.minCoeff() > 0))
        failModel(diag->line, "<inertial> diaginertia " + quoted(diag->value) +
                                  " is not positive definite (every moment must be positive)");
      checkTriangle(I, diag->line, false);
      m.principal = I;
      m.inertia = rotated(q, I);
    } else {
      if (oriented)
        failParse(full->line, "<inertial> 'fullinertia' is given in the body frame; it takes no "
                              "orientation");
      auto f = numbers(e, *full, 6, 6);
      Mat3 I;
      I << f[0], f[3], f[4], f[3], f[1], f[5], f[4], f[5], f[2];
      Vec3 ev = eigenvalues(I);
      if (!(ev.minCoeff() >= kEps))
        failModel(full->line, "<inertial> fullinertia " + quoted(full->value) +
                                  " is not positive definite (eigenvalues " + fmt(ev) + ")");
      checkTriangle(ev, full->line, true);
      m.principal = ev;
      m.inertia = I;
    }
    return m;
  }

  static std::string fmt(const Vec3& v) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.6g %.6g %.6g", v.x(), v.y(), v.z());
    return buf;
  }

  void checkTriangle(const Vec3& I, int line, bool computed) {
    // MuJoCo: A + B >= C for every permutation; computed eigenvalues get rounding slack
    double slack = computed ? 1e-12 * I.sum() : 0.0;
    for (int k = 0; k < 3; ++k) {
      double a = I[(k + 1) % 3], b = I[(k + 2) % 3], c = I[k];
      if (a + b < c - slack)
        failModel(line, "inertia " + fmt(I) +
                            " violates the triangle inequality A + B >= C: no rigid body has it");
    }
  }

  MassInfo geomFrame(const std::vector<GeomMass>& all, int line) {
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
    checkTriangle(m.principal, line, true);
    return m;
  }

  void readJoint(const XElem& e, int bi, int cls) {
    int c = classOf(e, cls);
    JointVals v = classes_[c].joint;
    applyJoint(e, v, false);
    JointSpec j;
    checkName(1, e, j.name);
    j.where = {src_, e.line};
    j.type = v.type;
    j.body = bi;
    j.pos = v.pos;
    double n = v.axis.norm();
    if (n < kEps) failModel(e.line, "<joint> axis is zero");
    j.axis = v.axis / n;
    j.damping = v.damping;
    j.armature = v.armature;
    j.stiffness = v.stiffness;
    double unit = v.type == SIM_JOINT_HINGE ? angleUnit() : 1.0;
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
    j.range[0] = v.range[0] * unit;
    j.range[1] = v.range[1] * unit;
    j.limitTimeconst = v.solref[0];
    j.limitDampratio = v.solref[1];
    spec_.joints.push_back(j);
    if (++bodyJointCount_[bi] > 6)
      failModel(e.line, "more than 6 joints in one body");
  }

  static std::string fmtPair(const double r[2]) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "'%.6g %.6g'", r[0], r[1]);
    return buf;
  }

  void readGeom(const XElem& e, int bi, int cls, std::vector<GeomMass>& masses) {
    int c = classOf(e, cls);
    GeomVals v = classes_[c].geom;
    bool explicitOrient = false;
    applyGeom(e, v, false, &explicitOrient);
    Shape s = resolveShape(e, v.type, v.size, v.hasFromto, v.fromto, v.pos, v.quat, explicitOrient);
    GeomSpec g;
    checkName(2, e, g.name);
    g.where = {src_, e.line};
    g.type = s.type;
    g.body = bi;
    for (int k = 0; k < 3; ++k) g.size[k] = s.size[k];
    g.pos = s.pos;
    g.quat = s.quat;
    for (int k = 0; k < 4; ++k) g.rgba[k] = v.rgba[k];
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
    site.where = {src_, e.line};
    site.body = bi;
    site.pos = s.pos;
    site.quat = s.quat;
    spec_.sites.push_back(site);
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
        failModel(body.where.line,
                  "body " + (body.name.empty() ? "#" + std::to_string(b) : quoted(body.name)) +
                      " moves on a joint but it and the bodies welded to it have no mass or a "
                      "zero principal inertia: give it geoms or an <inertial>");
      }
  }

  void readActuators(const XElem& a) {
    allowAttrs(a, {});
    for (int k : a.kids) {
      const XElem& e = nodes_[k];
      if (e.name != "motor") refuseElement(e, "actuator");
      if (!e.kids.empty()) refuseElement(nodes_[e.kids[0]], "motor");
      int c = classOf(e, 0);
      MotorVals v = classes_[c].motor;
      applyMotor(e, v, false);
      ActuatorSpec act;
      checkName(4, e, act.name);
      act.where = {src_, e.line};
      const XAttr* j = attr(e, "joint");
      if (!j) failModel(e.line, "<motor> needs 'joint' (the joint it drives)");
      act.joint = -1;
      if (jointIndex_.empty())
        for (size_t i = 0; i < spec_.joints.size(); ++i)
          if (!spec_.joints[i].name.empty()) jointIndex_[spec_.joints[i].name] = (int)i;
      auto found = jointIndex_.find(j->value);
      if (found != jointIndex_.end()) act.joint = found->second;
      if (act.joint < 0) failModel(j->line, "<motor> drives an unknown joint " + quoted(j->value));
      for (int i = 1; i < 6; ++i)
        if (v.gear[i] != 0)
          failModel(e.line, "<motor> gear: only the first component acts on a joint; the other "
                            "five must be 0");
      act.gear = v.gear[0];
      bool hasRange = !(v.ctrlrange[0] == 0 && v.ctrlrange[1] == 0);
      if (v.ctrllimited == kAuto) {
        if (!autolimits_ && hasRange)
          failModel(e.line, "<motor> has 'ctrlrange' but no 'ctrllimited' while the compiler's "
                            "autolimits is false: set ctrllimited, or autolimits=\"true\"");
        act.ctrlLimited = hasRange;
      } else {
        act.ctrlLimited = v.ctrllimited == kTrue;
      }
      if ((act.ctrlLimited || hasRange) && !(v.ctrlrange[0] < v.ctrlrange[1]))
        failModel(e.line, "<motor> ctrlrange " + fmtPair(v.ctrlrange) +
                              ": the lower limit must be below the upper" +
                              (hasRange ? "" : " (is 'ctrlrange' missing?)"));
      act.ctrlRange[0] = v.ctrlrange[0];
      act.ctrlRange[1] = v.ctrlrange[1];
      spec_.actuators.push_back(act);
    }
  }
};

}  // namespace

ModelSpec parseMJCF(const std::string& xml, const std::string& source) {
  return MJCFParser(xml, source).run();
}

}  // namespace sim
