// check.hpp — the C++ test programs' check macro: counts checks and failures and prints each failure
// with its file, line, condition and a printf-style message.
#pragma once
#include <cstdio>

static int failures = 0, checks = 0;
#define CHECK(cond, ...)                                            \
  do {                                                              \
    ++checks;                                                       \
    if (!(cond)) {                                                  \
      ++failures;                                                   \
      std::printf("FAILED %s:%d: %s  ", __FILE__, __LINE__, #cond); \
      std::printf(__VA_ARGS__);                                     \
      std::printf("\n");                                            \
    }                                                               \
  } while (0)
