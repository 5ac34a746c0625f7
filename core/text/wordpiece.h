// The second stage of BERT tokenization, Hugging Face's WordpieceTokenizer: greedy
// longest-match-first sub-words against a vocabulary, continuations marked with "##".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ax {

class Vocab;

class WordPiece {
public:
    // One sub-word and the [begin, end) range of code points of the word it covers.
    struct Piece {
        std::string token;
        size_t begin = 0;
        size_t end = 0;
    };

    // The reference's defaults: "[UNK]" and words of at most 100 code points.
    explicit WordPiece(std::string unknownToken = "[UNK]", size_t maxInputChars = 100)
        : m_unknownToken(std::move(unknownToken)), m_maxInputChars(maxInputChars)
    {
    }

    // Appends the pieces of one word (no whitespace inside). A word longer than the limit, or one
    // with any part that matches nothing, becomes a single unknown token covering the whole word.
    void split(const Vocab& vocab, std::u32string_view word, std::vector<Piece>& out) const;

private:
    std::string m_unknownToken;
    size_t m_maxInputChars;
};

}  // namespace ax
