#pragma once
// Every peer runs on one thread. libtorch's products go to the system BLAS,
// and OpenBLAS (when installed) starts one thread per core as it loads,
// before main: so a benchmark with the libtorch peer re-runs itself with one.
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace bench {

inline void rerun_with_one_blas_thread(char** argv) {
  if (const char* threads = std::getenv("OPENBLAS_NUM_THREADS"); !threads || std::string(threads) != "1") {
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    execv("/proc/self/exe", argv);
  }
}

}  // namespace bench
