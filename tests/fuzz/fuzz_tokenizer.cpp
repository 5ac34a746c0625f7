// vocab.txt, then text through the whole BERT tokenizer (Unicode normalisation, accents, CJK,
// punctuation, WordPiece) with offsets. The input's first line is the text; the rest is the vocab.
#include "fuzz_input.h"
#include "text/bert_tokenizer.h"

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const size_t newline = input.find('\n');
    const std::string_view text = input.substr(0, newline);
    const std::string_view vocab = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    return ax::fuzz::expectCleanError([&] {
        const std::filesystem::path folder = ax::fuzz::scratchFolder() / "tokenizer";
        std::filesystem::create_directories(folder);
        ax::fuzz::writeInput("tokenizer/vocab.txt", reinterpret_cast<const uint8_t*>(vocab.data()), vocab.size());
        const ax::BertTokenizer tokenizer = ax::BertTokenizer::fromModelFolder(folder);
        tokenizer.tokenizeWithOffsets(text);
        tokenizer.encode(text, text, 32);
    });
}
