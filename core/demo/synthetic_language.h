// The built-in demo's language, generated in code so that a fresh machine needs no downloads: a
// grammar over a few hundred words whose meaning needs attention. Subjects and verbs agree in
// number across prepositional phrases ("the dogs in the old park are ..."), negation flips an
// adjective ("is not good"), and in "X but Y" / "although X , Y" only the second clause decides the
// sentiment of the whole review.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace ax {

struct LabelledSentence {
    std::string text;
    int label = 0;  // 1 positive, 0 negative
};

class SyntheticLanguage {
public:
    explicit SyntheticLanguage(uint64_t seed);

    // Every word the grammar can produce, special tokens first: a whole-word WordPiece vocabulary.
    std::vector<std::string> vocabulary() const;

    // One sentence of the language (for masked-LM pretraining), and one labelled review.
    std::string sentence();
    LabelledSentence review();

private:
    struct Clause {
        std::string text;
        bool positive = false;
    };
    Clause clause();
    std::string nounPhrase(bool plural);
    const std::string& pick(const std::vector<std::string>& words);

    std::mt19937_64 m_random;
};

// Writes corpus.txt (pretraining sentences, one per line), train.tsv and dev.tsv (SST-2 layout)
// and vocab.txt into `folder`, each file atomically.
void writeSyntheticLanguage(const std::filesystem::path& folder, uint64_t seed, size_t corpusSentences, size_t trainReviews,
                            size_t devReviews);

}  // namespace ax
