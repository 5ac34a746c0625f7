// A WordPiece vocabulary (vocab.txt): token <-> id, read exactly as Hugging Face's load_vocab does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ax {

class Vocab {
public:
    // One token per line; the id is the line index. Each line is stripped of surrounding whitespace
    // as Python's str.strip() does, and \n, \r\n and a lone \r all end a line (Python's universal
    // newlines). A token that appears twice keeps its later id for lookups, as a Python dict would;
    // token(id) still returns the line's text for both ids. A UTF-8 BOM is not removed (the
    // reference keeps it in the first token). Throws ax::Error naming the file when it is missing,
    // unreadable, empty or not UTF-8.
    static Vocab fromFile(const std::filesystem::path& file);

    // The same rules for tokens already in memory; `source` names them in error messages.
    static Vocab fromTokens(std::vector<std::string> tokens, std::string source);

    std::optional<int64_t> find(const std::string& token) const;
    // The token's id, or the [UNK] id when it is absent (throws if [UNK] is absent too).
    int64_t idOf(const std::string& token) const;
    // Throws ax::Error naming the file when `id` is out of range.
    const std::string& token(int64_t id) const;
    size_t size() const { return m_tokens.size(); }

    // Special tokens; each throws ax::Error naming the vocabulary file if that token is missing.
    int64_t unkId() const;
    int64_t clsId() const;
    int64_t sepId() const;
    int64_t padId() const;
    int64_t maskId() const;

    // The longest token in bytes: WordPiece never needs to look up a longer candidate.
    size_t maxTokenBytes() const { return m_maxTokenBytes; }
    // Where the tokens came from (the file path), for messages.
    const std::string& source() const { return m_source; }

private:
    int64_t requireSpecial(const char* token) const;

    std::string m_source;
    std::vector<std::string> m_tokens;
    std::unordered_map<std::string, int64_t> m_ids;
    size_t m_maxTokenBytes = 0;
};

}  // namespace ax
