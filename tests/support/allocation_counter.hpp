#pragma once
// Counts every heap allocation of the program that includes it (once, in one
// translation unit): malloc, calloc, realloc, posix_memalign, aligned_alloc
// and operator new are replaced by counting wrappers around glibc's own.
// They are noexcept, as glibc declares them. <mm_malloc.h>, which the SIMD
// headers bring, redeclares posix_memalign: g++'s with throw(), clang++'s
// without; included first, both agree with the definition below.
#include <cstddef>
#include <cstdlib>
#if __has_include(<mm_malloc.h>)
#include <mm_malloc.h>
#endif
#include <new>

namespace allocation_counter {
inline std::size_t count = 0;
}

extern "C" void* __libc_malloc(std::size_t);
extern "C" void* __libc_calloc(std::size_t, std::size_t);
extern "C" void* __libc_realloc(void*, std::size_t);
extern "C" void* __libc_memalign(std::size_t, std::size_t);
extern "C" void* malloc(std::size_t n) noexcept {
  ++allocation_counter::count;
  return __libc_malloc(n);
}
extern "C" void* calloc(std::size_t n, std::size_t size) noexcept {
  ++allocation_counter::count;
  return __libc_calloc(n, size);
}
extern "C" void* realloc(void* p, std::size_t n) noexcept {
  ++allocation_counter::count;
  return __libc_realloc(p, n);
}
extern "C" int posix_memalign(void** out, std::size_t alignment, std::size_t n) noexcept {
  ++allocation_counter::count;
  *out = __libc_memalign(alignment, n);
  return *out ? 0 : 12;  // ENOMEM
}
extern "C" void* aligned_alloc(std::size_t alignment, std::size_t n) noexcept {
  ++allocation_counter::count;
  return __libc_memalign(alignment, n);
}
void* operator new(std::size_t n) {
  ++allocation_counter::count;
  if (void* p = __libc_malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
