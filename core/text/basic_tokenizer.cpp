#include "text/basic_tokenizer.h"

#include "text/unicode_text.h"

#include <array>

namespace ax {

namespace {

// The reference's never_split default. Only a whole whitespace token matches: "[CLS]x" is text.
constexpr std::array<std::u32string_view, 5> kNeverSplit = {U"[UNK]", U"[SEP]", U"[PAD]", U"[CLS]", U"[MASK]"};

bool isNeverSplit(std::u32string_view token)
{
    for (const auto special : kNeverSplit)
        if (token == special) return true;
    return false;
}

// Maps each character of lowerAndStripAccents(token) to the source span of the character that
// produced it, transforming one character at a time; a character that vanishes (an accent) widens
// the span of the one before it. When that per-character result does not line up with the
// whole-token result, every output character gets the whole token's span instead.
std::vector<TextSpan> alignSpans(std::u32string_view token, const TextSpan* spans, size_t outputLength)
{
    std::vector<TextSpan> aligned;
    aligned.reserve(outputLength);
    for (size_t i = 0; i < token.size(); ++i) {
        const size_t produced = token[i] < 0x80 ? 1 : unicode::lowerAndStripAccents(token[i]).size();
        aligned.insert(aligned.end(), produced, spans[i]);
        // A stripped accent still belongs to its letter: an answer span "cafe" should cover "café".
        if (produced == 0 && !aligned.empty()) aligned.back().end = spans[i].end;
    }
    if (aligned.size() != outputLength)
        aligned.assign(outputLength, TextSpan{spans[0].begin, spans[token.size() - 1].end});
    return aligned;
}

}  // namespace

std::vector<BasicTokenizer::Word> BasicTokenizer::split(std::string_view utf8Text, bool withSpans) const
{
    std::vector<size_t> offsets;
    const std::u32string decoded = unicode::decodeUtf8(utf8Text, withSpans ? &offsets : nullptr);

    // Cleaning and CJK isolation look at one character at a time, so one pass does both.
    std::u32string cleaned;
    cleaned.reserve(decoded.size() + 8);
    std::vector<TextSpan> spans;
    const auto push = [&](char32_t c, size_t source) {
        cleaned.push_back(c);
        if (withSpans) spans.push_back({offsets[source], offsets[source + 1]});
    };
    for (size_t i = 0; i < decoded.size(); ++i) {
        const char32_t c = decoded[i];
        if (c == 0 || c == 0xFFFD || unicode::isControl(c)) continue;
        if (unicode::isBertWhitespace(c)) {
            push(U' ', i);
        } else if (unicode::isCjkIdeograph(c)) {
            push(U' ', i);
            push(c, i);
            push(U' ', i);
        } else {
            push(c, i);
        }
    }

    // Python's str.split(): after cleaning only spaces and U+2028/U+2029 are left to split on.
    std::vector<Word> words;
    const std::u32string_view view(cleaned);
    size_t i = 0;
    while (i < view.size()) {
        while (i < view.size() && unicode::isPythonWhitespace(view[i])) ++i;
        const size_t start = i;
        while (i < view.size() && !unicode::isPythonWhitespace(view[i])) ++i;
        if (i > start)
            normaliseToken(view.substr(start, i - start), withSpans ? spans.data() + start : nullptr, withSpans,
                           words);
    }
    return words;
}

void BasicTokenizer::normaliseToken(std::u32string_view token, const TextSpan* spans, bool withSpans,
                                    std::vector<Word>& words) const
{
    if (isNeverSplit(token)) {
        words.push_back({std::u32string(token), withSpans ? std::vector<TextSpan>(spans, spans + token.size())
                                                          : std::vector<TextSpan>()});
        return;
    }

    const std::u32string text = m_lowerCase ? unicode::lowerAndStripAccents(token) : std::u32string(token);
    std::vector<TextSpan> textSpans;
    if (withSpans)
        textSpans = m_lowerCase ? alignSpans(token, spans, text.size())
                                : std::vector<TextSpan>(spans, spans + token.size());

    // Each punctuation character is a word of its own; the runs between them are words too.
    const auto emit = [&](size_t begin, size_t end) {
        Word word{text.substr(begin, end - begin), {}};
        if (withSpans)
            word.spans.assign(textSpans.begin() + static_cast<std::ptrdiff_t>(begin),
                              textSpans.begin() + static_cast<std::ptrdiff_t>(end));
        words.push_back(std::move(word));
    };
    size_t i = 0;
    while (i < text.size()) {
        if (unicode::isPunctuation(text[i])) {
            emit(i, i + 1);
            ++i;
            continue;
        }
        const size_t start = i;
        while (i < text.size() && !unicode::isPunctuation(text[i])) ++i;
        emit(start, i);
    }
}

}  // namespace ax
