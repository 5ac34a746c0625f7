#include "search/option_points.h"

#include "bench/latency.h"
#include "model/slicing.h"

#include <torch/torch.h>

#include <algorithm>
#include <functional>

namespace ax {

namespace {

// The baseline (when asked) and each search's final configuration, each distinct one once.
std::vector<const CandidateRecord*> endConfigurations(const std::vector<const SearchResult*>& searches, bool withBaseline)
{
    std::vector<const CandidateRecord*> configurations;
    std::vector<std::vector<Element>> seen;
    for (const SearchResult* search : searches)
        for (const CandidateRecord* candidate : {&search->candidates.front(), &lastAccepted(*search)}) {
            if (candidate->applied.empty() && !withBaseline) continue;
            std::vector<Element> key = candidate->applied;
            std::sort(key.begin(), key.end());
            if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
            seen.push_back(std::move(key));
            configurations.push_back(candidate);
        }
    return configurations;
}

BertModel slicedConfiguration(BertModelImpl& model, const CandidateRecord& configuration, const Plan& plan, const char* purpose)
{
    Approximation approximation = Approximation::none(model.config().numLayers);
    for (const Element& element : configuration.applied)
        applyElement(approximation, element, model.config(), plan.topK, plan.ffnGroups, purpose);
    return sliceModel(model, approximation);
}

// `configuration` as a point of its own: its elements, parameters and FLOPs, with `variant`'s val
// loss, metric and latency.
CandidateRecord pointFor(const CandidateRecord& configuration, BertModelImpl& variant, const TaskEvaluator& val, size_t sequence,
                         const RelativeLatency* latency, const CancelToken* cancel)
{
    const EvaluationResult evaluated = val.evaluate(variant, nullptr, cancel);
    CandidateRecord record = configuration;
    record.sequence = sequence;
    record.accepted = false;
    record.valLoss = evaluated.meanLoss;
    record.valMetric = primaryMetric(val.task(), evaluated.metrics);
    record.latencyMs = std::nullopt;
    if (latency) record.latencyMs = latency->of(variant);
    return record;
}

}  // namespace

namespace {

// The baseline and each search's final configuration, sliced and changed by `convert` (another
// precision), each as a point of its own.
SearchResult convertedConfigurations(BertModelImpl& model, const TaskEvaluator& val, const std::vector<const SearchResult*>& searches,
                                     const RelativeLatency* latency, const char* precision, const std::function<void(BertModelImpl&)>& convert,
                                     SearchObserver* observer, const CancelToken* cancel)
{
    SearchResult points;
    points.plan = searches.front()->plan;
    const std::vector<const CandidateRecord*> configurations = endConfigurations(searches, true);
    const ProgressClock clock;
    for (size_t i = 0; i < configurations.size(); ++i) {
        throwIfCancelled(cancel);
        BertModel converted = slicedConfiguration(model, *configurations[i], points.plan, precision);
        convert(*converted);
        points.candidates.push_back(pointFor(*configurations[i], *converted, val, points.candidates.size(), latency, cancel));
        if (observer)
            observer->onProgress(clock.at(std::string(precision) + " configurations", int64_t(i + 1), int64_t(configurations.size())));
    }
    return points;
}

}  // namespace

SearchResult int8Configurations(BertModelImpl& model, const TaskEvaluator& val, const std::vector<const SearchResult*>& searches,
                                const RelativeLatency* latency, SearchObserver* observer, const CancelToken* cancel)
{
    return convertedConfigurations(model, val, searches, latency, "int8", [](BertModelImpl& m) { m.quantizeInt8(); }, observer,
                                   cancel);
}

SearchResult bf16Configurations(BertModelImpl& model, const TaskEvaluator& val, const std::vector<const SearchResult*>& searches,
                                const RelativeLatency* latency, SearchObserver* observer, const CancelToken* cancel)
{
    return convertedConfigurations(model, val, searches, latency, "bf16", [](BertModelImpl& m) { m.convertToBf16(); },
                                   observer, cancel);
}

SearchResult distilledConfigurations(BertModelImpl& model, const std::vector<Feature>& train, const TaskEvaluator& val,
                                     const std::vector<const SearchResult*>& searches, FineTuneSettings settings,
                                     const RelativeLatency* latency, SearchObserver* observer, const CancelToken* cancel)
{
    SearchResult points;
    points.plan = searches.front()->plan;
    settings.distillation.teacher = &model;
    const std::vector<const CandidateRecord*> configurations = endConfigurations(searches, false);
    for (size_t i = 0; i < configurations.size(); ++i) {
        throwIfCancelled(cancel);
        if (observer)
            observer->onMessage("distilling configuration " + std::to_string(i + 1) + " of " + std::to_string(configurations.size()) +
                                " (" + std::to_string(configurations[i]->applied.size()) + " applied) from the model, " +
                                std::to_string(settings.epochs) + " epochs");
        BertModel student = slicedConfiguration(model, *configurations[i], points.plan, "distillation");
        fineTune(*student, val.task(), train, nullptr, settings, observer, cancel);
        points.candidates.push_back(pointFor(*configurations[i], *student, val, points.candidates.size(), latency, cancel));
    }
    return points;
}

}  // namespace ax
