// mesh.cpp — triangle meshes for mesh geoms: a small reader of the formats MJCF files ship
// (binary STL, Wavefront OBJ, MuJoCo's legacy binary .msh) and their mass properties.
//
// No mesh library is used: Debian's libassimp-dev would pull in a large dependency tree for
// three simple formats. Every read is bounds-checked against the file size and every index
// against the vertex count, so a truncated or hostile file gives an error, never a crash.
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "model.hpp"

namespace sim {

namespace {

constexpr double kMeshMinVal = 1e-15;  // MuJoCo's mjMINVAL

std::string lower(std::string s) {
  for (char& c : s) c = (char)std::tolower((unsigned char)c);
  return s;
}

bool readAll(const std::string& path, std::string& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream os;
  os << in.rdbuf();
  if (in.bad()) return false;
  bytes = os.str();
  return true;
}

template <class T>
T get(const std::string& b, size_t offset) {
  T v;
  std::memcpy(&v, b.data() + offset, sizeof(T));
  return v;
}

// Binary STL: 80-byte header, uint32 triangle count, 50 bytes per triangle (normal, 3 vertices,
// attribute). MuJoCo reads binary STL only.
std::string readSTL(const std::string& b, Mesh& m) {
  if (b.size() < 84) return "too short for a binary STL (MuJoCo reads binary STL only)";
  const uint32_t n = get<uint32_t>(b, 80);
  if ((uint64_t)b.size() < 84 + 50ull * n)
    return "binary STL declares " + std::to_string(n) + " triangles but holds " +
           std::to_string((b.size() - 84) / 50) + " (truncated, or an ASCII STL, which MuJoCo "
           "does not read)";
  m.vertices.reserve(3 * (size_t)n);
  for (uint32_t t = 0; t < n; ++t) {
    const size_t o = 84 + 50 * (size_t)t + 12;
    std::array<int, 3> f;
    for (int k = 0; k < 3; ++k) {
      Vec3 v(get<float>(b, o + 12 * k), get<float>(b, o + 12 * k + 4), get<float>(b, o + 12 * k + 8));
      if (!v.allFinite()) return "triangle " + std::to_string(t) + " has a non-finite vertex";
      f[k] = (int)m.vertices.size();
      m.vertices.push_back(v);
    }
    m.faces.push_back(f);
  }
  return "";
}

// Wavefront OBJ: 'v x y z' and 'f a b c ...' (a/b/c forms, negative indices); polygons are
// split into fans.
std::string readOBJ(const std::string& b, Mesh& m) {
  std::istringstream in(b);
  in.imbue(std::locale::classic());
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    std::istringstream words(line);
    words.imbue(std::locale::classic());
    std::string tag;
    if (!(words >> tag)) continue;
    if (tag == "v") {
      double x, y, z;
      if (!(words >> x >> y >> z) || !std::isfinite(x) || !std::isfinite(y) || !std::isfinite(z))
        return "line " + std::to_string(lineNo) + ": a vertex needs three finite numbers";
      // MuJoCo keeps mesh vertices in single precision
      m.vertices.push_back(Vec3((float)x, (float)y, (float)z));
    } else if (tag == "f") {
      std::vector<int> poly;
      std::string w;
      while (words >> w) {
        const std::string first = w.substr(0, w.find('/'));
        char* end = nullptr;
        const long i = std::strtol(first.c_str(), &end, 10);
        if (first.empty() || *end != '\0' || i == 0)
          return "line " + std::to_string(lineNo) + ": bad face index " + w;
        const long n = (long)m.vertices.size();
        const long index = i > 0 ? i - 1 : n + i;
        if (index < 0 || index >= n)
          return "line " + std::to_string(lineNo) + ": face index " + w + " out of range (" +
                 std::to_string(n) + " vertices so far)";
        poly.push_back((int)index);
      }
      if (poly.size() < 3) return "line " + std::to_string(lineNo) + ": a face needs 3 vertices";
      for (size_t k = 1; k + 1 < poly.size(); ++k) m.faces.push_back({poly[0], poly[k], poly[k + 1]});
    }
  }
  return "";
}

// MuJoCo's legacy .msh: int32 nvertex, nnormal, ntexcoord, nface; then float32 vertices
// [nvertex, 3], normals [nnormal, 3], texcoords [ntexcoord, 2], int32 faces [nface, 3].
std::string readMSH(const std::string& b, Mesh& m) {
  if (b.size() < 16) return "too short for a .msh file";
  const int32_t nv = get<int32_t>(b, 0), nn = get<int32_t>(b, 4), nt = get<int32_t>(b, 8),
                nf = get<int32_t>(b, 12);
  if (nv < 4 || nn < 0 || nt < 0 || nf < 0) return "bad .msh header";
  const uint64_t want = 16 + 12ull * nv + 12ull * nn + 8ull * nt + 12ull * nf;
  if (b.size() != want)
    return "a .msh file of " + std::to_string(b.size()) + " bytes, the header asks for " +
           std::to_string(want);
  for (int32_t i = 0; i < nv; ++i) {
    Vec3 v(get<float>(b, 16 + 12 * (size_t)i), get<float>(b, 20 + 12 * (size_t)i),
           get<float>(b, 24 + 12 * (size_t)i));
    if (!v.allFinite()) return "vertex " + std::to_string(i) + " is not finite";
    m.vertices.push_back(v);
  }
  const size_t fo = 16 + 12ull * nv + 12ull * nn + 8ull * nt;
  for (int32_t f = 0; f < nf; ++f) {
    std::array<int, 3> t;
    for (int k = 0; k < 3; ++k) {
      t[k] = get<int32_t>(b, fo + 12 * (size_t)f + 4 * k);
      if (t[k] < 0 || t[k] >= nv) return "face " + std::to_string(f) + " has an index out of range";
    }
    m.faces.push_back(t);
  }
  if (nf == 0) return "a .msh file without faces (MuJoCo would take the convex hull) is not supported";
  return "";
}

}  // namespace

std::string readMesh(const std::string& path, Mesh& mesh) {
  std::string bytes;
  if (!readAll(path, bytes)) return "cannot read " + path;
  const size_t dot = path.find_last_of('.');
  const std::string ext = dot == std::string::npos ? "" : lower(path.substr(dot));
  std::string error;
  if (ext == ".stl") error = readSTL(bytes, mesh);
  else if (ext == ".obj") error = readOBJ(bytes, mesh);
  else if (ext == ".msh") error = readMSH(bytes, mesh);
  else return path + ": unknown mesh format '" + ext + "' (binary .stl, .obj or .msh)";
  if (!error.empty()) return path + ": " + error;
  if (mesh.faces.empty()) return path + ": the mesh has no faces";
  return "";
}

MeshMass meshMass(const Mesh& mesh, const Vec3& scale, int mode) {
  const bool legacy = mode == kMeshInertiaLegacy, shell = mode == kMeshInertiaShell;
  // As MuJoCo's compiler (user_mesh.cc): pyramids from each face to the area-weighted centroid
  // of the faces give the volume and centre of mass; pyramids from the centre of mass give the
  // inertia and, recomputed, the volume. 'legacy' (MuJoCo's default) takes every pyramid's
  // volume as positive; 'exact' keeps the sign (a closed, consistently oriented mesh).
  std::vector<Vec3> v(mesh.vertices.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = mesh.vertices[i].cwiseProduct(scale);
  auto face = [&](const std::array<int, 3>& f, const Vec3& origin, Vec3& center, Vec3& normal) {
    const Vec3 a = v[f[0]] - origin, b = v[f[1]] - origin, c = v[f[2]] - origin;
    center = (a + b + c) / 3;
    normal = (b - a).cross(c - a);
    const double area = normal.norm() / 2;
    if (area > 0) normal /= 2 * area;
    return area;
  };
  Vec3 center, normal;
  Vec3 facecen = Vec3::Zero();
  double totalArea = 0;
  for (const auto& f : mesh.faces) {
    const double area = face(f, Vec3::Zero(), center, normal);
    facecen += area * center;
    totalArea += area;
  }
  MeshMass out;
  if (!(totalArea >= kMeshMinVal)) return out;
  facecen /= totalArea;
  double volume = 0;
  Vec3 com = Vec3::Zero();
  for (const auto& f : mesh.faces) {
    const double area = face(f, facecen, center, normal);
    // shell: the surface carries the mass (MuJoCo weights the same points by area)
    double pyramid = shell ? area : center.dot(normal) * area / 3;
    if (legacy) pyramid = std::abs(pyramid);
    volume += pyramid;
    com += pyramid * ((center + facecen) * 3.0 / 4.0 + facecen / 4.0);
  }
  // (center above is relative to facecen: the pyramid's centroid is 3/4 of the way to the face)
  if (!(volume >= kMeshMinVal)) {
    out.volume = volume;
    return out;
  }
  com /= volume;
  // second moments about the centre of mass, per unit density
  Mat3 P = Mat3::Zero();
  double total = 0;
  for (const auto& f : mesh.faces) {
    const double area = face(f, com, center, normal);
    double pyramid = shell ? area : center.dot(normal) * area / 3;
    if (legacy) pyramid = std::abs(pyramid);
    total += pyramid;
    const Vec3 a = v[f[0]] - com, b = v[f[1]] - com, c = v[f[2]] - com, sum = a + b + c;
    // ∫ r rᵀ over a solid pyramid (apex at com) is V/20 (…), over a triangle A/12 (…)
    P += pyramid / (shell ? 12 : 20) *
         (a * a.transpose() + b * b.transpose() + c * c.transpose() + sum * sum.transpose());
  }
  out.volume = total;
  out.com = com;
  out.inertia = P.trace() * Mat3::Identity() - P;
  out.inertia = (out.inertia + out.inertia.transpose()) / 2;
  return out;
}

}  // namespace sim
