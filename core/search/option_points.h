// Quantization and distillation as further options of a search (issue 9): configurations the
// search found, turned into int8 or re-fine-tuned with the model as teacher, evaluated on val and
// timed like every configuration, so that each shows on the Pareto front as a point of its own.
#pragma once

#include "search/axformer_search.h"
#include "train/fine_tuner.h"

#include <vector>

namespace ax {

class RelativeLatency;  // bench/latency.h

// The baseline and the final configuration of each search, sliced and with int8 encoder
// projections. Each record keeps the configuration it quantizes (applied, parameters, FLOPs) with
// the int8 model's val loss, metric and latency (timed by `latency`, bench/latency.h; none without).
SearchResult int8Configurations(BertModelImpl& model, const TaskEvaluator& val, const std::vector<const SearchResult*>& searches,
                                const RelativeLatency* latency, SearchObserver* observer, const CancelToken* cancel);

// The baseline and the final configuration of each search, sliced, with every weight in bfloat16:
// LibTorch then runs the matrix products through oneDNN, which uses AVX-512 BF16 or AMX tiles
// where the CPU has them. The losses are still computed in fp32 (TaskEvaluator).
SearchResult bf16Configurations(BertModelImpl& model, const TaskEvaluator& val, const std::vector<const SearchResult*>& searches,
                                const RelativeLatency* latency, SearchObserver* observer, const CancelToken* cancel);

// The final configuration of each search that changed something, sliced and fine-tuned again on
// `train` for settings.epochs with `model` as the teacher (settings.distillation's temperature and
// weights). Val picks no epoch (the last one is kept), so its loss and metric stay a fair measure.
// The training is seeded: the same inputs give the same points.
SearchResult distilledConfigurations(BertModelImpl& model, const std::vector<Feature>& train, const TaskEvaluator& val,
                                     const std::vector<const SearchResult*>& searches, FineTuneSettings settings,
                                     const RelativeLatency* latency, SearchObserver* observer, const CancelToken* cancel);

}  // namespace ax
