#include "search/axformer_search.h"

#include "common/error.h"
#include "model/bert_model.h"
#include "search/layer_cache.h"
#include "train/fine_tuner.h"

#include <cmath>
#include <optional>
#include <sstream>

namespace ax {

using nlohmann::json;

namespace {

class Search {
public:
    Search(BertModelImpl& model, const TaskEvaluator& val, const Plan& header, const SearchSettings& settings,
           const CostFunction& costs, SearchJournal* journal, SearchObserver* observer, const CancelToken* cancel)
        : m_model(model), m_val(val), m_settings(settings), m_costs(costs), m_journal(journal), m_observer(observer),
          m_cancel(cancel)
    {
        if (settings.layerCache) m_cache.emplace(model, val, settings.layerCacheMemory);
        const BertConfig& config = model.config();
        m_groups = settings.ffnGroups > 0 ? settings.ffnGroups : config.numHeads;
        m_result.plan = header;
        m_result.plan.topK = settings.topK;
        m_result.plan.tolerance = settings.tolerance;
        m_result.plan.ffnGroups = m_groups;
        m_result.plan.metric = val.task().primaryMetric;
        m_result.plan.valSize = val.size();
        m_current = Approximation::none(config.numLayers);
        for (const LayerShape& layer : config.layers)
            if (m_groups > std::max(1, layer.intermediateSize) && layer.hasFfn)
                throw Error("cannot split an FFN of " + std::to_string(layer.intermediateSize) + " neurons into " +
                            std::to_string(m_groups) + " groups");
        m_plannedCandidates = countCandidates();
    }

    SearchResult run()
    {
        const ProgressClock clock;
        m_clock = &clock;
        baseline();
        const int layers = static_cast<int>(m_model.layerCount());
        const BertConfig& config = m_model.config();
        if (m_settings.hardAttention)
            for (int l = 0; l < layers; ++l)
                if (config.layers[size_t(l)].hasAttention && config.layers[size_t(l)].heads() > 0)
                    decide({ElementKind::HardAttention, l, -1});
        for (int l = layers - 1; l >= 0; --l) {
            const LayerShape& shape = config.layers[size_t(l)];
            if (shape.hasFfn) pruneBlockThenParts(l, ElementKind::FfnBlock, ElementKind::FfnGroup, m_settings.ffnBlocks,
                                                  m_settings.ffnGroupsAllowed, m_groups);
            if (shape.hasAttention)
                pruneBlockThenParts(l, ElementKind::AttentionBlock, ElementKind::Head, m_settings.attentionBlocks,
                                    m_settings.heads, shape.heads());
        }
        m_result.approximation = m_current;
        m_result.seconds = clock.seconds();
        const size_t evaluated = m_result.candidates.size() - m_result.replayedCandidates;
        if (m_cache) m_result.work = m_cache->work();
        m_result.work.naivePasses = int64_t(evaluated) * layers * int64_t(m_val.ownedBatchCount());
        if (!m_cache) m_result.work.passes = double(m_result.work.naivePasses);
        return std::move(m_result);
    }

private:
    void baseline()
    {
        m_result.baselineVal = evaluate(m_current, 0);
        m_referenceLosses = m_result.baselineVal.featureLosses;
        m_minLoss = m_result.baselineVal.meanLoss;
        m_majority = static_cast<int64_t>(std::floor(0.5 * double(m_referenceLosses.size())));
        CandidateRecord record;
        record.valLoss = m_minLoss;
        record.valMetric = primaryMetric(m_val.task(), m_result.baselineVal.metrics);
        record.agreeCount = int64_t(m_referenceLosses.size());
        record.accepted = true;
        std::tie(record.parameters, record.flops) = m_costs(m_current);
        m_result.candidates.push_back(record);
        if (m_observer) m_observer->onCandidate(record);
    }

    // Removal of a whole block first; if rejected but close, each of its parts in turn.
    void pruneBlockThenParts(int layer, ElementKind block, ElementKind part, bool blocksAllowed, bool partsAllowed, int parts)
    {
        double blockLoss = 0;
        bool blockApplied = false;
        if (blocksAllowed) std::tie(blockApplied, blockLoss) = decide({block, layer, -1});
        const bool close = !blocksAllowed || blockLoss < m_settings.groupSlack * m_minLoss;
        if (blockApplied || !partsAllowed || !close) return;
        for (int index = 0; index < parts; ++index) decide({part, layer, index});
    }

    // Evaluates the current configuration plus `element` (or replays it from the journal), applies
    // the acceptance test or the user's override, and records everything. Returns (applied, loss).
    std::pair<bool, double> decide(const Element& element)
    {
        Approximation candidate = m_current;
        applyElement(candidate, element, m_model.config(), m_settings.topK, m_groups, "search");
        const size_t sequence = m_result.candidates.size() - 1;  // journal entries exclude the baseline
        JournalEntry entry;
        entry.element = element;
        if (const auto recorded = m_journal ? m_journal->recorded(sequence, element) : std::nullopt) {
            entry = *recorded;
            ++m_result.replayedCandidates;
        } else {
            const EvaluationResult result = evaluate(candidate, size_t(element.layer));
            entry.loss = result.meanLoss;
            entry.metric = primaryMetric(m_val.task(), result.metrics);
            entry.agreeCount = 0;
            for (size_t i = 0; i < m_referenceLosses.size(); ++i)
                entry.agreeCount += result.featureLosses[i] <= m_referenceLosses[i] * (1.0 + m_settings.tolerance) ? 1 : 0;
            if (!std::isfinite(entry.metric)) entry.metric = 0;
            if (m_journal) m_journal->append(entry);
        }

        const auto forced = m_settings.overrides.find(element);
        const bool passes = entry.loss < m_minLoss * (1.0 + m_settings.tolerance) && entry.agreeCount > m_majority;
        const bool applied = forced != m_settings.overrides.end() ? forced->second : passes;
        if (applied) {
            m_current = candidate;
            m_minLoss = entry.loss;
            m_applied.push_back(element);
        }

        Decision decision{element, forced != m_settings.overrides.end() ? "user" : "search", applied, entry.loss,
                          entry.agreeCount, entry.metric};
        m_result.plan.decisions.push_back(decision);
        CandidateRecord record;
        record.sequence = m_result.candidates.size();
        record.element = element;
        record.accepted = applied;
        record.forced = forced != m_settings.overrides.end();
        record.valLoss = entry.loss;
        record.valMetric = entry.metric;
        record.agreeCount = entry.agreeCount;
        std::tie(record.parameters, record.flops) = m_costs(candidate);
        record.applied = m_applied;
        if (!applied) record.applied.push_back(element);
        m_result.candidates.push_back(record);
        if (m_observer) {
            m_observer->onCandidate(record);
            m_observer->onDecision(decision);
            std::ostringstream detail;
            detail << element.describe() << (applied ? " applied" : " rejected") << ", loss " << entry.loss;
            m_observer->onProgress(m_clock->at("search", int64_t(sequence + 1), std::max(m_plannedCandidates, int64_t(sequence + 1)),
                                               detail.str()));
        }
        return {applied, entry.loss};
    }

    // `candidate` on val: m_current with a change at `layer` (none for the baseline).
    EvaluationResult evaluate(const Approximation& candidate, size_t layer)
    {
        if (!m_cache) return m_val.evaluate(m_model, &candidate, m_cancel);
        m_cache->moveTo(layer, m_current, m_cancel);
        return m_cache->evaluate(candidate, m_cancel, nullptr);
    }

    // An upper bound for the ETA: every block, and every part as if each block were close.
    int64_t countCandidates() const
    {
        int64_t count = 0;
        for (const LayerShape& layer : m_model.config().layers) {
            if (m_settings.hardAttention && layer.hasAttention) ++count;
            if (layer.hasFfn) count += (m_settings.ffnBlocks ? 1 : 0) + (m_settings.ffnGroupsAllowed ? m_groups : 0);
            if (layer.hasAttention) count += (m_settings.attentionBlocks ? 1 : 0) + (m_settings.heads ? layer.heads() : 0);
        }
        return count;
    }

    BertModelImpl& m_model;
    const TaskEvaluator& m_val;
    SearchSettings m_settings;
    CostFunction m_costs;
    SearchJournal* m_journal;
    SearchObserver* m_observer;
    const CancelToken* m_cancel;
    std::optional<LayerCache> m_cache;  // none when settings.layerCache is off
    const ProgressClock* m_clock = nullptr;
    int m_groups = 0;
    int64_t m_plannedCandidates = 0;
    SearchResult m_result;
    Approximation m_current;
    std::vector<Element> m_applied;
    std::vector<double> m_referenceLosses;
    double m_minLoss = 0;
    int64_t m_majority = 0;
};

}  // namespace

json searchIdentity(const Plan& header, const SearchSettings& settings)
{
    json overrides = json::array();
    for (const auto& [element, applied] : settings.overrides)
        overrides.push_back({kindName(element.kind), element.layer, element.index, applied});
    json identity = {{"model_hash", header.modelHash},
                     {"task", header.task},
                     {"val_seed", header.valSeed},
                     {"val_fraction", header.valFraction},
                     {"top_k", settings.topK},
                     {"ffn_groups", settings.ffnGroups},
                     {"slack", settings.groupSlack},
                     {"tolerance", settings.tolerance},
                     {"kinds", {settings.hardAttention, settings.ffnBlocks, settings.ffnGroupsAllowed, settings.attentionBlocks,
                                settings.heads}},
                     {"overrides", overrides}};
    // Only custom tasks add their settings, so that journals of the built-in tasks still resume.
    if (!header.taskSettings.is_null()) identity["task_settings"] = header.taskSettings;
    return identity;
}

SearchResult runSearch(BertModelImpl& model, const TaskEvaluator& val, const Plan& header, const SearchSettings& settings,
                       const CostFunction& costs, SearchJournal* journal, SearchObserver* observer, const CancelToken* cancel)
{
    if (settings.topK < 1) throw Error("top-k must be at least 1");
    Search search(model, val, header, settings, costs, journal, observer, cancel);
    return search.run();
}

const CandidateRecord& lastAccepted(const SearchResult& result)
{
    for (auto it = result.candidates.rbegin(); it != result.candidates.rend(); ++it)
        if (it->accepted) return *it;
    return result.candidates.front();
}

}  // namespace ax
