#include "search/search_report.h"

#include "search/pareto.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace ax {

using nlohmann::json;

json paretoJson(const SearchResult& result, const std::vector<NamedSearch>& variants)
{
    struct Source {
        std::string variant;  // "" for the main search
        const CandidateRecord* candidate;
    };
    std::vector<Source> all;
    for (const CandidateRecord& c : result.candidates) all.push_back({"", &c});
    for (const NamedSearch& variant : variants)
        for (const CandidateRecord& c : variant.result->candidates) all.push_back({variant.name, &c});
    // Cost is measured latency when every configuration has it, else FLOPs.
    const bool latency = std::all_of(all.begin(), all.end(), [](const Source& s) { return s.candidate->latencyMs.has_value(); });
    std::vector<ParetoPoint> points;
    for (const Source& s : all)
        points.push_back({s.candidate->valMetric, s.candidate->parameters, latency ? *s.candidate->latencyMs : double(s.candidate->flops)});
    const std::vector<bool> front = paretoFront(points);
    json list = json::array();
    for (size_t i = 0; i < all.size(); ++i) {
        const CandidateRecord& c = *all[i].candidate;
        json applied = json::array();
        for (const Element& e : c.applied) applied.push_back({{"kind", kindName(e.kind)}, {"layer", e.layer}, {"index", e.index}});
        json point = {{"sequence", c.sequence},
                      {"candidate", c.element ? c.element->describe() : "baseline"},
                      {"accepted", c.accepted},
                      {"forced", c.forced},
                      {"val_loss", c.valLoss},
                      {"val_metric", c.valMetric},
                      {"agree_count", c.agreeCount},
                      {"params", c.parameters},
                      {"flops", c.flops},
                      {"latency_ms", c.latencyMs ? json(*c.latencyMs) : json(nullptr)},
                      {"on_front", bool(front[i])},
                      {"configuration", applied}};
        if (!all[i].variant.empty()) point["variant"] = all[i].variant;
        list.push_back(std::move(point));
    }
    return {{"metric", result.plan.metric}, {"axes", {"val_metric (max)", "params (min)", latency ? "latency_ms (min)" : "flops (min)"}}, {"points", list}};
}

std::string searchReportMarkdown(const SearchResult& result, const std::vector<NamedSearch>& variants,
                                 const std::vector<NamedSearch>& optionPoints)
{
    const Plan& plan = result.plan;
    std::ostringstream md;
    md << std::fixed;
    md << "# AxFormer search report\n\n"
       << "- model: `" << plan.modelPath << "` (weights " << plan.modelHash << ")\n"
       << "- task: " << plan.task << (plan.taskSettings.is_null() ? "" : " `" + plan.taskSettings.dump() + "`") << ", decisions on a val split of " << plan.valSize << " examples carved from train "
       << "(fraction " << std::setprecision(2) << plan.valFraction << ", seed " << plan.valSeed << "); dev used only for this report\n"
       << "- hard attention top-k " << plan.topK << ", " << plan.ffnGroups << " FFN groups per layer, acceptance tolerance "
       << std::setprecision(3) << plan.tolerance << (plan.tolerance == 0 ? " (the method exactly)" : "") << "\n"
       << "- " << result.candidates.size() - 1 << " candidates in " << std::setprecision(1) << result.seconds << " s"
       << (result.replayedCandidates > 0 ? " (" + std::to_string(result.replayedCandidates) + " of them from the journal of an earlier run)" : "")
       << "; incremental evaluation ran the work of " << result.work.passes
       << " (batch, layer) passes where full passes would need " << result.work.naivePasses;
    if (result.work.naivePasses > 0) md << " (" << std::setprecision(0) << 100.0 * result.work.savedShare() << "% saved)";
    md << "\n\n";

    if (plan.baseline && plan.approximated) {
        const Measurement& b = *plan.baseline;
        const Measurement& a = *plan.approximated;
        auto optional = [](const std::optional<double>& value, int digits) {
            std::ostringstream text;
            if (value) text << std::fixed << std::setprecision(digits) << *value;
            else text << "n/a";
            return text.str();
        };
        md << "## Before and after\n\n| | baseline | approximated | change |\n|---|---|---|---|\n";
        md << std::setprecision(4) << "| val loss | " << b.valLoss << " | " << a.valLoss << " | " << a.valLoss - b.valLoss << " |\n";
        md << "| val " << plan.metric << " | " << b.valMetric << " | " << a.valMetric << " | " << a.valMetric - b.valMetric << " |\n";
        md << "| dev " << plan.metric << " | " << optional(b.devMetric, 4) << " | " << optional(a.devMetric, 4) << " | "
           << (b.devMetric && a.devMetric ? optional(*a.devMetric - *b.devMetric, 4) : "n/a") << " |\n";
        md << "| parameters | " << b.parameters << " | " << a.parameters << " | " << std::setprecision(2)
           << double(b.parameters) / double(std::max<int64_t>(1, a.parameters)) << "x smaller |\n";
        md << "| GFLOPs (batch 1, seq 128) | " << std::setprecision(3) << b.flops / 1e9 << " | " << a.flops / 1e9 << " | "
           << std::setprecision(2) << double(b.flops) / double(std::max<int64_t>(1, a.flops)) << "x fewer |\n";
        const bool slower = b.latencyMs && a.latencyMs && *a.latencyMs > *b.latencyMs;
        md << "| latency ms (batch 1, seq 128, median) | " << optional(b.latencyMs, 2) << " | " << optional(a.latencyMs, 2) << " | "
           << (!b.latencyMs || !a.latencyMs ? "n/a"
               : slower                    ? optional(*a.latencyMs / *b.latencyMs, 2) + "x slower"
                                           : optional(*b.latencyMs / *a.latencyMs, 2) + "x faster")
           << " |\n\n";
        const bool hardAttention = std::any_of(plan.decisions.begin(), plan.decisions.end(), [](const Decision& decision) {
            return decision.applied && decision.element.kind == ElementKind::HardAttention;
        });
        if (slower && hardAttention)
            md << "The approximated model runs slower: on a CPU, hard attention's top-k costs more time than it saves "
                  "(docs/BENCHMARKS.md, \"Top-k attention, four ways\"). A search with `--no-hard-attention`, or the plan "
                  "with its hard-attention decisions overridden, keeps the speed of the pruning alone.\n\n";
    }

    if (!variants.empty()) {
        md << "## Variants\n\nFurther searches in this run; their configurations are on the Pareto front with the main "
              "search's (pareto.json). plan.json is the main search's, plan-variant-N.json the N-th variant's. Each line is "
              "the search's final configuration on val; latency from the timing of every configuration.\n\n"
           << "| variant | candidates | applied | val loss | val " << plan.metric << " | parameters | GFLOPs | latency ms |\n"
           << "|---|---|---|---|---|---|---|---|\n";
        const auto line = [&md](const std::string& name, const SearchResult& search) {
            const CandidateRecord& last = lastAccepted(search);
            md << "| " << name << " | " << search.candidates.size() - 1 << " | " << last.applied.size() << " | " << std::setprecision(4)
               << last.valLoss << " | " << last.valMetric << " | " << last.parameters << " | " << std::setprecision(3)
               << last.flops / 1e9 << " | ";
            if (last.latencyMs) md << std::setprecision(2) << *last.latencyMs;
            else md << "n/a";
            md << " |\n";
        };
        line("main (this plan)", result);
        for (const NamedSearch& variant : variants) line(variant.name, *variant.result);
        md << "\n";
    }

    // A table of points made from the search's configurations (int8, bf16, distilled).
    const auto optionTable = [&](const SearchResult& points, const std::string& title, const std::string& what, const std::string& suffix) {
        md << "## " << title << "\n\n" << what << "\n\n"
           << "| configuration | applied | val loss | val " << plan.metric << " | parameters | latency ms |\n|---|---|---|---|---|---|\n";
        for (const CandidateRecord& c : points.candidates) {
            md << "| " << (c.applied.empty() ? std::string("baseline") : "after " + (c.element ? c.element->describe() : std::string("?")))
               << " + " << suffix << " | " << c.applied.size() << " | " << std::setprecision(4) << c.valLoss << " | " << c.valMetric
               << " | " << c.parameters << " | ";
            if (c.latencyMs) md << std::setprecision(2) << *c.latencyMs;
            else md << "n/a";
            md << " |\n";
        }
        md << "\n";
    };
    for (const NamedSearch& points : optionPoints) {
        if (points.name == "int8")
            optionTable(*points.result, "Int8",
                        "The baseline and each search's final configuration with every encoder projection in int8 (weights per "
                        "row, activations per call: `axformer apply --quantize int8`), on val; they are pareto.json's points of "
                        "variant \"int8\".",
                        "int8");
        else if (points.name == "bf16")
            optionTable(*points.result, "Bf16",
                        "The baseline and each search's final configuration with every weight in bfloat16 (LibTorch runs the "
                        "matrix products through oneDNN, on AVX-512 BF16 or AMX where the CPU has them), on val; they are "
                        "pareto.json's points of variant \"bf16\".",
                        "bf16");
        else
            optionTable(*points.result, "Distilled",
                        "Each search's final configuration, sliced and fine-tuned again on train with the searched model as "
                        "teacher (`axformer finetune --teacher`), on val (which chose no epoch); they are pareto.json's points "
                        "of variant \"distilled\".",
                        "distillation");
    }

    md << "## Decisions (in the order taken)\n\n| # | element | source | state | val loss | Δ loss | examples not worse | val "
       << plan.metric << " |\n|---|---|---|---|---|---|---|---|\n";
    const double baseLoss = result.candidates.empty() ? 0 : result.candidates.front().valLoss;
    for (size_t i = 0; i < plan.decisions.size(); ++i) {
        const Decision& d = plan.decisions[i];
        md << "| " << i + 1 << " | " << d.element.describe() << " | " << d.source << " | " << (d.applied ? "**applied**" : "rejected")
           << " | " << std::setprecision(4) << d.loss << " | " << std::showpos << d.loss - baseLoss << std::noshowpos << " | "
           << d.agreeCount << " / " << plan.valSize << " | " << d.metric << " |\n";
    }
    return md.str();
}

}  // namespace ax
