#include "synthetic_task.h"

#include "test_support.h"

#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace ax::test {

std::filesystem::path writeSyntheticSentiment(size_t trainSize, size_t devSize, unsigned seed)
{
    static const std::vector<std::string> subjects = {"the movie", "this film", "the plot", "the acting", "the music", "the ending"};
    static const std::vector<std::string> positive = {"good", "great", "fun", "moving", "clever"};
    static const std::vector<std::string> negative = {"bad", "dull", "boring", "silly", "awful"};
    const std::filesystem::path folder = scratchFolder("synthetic-sst2");
    std::mt19937 random(seed);
    auto write = [&](const std::string& name, size_t count) {
        std::ofstream out(folder / name);
        out << "sentence\tlabel\n";
        for (size_t i = 0; i < count; ++i) {
            const bool positiveWord = random() % 2 == 0, negated = random() % 2 == 0;
            const auto& words = positiveWord ? positive : negative;
            out << subjects[random() % subjects.size()] << " was " << (negated ? "not " : "") << words[random() % words.size()]
                << " .\t" << (positiveWord != negated ? 1 : 0) << "\n";
        }
    };
    write("train.tsv", trainSize);
    write("dev.tsv", devSize);
    std::ofstream vocab(folder / "vocab.txt");
    for (const char* word : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", "was", "not", "the", "this"}) vocab << word << "\n";
    for (const auto& list : {subjects, positive, negative})
        for (const auto& entry : list) vocab << entry.substr(entry.find(' ') + 1) << "\n";
    return folder;
}

}  // namespace ax::test
