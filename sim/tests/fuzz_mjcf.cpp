// libFuzzer target (issue 18): the MJCF loader through the C bridge. Any text must load or return
// a status code with a message: no crash, no sanitizer report, no unbounded time or memory. A
// model that loads is stepped a few times from its reference pose (non-finite results are a status,
// not a failure). Built and run by scripts/fuzz.sh with the committed robots as the seed corpus:
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined sim/tests/fuzz_mjcf.cpp sim/src/*.cpp ...
#include <cstddef>
#include <cstdint>
#include <string>

#include "energysim.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string xml(reinterpret_cast<const char*>(data), size);   // NUL-terminated copy
    simModel* model = nullptr;
    char message[512];
    if (sim_loadModelString(xml.c_str(), "fuzz.xml", &model, message, sizeof message) != SIM_OK) return 0;
    simState* state = nullptr;
    if (sim_makeState(model, &state) == SIM_OK) {
        for (int i = 0; i < 5; ++i) {
            if (sim_step(model, state) != SIM_OK) break;
        }
        sim_deleteState(state);
    }
    sim_deleteModel(model);
    return 0;
}
