// The first stage of BERT tokenization, as Hugging Face's BasicTokenizer does it: clean the text,
// isolate CJK ideographs, split on whitespace, lower-case and strip accents, split off punctuation.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ax {

// A [begin, end) range of bytes in the UTF-8 text given to a tokenizer.
struct TextSpan {
    size_t begin = 0;
    size_t end = 0;
};

class BasicTokenizer {
public:
    // One word for WordPiece: normalised code points and, when spans were asked for, the span of
    // the original text that each code point came from (one entry per code point).
    struct Word {
        std::u32string text;
        std::vector<TextSpan> spans;
    };

    explicit BasicTokenizer(bool lowerCase) : m_lowerCase(lowerCase) {}

    // Never throws on bad input: ill-formed UTF-8 becomes U+FFFD, which cleaning deletes.
    std::vector<Word> split(std::string_view utf8Text, bool withSpans = false) const;

    bool lowerCase() const { return m_lowerCase; }

private:
    void normaliseToken(std::u32string_view token, const TextSpan* spans, bool withSpans,
                        std::vector<Word>& words) const;

    bool m_lowerCase;
};

}  // namespace ax
