// Stage functions are templates on the Tracer (STYLE.md rule 14). They are defined in .cpp
// files and instantiated here for the two tracers kpath uses.
#pragma once
#include "models/trace.hpp"
#define KPATH_INSTANTIATE_TRACERS(MACRO) \
  MACRO(::kpath::kernel::NullTracer)     \
  MACRO(::kpath::kernel::RecordingTracer)
