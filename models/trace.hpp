// The model's tracepoints. Stages call t.step(function, origin, detail_fn); the detail is a
// lambda so that NullTracer (bulk runs) never formats anything (STYLE.md rule 14).
#pragma once
#include <concepts>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "models/origin.hpp"

namespace kpath::kernel {

// What kind of line a step is; renderers use it for emphasis, tests for filtering.
enum class StepKind : uint8_t { Info, Match, NoMatch, Verdict, Drop };

struct Step {
  std::string function;  // a real kernel symbol (ip_rcv_core, fib_rules_lookup, ...)
  std::string detail;
  Origin origin;         // config object that decided this step, if any
  StepKind kind = StepKind::Info;
  int depth = 0;         // nesting (chain jumps, rule walks) for indentation
};

template <typename T>
concept Tracer = requires(T t) {
  { T::enabled } -> std::convertible_to<bool>;
};

struct NullTracer {
  static constexpr bool enabled = false;
  template <typename F> void step(std::string_view, Origin, F&&, StepKind = StepKind::Info) {}
  void push() {}
  void pop() {}
};

struct RecordingTracer {
  static constexpr bool enabled = true;
  std::vector<Step> steps;
  int depth = 0;
  template <typename F> void step(std::string_view fn, Origin o, F&& detail, StepKind k = StepKind::Info) {
    steps.push_back(Step{std::string(fn), std::string(detail()), o, k, depth});
  }
  void push() { ++depth; }
  void pop() { --depth; }
};

}  // namespace kpath::kernel
