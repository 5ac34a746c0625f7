#include "text/wordpiece.h"

#include "text/unicode_text.h"
#include "text/vocab.h"

namespace ax {

void WordPiece::split(const Vocab& vocab, std::u32string_view word, std::vector<Piece>& out) const
{
    if (word.empty()) return;
    if (word.size() > m_maxInputChars) {
        out.push_back({m_unknownToken, 0, word.size()});
        return;
    }

    // Candidates are byte ranges of the UTF-8 word, so each lookup is one string assignment.
    std::string utf8;
    std::vector<size_t> charStart;
    charStart.reserve(word.size() + 1);
    for (const char32_t c : word) {
        charStart.push_back(utf8.size());
        unicode::appendUtf8(utf8, c);
    }
    charStart.push_back(utf8.size());

    const size_t firstPiece = out.size();
    std::string candidate;
    size_t start = 0;
    while (start < word.size()) {
        const size_t prefixBytes = start > 0 ? 2 : 0;
        size_t end = word.size();
        // Nothing longer than the vocabulary's longest token can match; skipping those candidates
        // changes no result, it only saves lookups on long words.
        while (end > start && prefixBytes + charStart[end] - charStart[start] > vocab.maxTokenBytes()) --end;
        bool found = false;
        for (; end > start; --end) {
            candidate.assign(start > 0 ? "##" : "");
            candidate.append(utf8, charStart[start], charStart[end] - charStart[start]);
            if (vocab.find(candidate)) {
                found = true;
                break;
            }
        }
        if (!found) {
            out.resize(firstPiece);
            out.push_back({m_unknownToken, 0, word.size()});
            return;
        }
        out.push_back({candidate, start, end});
        start = end;
    }
}

}  // namespace ax
