// A small SST-2-layout task made in code, so that training and search tests need no shared data:
// "the movie was not good ." is negative, so a model must attend to the negation.
#pragma once

#include <filesystem>

namespace ax::test {

// Writes train.tsv, dev.tsv and a matching vocab.txt into a fresh scratch folder.
std::filesystem::path writeSyntheticSentiment(size_t trainSize, size_t devSize, unsigned seed = 5);

}  // namespace ax::test
