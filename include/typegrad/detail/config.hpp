#pragma once
// TYPEGRAD_ALWAYS_INLINE marks the evaluation chain and every op kernel.
// [[gnu::flatten]] on a gradient program inlines all of it on GCC, but Clang's
// flatten only inlines the function's own call sites, not the calls inside
// what it inlined; marking the chain makes both compilers produce one
// straight-line function. Each kernel is inlined once per node that uses it.
//
// Defining TYPEGRAD_PROFILE_KERNELS turns both off and keeps every kernel a
// function of its own, so that a profiler can tell them apart.
// TYPEGRAD_ALWAYS_INLINE_LAMBDA does the same for a kernel's loop bodies
// (lambdas, after their parameter list), which Clang would otherwise keep as
// calls once a body is expanded several times (kernels::for_each_index).
#if defined(TYPEGRAD_PROFILE_KERNELS)
#define TYPEGRAD_ALWAYS_INLINE [[gnu::noinline]]
#define TYPEGRAD_ALWAYS_INLINE_LAMBDA
#define TYPEGRAD_FLATTEN
#else
#define TYPEGRAD_ALWAYS_INLINE [[gnu::always_inline]]
#define TYPEGRAD_ALWAYS_INLINE_LAMBDA __attribute__((always_inline))
#define TYPEGRAD_FLATTEN [[gnu::flatten]]
#endif

// The most stack, in bytes, that eval(e, env) and program(env) may use for
// their intermediates and result. A larger run is a compile error that says
// to pass a workspace (eval(e, env, ws), program(env, ws)) instead: a
// segfault from a stack overflow says nothing. Define it before including
// typegrad to change it.
#ifndef TYPEGRAD_STACK_WORKSPACE_LIMIT
#define TYPEGRAD_STACK_WORKSPACE_LIMIT (512u * 1024u)
#endif
