// The model keeps one set of weight names, Hugging Face's BERT names ("bert.encoder.layer.0.
// attention.self.query.weight"), whatever family the checkpoint on disk belongs to: slicing, the
// search, training state and the int8 scales all speak them. These functions translate at the
// folder's edge, when a checkpoint is read and when one is written.
#pragma once

#include <string>

namespace ax {

// The name `canonical` (a BERT name) has in a checkpoint of `modelType` ("bert", "distilbert" or
// "electra").
std::string checkpointWeightName(const std::string& canonical, const std::string& modelType);

// The BERT name of a tensor stored as `stored` in a checkpoint of `modelType`. Also accepts the
// spellings Hugging Face still reads: bare base models without the "bert."/"distilbert." prefix,
// and old checkpoints' LayerNorm gamma/beta. A name with no counterpart is returned unchanged.
std::string canonicalWeightName(const std::string& stored, const std::string& modelType);

}  // namespace ax
