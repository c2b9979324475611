// mjcf_load.cpp — loads MJCF files through the C bridge and prints one JSON line per file:
// {"file": ..., "status": ..., "message": ..., "nq": ..., "nv": ..., "nu": ..., "nbody": ...}.
// Built and run by benchmarks/mjcf_corpus.py; a tiny driver so that the corpus check needs no
// Swift build.
#include <cstdio>
#include <string>
#include <vector>

#include "energysim.h"

static std::string json(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else if ((unsigned char)c < 0x20) out += ' ';
    else out += c;
  }
  return out + "\"";
}

int main(int argc, char** argv) {
  std::vector<char> message(1 << 16);
  for (int i = 1; i < argc; ++i) {
    simModel* model = nullptr;
    const int32_t status = sim_loadModelFile(argv[i], &model, message.data(), message.size());
    std::printf("{\"file\": %s, \"status\": %s", json(argv[i]).c_str(),
                json(sim_statusName(status)).c_str());
    if (status == SIM_OK) {
      simSizes z;
      sim_modelSizes(model, &z);
      std::printf(", \"nq\": %lld, \"nv\": %lld, \"nu\": %lld, \"nbody\": %lld", (long long)z.nq,
                  (long long)z.nv, (long long)z.nu, (long long)z.nbody);
    } else {
      std::printf(", \"message\": %s", json(message.data()).c_str());
    }
    std::printf("}\n");
    std::fflush(stdout);
    sim_deleteModel(model);
  }
  return 0;
}
