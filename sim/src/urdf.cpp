// urdf.cpp — URDF import: a robot file read by urdfdom (Debian's liburdfdom-dev, the ROS parser)
// and written out as MJCF text in MuJoCo's conventions, which the MJCF loader then reads.
//
// Why through MJCF text: MuJoCo imports URDF the same way — its mjXURDF (src/xml/xml_urdf.cc)
// fills the spec that MJCF fills, with compiler settings chosen for URDF, and the one compiler
// then runs. Going through the MJCF loader keeps one compile path (mass properties from geoms,
// mesh files and their inertia, limits, defaults), so an imported URDF behaves exactly as the
// MJCF that `ebm model xml FILE.urdf` prints. The mapping is MuJoCo's:
//   link → body at its parent joint's <origin>; a link named "world" is the world body;
//     the root link hangs from the world without a joint (MuJoCo imports URDF with a fixed base);
//   revolute, continuous → hinge; prismatic → slide; floating → free; planar → two slides and a
//     hinge (_TX, _TY, _RZ); fixed → no joint (the body is welded; the compiler merges welded
//     bodies, MuJoCo's fusestatic, which URDF import turns on; a welded link with zero mass
//     adds no inertia, as FuseStatic skips it);
//   <limit lower upper> → range, limited when lower < upper (MuJoCo's autolimits), for
//     continuous joints too; <limit effort> → actuatorfrcrange ±effort; <dynamics damping
//     friction> → damping, frictionloss; the axis defaults to (1, 0, 0);
//   <inertial> → mass, centre of mass and the full tensor turned into principal moments and
//     axes (the <origin rpy> rotation composed in front), as mjuu_fullInertia; a link without
//     <inertial> takes its mass from its collision geoms (inertiafromgeom auto);
//   <collision> → box (half sizes), cylinder (radius, half length), sphere, mesh (one <mesh>
//     asset per file stem and scale, named as MuJoCo names them) with the colour of the last
//     <visual> before it; <visual> geoms are discarded (discardvisual, MuJoCo's URDF default);
//   a <mujoco> element inside <robot> passes its <compiler>, <option> and <size> through, as
//     MuJoCo reads them (angles stay radians);
//   angles: URDF rpy are fixed-axis X, Y, Z rotations, composed as urdfdom composes them.
//   <mimic joint multiplier offset> → <equality><joint joint1=this joint2=mimicked
//     polycoef="offset multiplier 0 0 0"> (what MuJoCo 4's import builds);
// Differences from MuJoCo, by design: mesh filenames keep their directories (MuJoCo strips
// nothing either by default) and `package://NAME/…` is resolved through the package path
// (the `--package-path` directories, then ROS_PACKAGE_PATH, then the URDF's own directory, as
// pybullet resolves it) instead of failing;
// <transmission>, <gazebo>, <safety_controller> and <calibration> are ignored with a warning
// (MuJoCo ignores them silently).
//
// Errors: urdfdom reports problems through console_bridge without line numbers, so a pugixml
// pass over the same text first checks the structure (links, joints, parents, cycles, names)
// and remembers where each element is; every message is "file:line: problem". Problems found
// later by the MJCF loader in the generated text are mapped back to the URDF line they came from.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <sys/stat.h>

#include <Eigen/Eigenvalues>
#include <console_bridge/console.h>
#include <pugixml.hpp>
#include <urdf_parser/urdf_parser.h>

#include "model.hpp"

namespace sim {

namespace {

constexpr size_t kMaxDepth = 64;  // URDF nests ~6 deep; bounds urdfdom's recursive TinyXML

/// Where things are in the URDF text, found by a pugixml pass before urdfdom reads it.
struct URDFIndex {
  struct Element {
    std::string name;
    int line = 0;
  };
  struct Joint {
    std::string name, type, parent, child;
    int line = 0, parentLine = 0, childLine = 0;
  };
  std::string robotName;
  std::vector<Element> links;               ///< document order
  std::vector<Joint> joints;                ///< document order
  std::map<std::string, std::string> kinds; ///< link → "vc…": its <visual>/<collision> order
  std::map<std::string, std::vector<int>> collisionLines;  ///< link → line of each <collision>
  std::vector<std::pair<int, std::string>> mujocoSections;  ///< (line, MJCF text) passed through
  std::vector<std::pair<int, std::string>> ignored;         ///< (line, what)
};

class LineCounter {
 public:
  explicit LineCounter(const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i)
      if (s[i] == '\n') starts_.push_back(i + 1);
  }
  int operator()(ptrdiff_t offset) const {
    if (offset < 0) return 1;
    return (int)(std::upper_bound(starts_.begin(), starts_.end(), (size_t)offset) - starts_.begin());
  }

 private:
  std::vector<size_t> starts_{0};
};

std::string at(const std::string& source, int line) { return source + ":" + std::to_string(line); }

[[noreturn]] void fail(int status, const std::string& source, int line, const std::string& what) {
  throw SimError{status, at(source, line) + ": " + what};
}

/// Reads the structure of the URDF with pugixml: well-formedness, depth, names, the tree.
/// Every structural problem is collected; the list is thrown at the end.
URDFIndex indexURDF(const std::string& text, const std::string& source) {
  pugi::xml_document doc;
  const pugi::xml_parse_result r = doc.load_buffer(text.data(), text.size(), pugi::parse_default,
                                                   pugi::encoding_utf8);
  const LineCounter lineOf(text);
  if (!r) fail(SIM_ERR_PARSE, source, lineOf(r.offset), std::string("malformed XML: ") + r.description());
  const pugi::xml_node robot = doc.document_element();
  if (std::string(robot.name()) != "robot")
    fail(SIM_ERR_PARSE, source, lineOf(robot.offset_debug()),
         "the root element is <" + std::string(robot.name()) + ">, a URDF file's is <robot>");
  // depth, without recursion
  {
    std::vector<std::pair<pugi::xml_node, size_t>> stack{{robot, 1}};
    while (!stack.empty()) {
      auto [node, depth] = stack.back();
      stack.pop_back();
      if (depth > kMaxDepth)
        fail(SIM_ERR_PARSE, source, lineOf(node.offset_debug()),
             "elements nested more than " + std::to_string(kMaxDepth) + " deep");
      for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
        if (c.type() == pugi::node_element) stack.push_back({c, depth + 1});
    }
  }
  URDFIndex index;
  index.robotName = robot.attribute("name").value();
  std::vector<std::string> problems;
  auto problem = [&](const pugi::xml_node& n, const std::string& what) {
    problems.push_back(at(source, lineOf(n.offset_debug())) + ": " + what);
  };
  std::map<std::string, int> linkAt, jointAt;
  for (pugi::xml_node e = robot.first_child(); e; e = e.next_sibling()) {
    if (e.type() != pugi::node_element) continue;
    const std::string tag = e.name();
    const int line = lineOf(e.offset_debug());
    const std::string name = e.attribute("name").value();
    if (tag == "link") {
      if (name.empty()) { problem(e, "<link> has no name"); continue; }
      auto [it, fresh] = linkAt.insert({name, line});
      if (!fresh) { problem(e, "duplicate link name '" + name + "' (first at line " + std::to_string(it->second) + ")"); continue; }
      index.links.push_back({name, line});
      std::string& kinds = index.kinds[name];
      for (pugi::xml_node c = e.first_child(); c; c = c.next_sibling()) {
        const std::string ct = c.name();
        if (ct == "visual") kinds += 'v';
        if (ct == "collision") {
          kinds += 'c';
          index.collisionLines[name].push_back(lineOf(c.offset_debug()));
        }
      }
    } else if (tag == "joint") {
      if (name.empty()) { problem(e, "<joint> has no name"); continue; }
      auto [it, fresh] = jointAt.insert({name, line});
      if (!fresh) { problem(e, "duplicate joint name '" + name + "' (first at line " + std::to_string(it->second) + ")"); continue; }
      URDFIndex::Joint j;
      j.name = name;
      j.line = line;
      j.type = e.attribute("type").value();
      const pugi::xml_node p = e.child("parent"), c = e.child("child");
      j.parent = p.attribute("link").value();
      j.child = c.attribute("link").value();
      j.parentLine = p ? lineOf(p.offset_debug()) : line;
      j.childLine = c ? lineOf(c.offset_debug()) : line;
      for (const char* ignoredTag : {"safety_controller", "calibration"})
        if (pugi::xml_node x = e.child(ignoredTag))
          index.ignored.push_back({lineOf(x.offset_debug()), "<" + std::string(ignoredTag) + ">"});
      index.joints.push_back(j);
    } else if (tag == "mujoco") {
      // MuJoCo's own extension: <compiler>, <option>, <size> pass through into the MJCF
      for (pugi::xml_node c = e.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        const std::string ct = c.name();
        if (ct != "compiler" && ct != "option" && ct != "size") {
          problem(c, "<" + ct + "> inside <mujoco>: MuJoCo's URDF import reads only <compiler>, "
                     "<option> and <size> there");
          continue;
        }
        if (ct == "compiler") c.remove_attribute("angle");  // URDF angles are radians (MuJoCo forces it)
        std::ostringstream os;
        c.print(os, "", pugi::format_raw);
        index.mujocoSections.push_back({lineOf(c.offset_debug()), os.str()});
      }
    } else if (tag == "transmission" || tag == "gazebo") {
      index.ignored.push_back({line, "<" + tag + ">"});
    }
  }
  // the tree: every joint names existing links, every link has at most one parent, no cycles
  std::map<std::string, const URDFIndex::Joint*> parentJoint;
  for (const URDFIndex::Joint& j : index.joints) {
    bool ok = true;
    if (j.parent.empty() || !linkAt.count(j.parent)) {
      problems.push_back(at(source, j.parentLine) + ": joint '" + j.name + "': parent link '" + j.parent +
                         "' " + (j.parent.empty() ? "is missing" : "is not defined"));
      ok = false;
    }
    if (j.child.empty() || !linkAt.count(j.child)) {
      problems.push_back(at(source, j.childLine) + ": joint '" + j.name + "': child link '" + j.child +
                         "' " + (j.child.empty() ? "is missing" : "is not defined"));
      ok = false;
    }
    if (!ok) continue;
    if (j.parent == j.child) {
      problems.push_back(at(source, j.line) + ": joint '" + j.name + "' connects link '" + j.child + "' to itself");
      continue;
    }
    auto [it, fresh] = parentJoint.insert({j.child, &j});
    if (!fresh)
      problems.push_back(at(source, j.line) + ": link '" + j.child + "' has two parents: joint '" + j.name +
                         "' and joint '" + it->second->name + "' (line " + std::to_string(it->second->line) + ")");
  }
  if (problems.empty()) {
    // walk up from each link until a link seen before: one on this walk closes a cycle; every
    // link is walked once, so a long chain costs linear time
    std::map<std::string, int> state;  // 1: on the current walk, 2: finished
    for (const URDFIndex::Element& l : index.links) {
      std::vector<std::string> path;
      std::string cur = l.name;
      bool cycle = false;
      while (true) {
        auto seen = state.find(cur);
        if (seen != state.end()) {
          cycle = seen->second == 1;
          break;
        }
        state[cur] = 1;
        path.push_back(cur);
        auto up = parentJoint.find(cur);
        if (up == parentJoint.end()) break;
        cur = up->second->parent;
      }
      if (cycle) {
        std::string text;
        for (auto k = std::find(path.begin(), path.end(), cur); k != path.end(); ++k) text += *k + " → ";
        problems.push_back(at(source, parentJoint[cur]->line) + ": the joints form a cycle: " + text + cur +
                           " (a URDF robot is a tree)");
      }
      for (const std::string& k : path) state[k] = 2;
    }
  }
  if (problems.empty()) {
    std::vector<std::string> roots;
    for (const URDFIndex::Element& l : index.links)
      if (!parentJoint.count(l.name)) roots.push_back(l.name + " (line " + std::to_string(l.line) + ")");
    if (index.links.empty()) problems.push_back(at(source, lineOf(robot.offset_debug())) + ": <robot> has no <link>");
    else if (roots.size() > 1) {
      std::string list;
      for (const std::string& s : roots) list += (list.empty() ? "" : ", ") + s;
      problems.push_back(at(source, lineOf(robot.offset_debug())) + ": " + std::to_string(roots.size()) +
                         " root links (links that are no joint's child): " + list +
                         "; a URDF robot has one root");
    }
  }
  if (!problems.empty()) {
    std::string all;
    for (const std::string& p : problems) all += (all.empty() ? "" : "\n") + p;
    throw SimError{SIM_ERR_MODEL, all};
  }
  return index;
}

/// Collects what urdfdom logs (console_bridge is process-wide, hence the lock).
class URDFLog : public console_bridge::OutputHandler {
 public:
  void log(const std::string& text, console_bridge::LogLevel level, const char*, int) override {
    if (level >= console_bridge::CONSOLE_BRIDGE_LOG_WARN) lines.push_back(text);
  }
  std::vector<std::string> lines;
};

/// The line of the first link or joint that a urdfdom message names ("Joint [j]", "link 'l'").
int lineNamedIn(const std::string& message, const URDFIndex& index) {
  for (size_t i = 0; i < message.size(); ++i) {
    const char open = message[i];
    if (open != '[' && open != '\'') continue;
    const size_t end = message.find(open == '[' ? ']' : '\'', i + 1);
    if (end == std::string::npos) break;
    const std::string name = message.substr(i + 1, end - i - 1);
    for (const URDFIndex::Joint& j : index.joints)
      if (j.name == name) return j.line;
    for (const URDFIndex::Element& l : index.links)
      if (l.name == name) return l.line;
    i = end;
  }
  return 0;
}

urdf::ModelInterfaceSharedPtr parseWithURDFDOM(const std::string& text, const std::string& source,
                                               const URDFIndex& index) {
  static std::mutex lock;
  std::lock_guard<std::mutex> guard(lock);
  URDFLog log;
  console_bridge::OutputHandler* previous = console_bridge::getOutputHandler();
  console_bridge::useOutputHandler(&log);
  urdf::ModelInterfaceSharedPtr model;
  std::string thrown;
  try {
    model = urdf::parseURDF(text);
  } catch (const std::exception& e) {
    thrown = e.what();
  } catch (...) {
    thrown = "unknown exception";  // the handler below must be restored whatever happens
  }
  console_bridge::useOutputHandler(previous);
  if (!model) {
    std::string what = source + ": urdfdom refused the file";
    for (const std::string& l : log.lines) {
      const int line = lineNamedIn(l, index);
      what += "\n" + (line ? at(source, line) : source) + ": " + l;
    }
    if (!thrown.empty()) what += "\n" + source + ": " + thrown;
    throw SimError{SIM_ERR_PARSE, what};
  }
  return model;
}

bool isDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> splitPath(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ':');)
    if (!item.empty()) out.push_back(item);
  return out;
}

/// `package://NAME/rest` → DIR/NAME/rest for the first DIR of the package path holding NAME
/// (or DIR itself when it is named NAME); `file://` prefixes are dropped; other paths stay.
std::string resolveMeshPath(const std::string& filename, const URDFOptions& options,
                            const std::string& source, int line) {
  const std::string pkg = "package://", file = "file://";
  if (filename.compare(0, file.size(), file) == 0) return filename.substr(file.size());
  if (filename.compare(0, pkg.size(), pkg) != 0) return filename;
  const std::string rest = filename.substr(pkg.size());
  const size_t slash = rest.find('/');
  const std::string name = rest.substr(0, slash), tail = slash == std::string::npos ? "" : rest.substr(slash);
  std::vector<std::string> dirs = options.packagePaths;
  if (const char* env = std::getenv("ROS_PACKAGE_PATH"))
    for (const std::string& d : splitPath(env)) dirs.push_back(d);
  if (!options.fileDirectory.empty()) dirs.push_back(options.fileDirectory);  // as pybullet does
  for (std::string d : dirs) {
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    if (isDirectory(d + "/" + name)) return d + "/" + name + tail;
    const size_t cut = d.find_last_of('/');
    if ((cut == std::string::npos ? d : d.substr(cut + 1)) == name && isDirectory(d)) return d + tail;
  }
  std::string searched;
  for (const std::string& d : dirs) searched += (searched.empty() ? "" : ", ") + d;
  fail(SIM_ERR_IO, source, line,
       "mesh '" + filename + "': package '" + name + "' not found in the package path (" +
           (searched.empty() ? "empty: give --package-path or set ROS_PACKAGE_PATH" : searched) + ")");
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string vec(std::initializer_list<double> v) {
  std::string s;
  for (double x : v) s += (s.empty() ? "" : " ") + num(x);
  return s;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// MJCF text with, for each of its lines, the URDF line it came from.
class MJCFWriter {
 public:
  void line(int urdfLine, int depth, const std::string& text) {
    out_ += std::string(2 * std::min(depth, 32), ' ') + text + "\n";  // deep chains: no quadratic indent
    map_.push_back(urdfLine);
  }
  std::string text() const { return out_; }
  const std::vector<int>& lineMap() const { return map_; }

 private:
  std::string out_;
  std::vector<int> map_;
};

/// pos="…" quat="…" of a urdfdom pose (omitted when identity).
std::string poseAttrs(const urdf::Pose& p) {
  std::string s;
  if (p.position.x != 0 || p.position.y != 0 || p.position.z != 0)
    s += " pos=\"" + vec({p.position.x, p.position.y, p.position.z}) + "\"";
  const urdf::Rotation& q = p.rotation;
  if (q.x != 0 || q.y != 0 || q.z != 0 || q.w != 1) s += " quat=\"" + vec({q.w, q.x, q.y, q.z}) + "\"";
  return s;
}

class URDFConverter {
 public:
  URDFConverter(const std::string& text, const std::string& source, const URDFOptions& options)
      : source_(source), options_(options), index_(indexURDF(text, source)),
        model_(parseWithURDFDOM(text, source, index_)) {
    // the XML pass and urdfdom must name the same links and joints (TinyXML and pugixml treat
    // odd whitespace in attribute values differently); every later lookup relies on it
    std::string problems;
    for (const URDFIndex::Element& l : index_.links)
      if (!model_->getLink(l.name))
        problems += (problems.empty() ? "" : "\n") + at(source_, l.line) + ": link name '" + l.name +
                    "' reads differently in urdfdom (whitespace or control characters in the name?)";
    for (const URDFIndex::Joint& j : index_.joints)
      if (!model_->getJoint(j.name))
        problems += (problems.empty() ? "" : "\n") + at(source_, j.line) + ": joint name '" + j.name +
                    "' reads differently in urdfdom (whitespace or control characters in the name?)";
    if (!problems.empty()) throw SimError{SIM_ERR_PARSE, problems};
  }

  URDFImport run() {
    const std::string name = index_.robotName.empty() ? "urdf" : index_.robotName;
    w_.line(1, 0, "<!-- " + escape(source_) + " imported as MuJoCo imports URDF (fixed base, visual "
                  "geoms discarded, welded links merged when compiled) -->");
    w_.line(1, 0, "<mujoco model=\"" + escape(name) + "\">");
    bool compiler = false;
    for (auto& [line, xml] : index_.mujocoSections) {
      std::string text = xml;
      if (text.compare(0, 9, "<compiler") == 0) {
        compiler = true;
        text.insert(9, " angle=\"radian\"");
      }
      w_.line(line, 1, text);
    }
    if (!compiler) w_.line(1, 1, "<compiler angle=\"radian\"/>");
    // bodies in MuJoCo's order: roots in link order, children depth first in joint order
    for (const URDFIndex::Joint& j : index_.joints) children_[j.parent].push_back(&j);
    std::set<std::string> children;
    for (const URDFIndex::Joint& j : index_.joints) children.insert(j.child);
    std::string root;
    for (const URDFIndex::Element& l : index_.links) {
      linkLines_[l.name] = l.line;
      if (!children.count(l.name)) root = l.name;
    }
    MJCFWriter body;
    std::swap(w_, body);  // bodies first (meshes are met there), assets written before them
    writeTree(root);
    std::swap(w_, body);
    if (!meshes_.empty()) {
      w_.line(1, 1, "<asset>");
      for (const MeshAsset& m : meshes_)
        w_.line(m.line, 2, "<mesh name=\"" + escape(m.name) + "\" file=\"" + escape(m.file) + "\"" +
                               (m.scale == std::array<double, 3>{1, 1, 1} ? "" : " scale=\"" + vec({m.scale[0], m.scale[1], m.scale[2]}) + "\"") + "/>");
      w_.line(1, 1, "</asset>");
    }
    w_.line(1, 1, "<worldbody>");
    std::string text = w_.text() + body.text();
    std::vector<int> map = w_.lineMap();
    map.insert(map.end(), body.lineMap().begin(), body.lineMap().end());
    text += "  </worldbody>\n";
    map.push_back(1);
    if (!mimics_.empty()) {
      // MuJoCo imports <mimic> as a joint equality: q_child = offset + multiplier·q_mimicked
      MJCFWriter eq;
      eq.line(1, 1, "<equality>");
      for (const URDFIndex::Joint* ij : mimics_) {
        const urdf::JointMimic& mm = *model_->getJoint(ij->name)->mimic;
        eq.line(ij->line, 2, "<joint joint1=\"" + escape(ij->name) + "\" joint2=\"" + escape(mm.joint_name) +
                                 "\" polycoef=\"" + vec({mm.offset, mm.multiplier, 0, 0, 0}) + "\"/>");
      }
      eq.line(1, 1, "</equality>");
      text += eq.text();
      map.insert(map.end(), eq.lineMap().begin(), eq.lineMap().end());
    }
    text += "</mujoco>\n";
    map.push_back(1);
    URDFImport out;
    out.mjcf = std::move(text);
    out.lineMap = std::move(map);
    std::map<std::string, std::vector<int>> ignored;
    for (auto& [line, what] : index_.ignored) ignored[what].push_back(line);
    if (visuals_) ignored["<visual> (discarded as MuJoCo's URDF import does)"].push_back(visualLine_);
    for (auto& [what, lines] : ignored) {
      out.warnings += (out.warnings.empty() ? "" : ", ") + what +
                      (lines.size() > 1 ? " ×" + std::to_string(lines.size()) : "") + " (line " +
                      std::to_string(lines[0]) + ")";
    }
    if (!out.warnings.empty()) out.warnings = source_ + ": ignored (no effect on the simulated dynamics): " + out.warnings;
    return out;
  }

 private:
  struct MeshAsset {
    std::string name, file;
    std::array<double, 3> scale;
    int line;
  };

  int linkLine(const std::string& name) const {
    auto it = linkLines_.find(name);
    return it == linkLines_.end() ? 1 : it->second;
  }

  /// Bodies depth first, children in joint order, without recursion (a chain of N links nests
  /// N bodies; the MJCF loader reads deep nesting without recursion too).
  void writeTree(const std::string& root) {
    struct Visit {
      std::string link;
      const URDFIndex::Joint* joint;
      int depth;
      bool close;  ///< write the link's </body>
    };
    std::vector<Visit> stack{{root, nullptr, 2, false}};
    while (!stack.empty()) {
      const Visit v = stack.back();
      stack.pop_back();
      if (v.close) {
        w_.line(linkLine(v.link), v.depth, "</body>");
        continue;
      }
      const bool world = v.link == "world" && !v.joint;  // MuJoCo: a link named world is the world body
      const int d = world ? v.depth : v.depth + 1;
      writeLink(v.link, v.joint, v.depth, world);
      if (!world) stack.push_back({v.link, v.joint, v.depth, true});
      auto kids = children_.find(v.link);
      if (kids != children_.end())
        for (auto j = kids->second.rbegin(); j != kids->second.rend(); ++j) stack.push_back({(*j)->child, *j, d, false});
    }
  }

  /// A link's <body> opening, inertial, joint and geoms (its children and </body> follow).
  void writeLink(const std::string& name, const URDFIndex::Joint* joint, int depth, bool world) {
    urdf::LinkConstSharedPtr link = model_->getLink(name);
    if (!link) fail(SIM_ERR_INTERNAL, source_, linkLine(name), "urdfdom lost link '" + name + "'");
    const int line = linkLine(name);
    int d = depth;
    if (!world) {
      std::string open = "<body name=\"" + escape(name) + "\"";
      if (joint) open += poseAttrs(model_->getJoint(joint->name)->parent_to_joint_origin_transform);
      w_.line(joint ? joint->line : line, depth, open + ">");
      d = depth + 1;
      // MuJoCo fuses a welded link into its parent only when its mass is at least mjMINVAL:
      // a massless welded link's inertia counts for nothing (FuseStatic)
      const bool welded = !joint || model_->getJoint(joint->name)->type == urdf::Joint::FIXED;
      if (link->inertial && welded && link->inertial->mass < 1e-15)
        w_.line(line, d, "<inertial pos=\"0 0 0\" mass=\"0\" diaginertia=\"0 0 0\"/>");
      else if (link->inertial) writeInertial(*link->inertial, line, d);
      if (joint) writeJoint(*joint, d);
    }
    writeGeoms(*link, d);
  }

  /// Principal moments and axes of the URDF tensor; the axes follow the <origin rpy> frame
  /// (MuJoCo: iquat = origin ⊗ eig(fullinertia)).
  void writeInertial(const urdf::Inertial& in, int line, int depth) {
    Mat3 I;
    I << in.ixx, in.ixy, in.ixz, in.ixy, in.iyy, in.iyz, in.ixz, in.iyz, in.izz;
    Vec3 moments = Vec3::Zero();
    Quat axes = Quat::Identity();
    if (!I.isZero(0)) {
      Eigen::SelfAdjointEigenSolver<Mat3> eig(I);
      if (eig.info() != Eigen::Success || !I.allFinite())
        fail(SIM_ERR_MODEL, source_, line, "<inertia> of link: not a finite symmetric tensor");
      Mat3 V = eig.eigenvectors();
      if (V.determinant() < 0) V.col(2) = -V.col(2);  // a rotation, not a reflection
      moments = eig.eigenvalues();
      axes = Quat(V);
    }
    const urdf::Rotation& r = in.origin.rotation;
    Quat q = (Quat(r.w, r.x, r.y, r.z) * axes).normalized();
    const urdf::Vector3& p = in.origin.position;
    w_.line(line, depth, "<inertial pos=\"" + vec({p.x, p.y, p.z}) + "\" quat=\"" + vec({q.w(), q.x(), q.y(), q.z()}) +
                             "\" mass=\"" + num(in.mass) + "\" diaginertia=\"" +
                             vec({moments[0], moments[1], moments[2]}) + "\"/>");
  }

  void writeJoint(const URDFIndex::Joint& ij, int depth) {
    urdf::JointConstSharedPtr j = model_->getJoint(ij.name);
    const int line = ij.line;
    const urdf::Vector3& a = j->axis;
    std::string common;
    if (j->dynamics) {
      if (j->dynamics->damping != 0) common += " damping=\"" + num(j->dynamics->damping) + "\"";
      if (j->dynamics->friction != 0) common += " frictionloss=\"" + num(j->dynamics->friction) + "\"";
    }
    std::string limits;
    if (j->limits) {
      // MuJoCo: limited when lower < upper (autolimits); a bad range leaves the joint free
      if (j->limits->lower < j->limits->upper)
        limits += " range=\"" + vec({j->limits->lower, j->limits->upper}) + "\"";
      const double effort = std::abs(j->limits->effort);
      if (effort > 0) limits += " actuatorfrcrange=\"" + vec({-effort, effort}) + "\"";
    }
    const std::string name = escape(ij.name);
    if (j->mimic && j->type != urdf::Joint::FIXED) mimics_.push_back(&ij);
    switch (j->type) {
      case urdf::Joint::REVOLUTE:
      case urdf::Joint::CONTINUOUS:
      case urdf::Joint::PRISMATIC:
        w_.line(line, depth, "<joint name=\"" + name + "\" type=\"" +
                                 (j->type == urdf::Joint::PRISMATIC ? "slide" : "hinge") + "\" axis=\"" +
                                 vec({a.x, a.y, a.z}) + "\"" + limits + common + "/>");
        break;
      case urdf::Joint::FLOATING:
        w_.line(line, depth, "<joint name=\"" + name + "\" type=\"free\"" + common + "/>");
        break;
      case urdf::Joint::PLANAR: {
        // MuJoCo: slides along the x and y axes of a frame whose z is the joint axis, a hinge
        // about it; the <limit> applies to the first slide, <dynamics> to all three
        double q[4] = {1, 0, 0, 0};
        const double z[3] = {a.x, a.y, a.z};
        q[1] = -z[1];  // z × axis, mjuu_z2quat
        q[2] = z[0];
        q[3] = 0;
        const double s = std::sqrt(q[1] * q[1] + q[2] * q[2]);
        if (s < 1e-10) { q[1] = 1; q[2] = q[3] = 0; } else { q[1] /= s; q[2] /= s; }
        const double ang = std::atan2(s, z[2]);
        q[0] = std::cos(ang / 2);
        for (int k = 1; k < 4; ++k) q[k] *= std::sin(ang / 2);
        const Mat3 R = Quat(q[0], q[1], q[2], q[3]).toRotationMatrix();
        w_.line(line, depth, "<joint name=\"" + name + "_TX\" type=\"slide\" axis=\"" +
                                 vec({R(0, 0), R(1, 0), R(2, 0)}) + "\"" + limits + common + "/>");
        w_.line(line, depth, "<joint name=\"" + name + "_TY\" type=\"slide\" axis=\"" +
                                 vec({R(0, 1), R(1, 1), R(2, 1)}) + "\"" + common + "/>");
        w_.line(line, depth, "<joint name=\"" + name + "_RZ\" type=\"hinge\" axis=\"" +
                                 vec({a.x, a.y, a.z}) + "\"" + common + "/>");
        break;
      }
      case urdf::Joint::FIXED:
        break;
      default:
        fail(SIM_ERR_PARSE, source_, line, "joint '" + ij.name + "': unknown type '" + ij.type + "'");
    }
  }

  void writeGeoms(const urdf::Link& link, int depth) {
    const std::string& kinds = index_.kinds[link.name];
    const std::vector<int>& lines = index_.collisionLines[link.name];
    size_t v = 0, c = 0;
    const urdf::Color* rgba = nullptr;
    for (char k : kinds) {
      if (k == 'v') {
        if (v < link.visual_array.size()) {
          const urdf::VisualSharedPtr& vis = link.visual_array[v++];
          if (!visuals_) visualLine_ = linkLine(link.name);
          ++visuals_;
          if (vis && vis->material) rgba = &vis->material->color;
        }
        continue;
      }
      if (c >= link.collision_array.size()) break;
      const int line = c < lines.size() ? lines[c] : linkLine(link.name);
      const urdf::CollisionSharedPtr& col = link.collision_array[c++];
      if (!col || !col->geometry) continue;
      std::string g = "<geom";
      if (!col->name.empty() && geomNames_.insert(col->name).second) g += " name=\"" + escape(col->name) + "\"";
      const urdf::Geometry& geo = *col->geometry;
      switch (geo.type) {
        case urdf::Geometry::BOX: {
          const urdf::Vector3& s = static_cast<const urdf::Box&>(geo).dim;
          g += " type=\"box\" size=\"" + vec({s.x / 2, s.y / 2, s.z / 2}) + "\"";
          break;
        }
        case urdf::Geometry::CYLINDER: {
          const auto& cy = static_cast<const urdf::Cylinder&>(geo);
          g += " type=\"cylinder\" size=\"" + vec({cy.radius, cy.length / 2}) + "\"";
          break;
        }
        case urdf::Geometry::SPHERE:
          g += " type=\"sphere\" size=\"" + num(static_cast<const urdf::Sphere&>(geo).radius) + "\"";
          break;
        case urdf::Geometry::MESH: {
          const auto& m = static_cast<const urdf::Mesh&>(geo);
          g += " type=\"mesh\" mesh=\"" + escape(meshAsset(m, line)) + "\"";
          break;
        }
      }
      g += poseAttrs(col->origin);
      if (rgba) g += " rgba=\"" + vec({rgba->r, rgba->g, rgba->b, rgba->a}) + "\"";
      w_.line(line, depth, g + "/>");
    }
  }

  /// MuJoCo's mesh assets for URDF: named after the file's stem, one per (stem, scale), a
  /// second scale of the same stem numbered.
  std::string meshAsset(const urdf::Mesh& m, int line) {
    std::string file = resolveMeshPath(m.filename, options_, source_, line);
    // absolute, so that the MJCF text works wherever it is written (`ebm model xml --out`);
    // with a <compiler meshdir|assetdir> passed through, relative names keep MuJoCo's meaning
    bool meshdir = false;
    for (auto& section : index_.mujocoSections)
      meshdir = meshdir || section.second.find("meshdir") != std::string::npos ||
                section.second.find("assetdir") != std::string::npos;
    const bool package = m.filename.compare(0, 10, "package://") == 0;
    if (!file.empty() && file[0] != '/' && (package || (!meshdir && !options_.fileDirectory.empty()))) {
      const std::string base = package ? "." : options_.fileDirectory;
      if (char* real = ::realpath(base.c_str(), nullptr)) {
        file = std::string(real) + "/" + file;
        std::free(real);
      }
    }
    std::string stem = m.filename.substr(m.filename.find_last_of('/') + 1);
    stem = stem.substr(0, stem.find_last_of('.'));
    const std::array<double, 3> scale{m.scale.x, m.scale.y, m.scale.z};
    std::vector<int>& same = meshesByStem_[stem];
    for (int k : same)
      if (meshes_[k].scale == scale) return meshes_[k].name;
    const std::string name = same.empty() ? stem : stem + std::to_string(same.size());
    same.push_back((int)meshes_.size());
    meshes_.push_back(MeshAsset{name, file, scale, line});
    return name;
  }

  std::string source_;
  URDFOptions options_;
  URDFIndex index_;
  urdf::ModelInterfaceSharedPtr model_;
  MJCFWriter w_;
  std::map<std::string, std::vector<const URDFIndex::Joint*>> children_;
  std::vector<MeshAsset> meshes_;
  std::map<std::string, std::vector<int>> meshesByStem_;
  std::set<std::string> geomNames_;
  std::vector<const URDFIndex::Joint*> mimics_;
  std::map<std::string, int> linkLines_;
  int visuals_ = 0, visualLine_ = 1;
};

/// Replaces "SOURCE:N" (a line of the generated MJCF) with "urdf:M" (the URDF line it came
/// from) throughout a message.
std::string mapLines(const std::string& text, const std::string& generated, const std::string& urdf,
                     const std::vector<int>& map) {
  std::string out;
  size_t i = 0;
  while (true) {
    const size_t k = text.find(generated, i);
    if (k == std::string::npos) break;
    out += text.substr(i, k - i) + urdf;
    i = k + generated.size();
    if (i < text.size() && text[i] == ':' && i + 1 < text.size() && std::isdigit((unsigned char)text[i + 1])) {
      size_t e = i + 1;
      while (e < text.size() && std::isdigit((unsigned char)text[e])) ++e;
      const long n = std::strtol(text.c_str() + i + 1, nullptr, 10);
      const int m = n >= 1 && (size_t)n <= map.size() ? map[n - 1] : 1;
      out += ":" + std::to_string(m);
      i = e;
    }
  }
  return out + text.substr(i);
}

}  // namespace

bool looksLikeURDF(const std::string& text) {
  pugi::xml_document doc;
  if (!doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8)) return false;
  return std::string(doc.document_element().name()) == "robot";
}

URDFImport convertURDF(const std::string& text, const std::string& source, const URDFOptions& options) {
  return URDFConverter(text, source, options).run();
}

ModelSpec parseURDF(const std::string& text, const std::string& source, const std::string& path,
                    const URDFOptions& options) {
  const URDFImport im = convertURDF(text, source, options);
  const std::string generated = source + " (as MJCF)";
  ModelSpec spec;
  try {
    spec = parseMJCF(im.mjcf, generated, path);
  } catch (const SimError& e) {
    throw SimError{e.status, mapLines(e.message, generated, source, im.lineMap)};
  }
  spec.source = source;
  spec.warnings = mapLines(spec.warnings, generated, source, im.lineMap);
  if (!im.warnings.empty()) spec.warnings = im.warnings + (spec.warnings.empty() ? "" : "; " + spec.warnings);
  return spec;
}

}  // namespace sim
