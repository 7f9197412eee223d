#pragma once
// Every peer runs on one thread. libtorch's products go to the system BLAS,
// and OpenBLAS (when installed) starts one thread per core as it loads,
// before main; oneDNN runs on OpenMP, whose pool is sized as it loads too.
// So a benchmark with these peers re-runs itself with one thread each.
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace bench {

inline void rerun_with_one_thread(char** argv) {
  bool rerun = false;
  for (const char* name : {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}) {
    if (const char* threads = std::getenv(name); !threads || std::string(threads) != "1") {
      setenv(name, "1", 1);
      rerun = true;
    }
  }
  if (rerun) execv("/proc/self/exe", argv);
}

}  // namespace bench
