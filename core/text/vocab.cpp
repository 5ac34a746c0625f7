#include "text/vocab.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "text/unicode_text.h"

#include <algorithm>

namespace ax {

namespace {

// Python's str.strip(): removes str.isspace() characters from both ends.
std::string stripPython(std::string_view line)
{
    const std::u32string text = unicode::decodeUtf8(line);
    size_t begin = 0;
    size_t end = text.size();
    while (begin < end && unicode::isPythonWhitespace(text[begin])) ++begin;
    while (end > begin && unicode::isPythonWhitespace(text[end - 1])) --end;
    return unicode::encodeUtf8(std::u32string_view(text).substr(begin, end - begin));
}

}  // namespace

Vocab Vocab::fromFile(const std::filesystem::path& file)
{
    const std::string where = file.string();
    if (!std::filesystem::exists(file)) failIn(where, "vocabulary file not found");
    const std::string content = readWholeFile(file);
    if (content.empty()) failIn(where, "vocabulary file is empty");
    if (const size_t bad = unicode::findInvalidUtf8(content); bad != std::string::npos) {
        const auto line = 1 + std::count(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
        failIn(where, "line " + std::to_string(line) + " is not valid UTF-8 (byte " + std::to_string(bad) + ")");
    }

    // Python's readline() in text mode: \n, \r\n and \r end a line; text after the last one is a
    // line too, but the end of the file right after a terminator is not an extra empty line.
    std::vector<std::string> tokens;
    size_t start = 0;
    for (size_t i = 0; i < content.size(); ++i) {
        const char c = content[i];
        if (c != '\n' && c != '\r') continue;
        tokens.push_back(stripPython(std::string_view(content).substr(start, i - start)));
        if (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n') ++i;
        start = i + 1;
    }
    if (start < content.size()) tokens.push_back(stripPython(std::string_view(content).substr(start)));
    return fromTokens(std::move(tokens), where);
}

Vocab Vocab::fromTokens(std::vector<std::string> tokens, std::string source)
{
    if (tokens.empty()) failIn(source, "vocabulary has no tokens");
    Vocab vocab;
    vocab.m_source = std::move(source);
    vocab.m_tokens = std::move(tokens);
    vocab.m_ids.reserve(vocab.m_tokens.size());
    for (size_t i = 0; i < vocab.m_tokens.size(); ++i) {
        // Assignment, not emplace: a repeated token keeps its later id, like the reference's dict.
        vocab.m_ids[vocab.m_tokens[i]] = static_cast<int64_t>(i);
        vocab.m_maxTokenBytes = std::max(vocab.m_maxTokenBytes, vocab.m_tokens[i].size());
    }
    return vocab;
}

std::optional<int64_t> Vocab::find(const std::string& token) const
{
    const auto it = m_ids.find(token);
    if (it == m_ids.end()) return std::nullopt;
    return it->second;
}

int64_t Vocab::idOf(const std::string& token) const
{
    const auto it = m_ids.find(token);
    return it != m_ids.end() ? it->second : unkId();
}

const std::string& Vocab::token(int64_t id) const
{
    if (id < 0 || static_cast<size_t>(id) >= m_tokens.size())
        failIn(m_source, "token id " + std::to_string(id) + " is out of range (the vocabulary has "
                             + std::to_string(m_tokens.size()) + " tokens)");
    return m_tokens[static_cast<size_t>(id)];
}

int64_t Vocab::requireSpecial(const char* token) const
{
    const auto it = m_ids.find(token);
    if (it == m_ids.end()) failIn(m_source, std::string("vocabulary has no ") + token + " token");
    return it->second;
}

int64_t Vocab::unkId() const { return requireSpecial("[UNK]"); }
int64_t Vocab::clsId() const { return requireSpecial("[CLS]"); }
int64_t Vocab::sepId() const { return requireSpecial("[SEP]"); }
int64_t Vocab::padId() const { return requireSpecial("[PAD]"); }
int64_t Vocab::maskId() const { return requireSpecial("[MASK]"); }

}  // namespace ax
