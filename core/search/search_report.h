// The search's outputs for people and tools: pareto.json and the Markdown report.
#pragma once

#include "search/axformer_search.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ax {

// A search variant's result and its name (SearchVariant), for the run's outputs.
struct NamedSearch {
    std::string name;
    const SearchResult* result = nullptr;
};

// Every evaluated configuration of the search and its variants with its val metric, loss,
// parameters, FLOPs and latency, and whether it is on the Pareto front they make together
// (metric up, parameters down, latency (or FLOPs) down). A variant's points carry its name.
nlohmann::json paretoJson(const SearchResult& result, const std::vector<NamedSearch>& variants = {});

// The decision table and the before/after measurements (plan.baseline / plan.approximated), a
// line for each variant's final configuration, and a table for each kind of points made from the
// search's configurations (search/option_points.h), named "int8", "bf16" or "distilled".
std::string searchReportMarkdown(const SearchResult& result, const std::vector<NamedSearch>& variants = {},
                                 const std::vector<NamedSearch>& optionPoints = {});

}  // namespace ax
