#pragma once
// Type tests for the metaprograms that run once per node or per pair of
// nodes. They are concepts over the compilers' builtins, not variable
// templates: a variable template instantiates a variable, and the compiler
// mangles each one's name, which for a node type spells its whole subgraph
// (std::is_same_v over the node list made megabytes of names per model).
namespace typegrad {

template <class A, class B>
concept same_type = __is_same(A, B);

template <class T>
concept empty_type = __is_empty(T);

}  // namespace typegrad
