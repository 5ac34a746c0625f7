// The search's outputs for people and tools: pareto.json and the Markdown report.
#pragma once

#include "search/axformer_search.h"

#include <nlohmann/json.hpp>

namespace ax {

// Every evaluated configuration with its val metric, loss, parameters and FLOPs, and whether it is
// on the Pareto front (metric up, parameters down, FLOPs down).
nlohmann::json paretoJson(const SearchResult& result);

// The decision table and the before/after measurements (plan.baseline / plan.approximated).
std::string searchReportMarkdown(const SearchResult& result);

}  // namespace ax
