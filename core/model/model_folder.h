// Loading and saving a model folder in Hugging Face layout: config.json, model.safetensors (or
// shards with model.safetensors.index.json), and the tokenizer files beside them.
#pragma once

#include "model/bert_model.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ax {

class Vocab;

struct LoadedModel {
    BertModel model{nullptr};
    std::filesystem::path folder;
    std::vector<std::string> ignoredTensors;  // in the checkpoint but not used (e.g. an NSP head)
    uint64_t bytesOnDisk = 0;                  // weight files only
};

// Reads config.json and the weights; every weight must be present, finite and shaped as the
// config says. Errors name the folder or file and the tensor.
LoadedModel loadModelFolder(const std::filesystem::path& folder);

// Checks, before any long work, that what a tokenizer and a maximum sequence length produce fits
// the loaded model: every id of `vocab` below vocab_size, and `maxSeqLength` tokens within
// max_position_embeddings. Without it a rare token or the first long batch would index past the
// embeddings in the middle of a run. Errors name config.json or vocab.txt and the numbers.
void checkInputsFit(const LoadedModel& loaded, const Vocab& vocab, int maxSeqLength);

// Writes config.json and model.safetensors, and copies the tokenizer files (vocab.txt,
// tokenizer_config.json, special_tokens_map.json) from `tokenizerSource` when given. The folder
// appears whole or not at all: it is written beside the target and swapped into place in one step,
// so a process killed at any moment leaves the old folder or the new one, never a mix; what a
// killed save left beside it is removed by the next save.
void saveModelFolder(BertModelImpl& model, const std::filesystem::path& folder,
                     const std::filesystem::path& tokenizerSource = {});

// The tokenizer files a model folder may carry, in the order they are copied.
const std::vector<std::string>& tokenizerFileNames();

}  // namespace ax
