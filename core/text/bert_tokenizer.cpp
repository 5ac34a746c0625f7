#include "text/bert_tokenizer.h"

#include "common/atomic_file.h"
#include "common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ax {

BertTokenizer::BertTokenizer(Vocab vocab, bool lowerCase) : m_vocab(std::move(vocab)), m_basic(lowerCase) {}

BertTokenizer BertTokenizer::fromModelFolder(const std::filesystem::path& folder)
{
    Vocab vocab = Vocab::fromFile(folder / "vocab.txt");
    bool lowerCase = true;
    const std::filesystem::path configFile = folder / "tokenizer_config.json";
    if (std::filesystem::exists(configFile)) {
        nlohmann::json config;
        try {
            config = nlohmann::json::parse(readWholeFile(configFile));
        } catch (const nlohmann::json::exception& e) {
            failIn(configFile.string(), std::string("not valid JSON: ") + e.what());
        }
        if (!config.is_object()) failIn(configFile.string(), "expected a JSON object");
        if (const auto it = config.find("do_lower_case"); it != config.end()) {
            if (!it->is_boolean()) failIn(configFile.string(), "\"do_lower_case\" must be true or false");
            lowerCase = it->get<bool>();
        }
    }
    return BertTokenizer(std::move(vocab), lowerCase);
}

std::vector<std::string> BertTokenizer::tokenize(std::string_view utf8Text) const
{
    std::vector<std::string> tokens;
    std::vector<WordPiece::Piece> pieces;
    for (const auto& word : m_basic.split(utf8Text)) {
        pieces.clear();
        m_wordPiece.split(m_vocab, word.text, pieces);
        for (auto& piece : pieces) tokens.push_back(std::move(piece.token));
    }
    return tokens;
}

std::vector<TokenSpan> BertTokenizer::tokenizeWithOffsets(std::string_view utf8Text) const
{
    std::vector<TokenSpan> tokens;
    std::vector<WordPiece::Piece> pieces;
    for (const auto& word : m_basic.split(utf8Text, true)) {
        pieces.clear();
        m_wordPiece.split(m_vocab, word.text, pieces);
        for (auto& piece : pieces) {
            // Spans of one word are in text order, so the first and last characters bound a piece.
            const size_t begin = word.spans[piece.begin].begin;
            size_t end = begin;
            for (size_t i = piece.begin; i < piece.end; ++i) end = std::max(end, word.spans[i].end);
            tokens.push_back({std::move(piece.token), begin, end});
        }
    }
    return tokens;
}

std::vector<int64_t> BertTokenizer::toIds(const std::vector<std::string>& tokens) const
{
    std::vector<int64_t> ids;
    ids.reserve(tokens.size());
    for (const auto& token : tokens) ids.push_back(m_vocab.idOf(token));
    return ids;
}

Encoding BertTokenizer::encode(std::string_view textA, std::optional<std::string_view> textB, int maxLength) const
{
    const bool pair = textB.has_value() && !textB->empty();
    const int specials = pair ? 3 : 2;
    if (maxLength < specials)
        throw Error("maxLength " + std::to_string(maxLength) + " is too small: "
                    + (pair ? "a pair needs at least 3 ([CLS] a [SEP] b [SEP])" : "a text needs at least 2 ([CLS] a [SEP])"));

    std::vector<std::string> tokensA = tokenize(textA);
    std::vector<std::string> tokensB;
    const size_t budget = static_cast<size_t>(maxLength - specials);
    if (pair) {
        tokensB = tokenize(*textB);
        // The reference's _truncate_seq_pair: equal lengths lose from b.
        while (tokensA.size() + tokensB.size() > budget) {
            if (tokensA.size() > tokensB.size())
                tokensA.pop_back();
            else
                tokensB.pop_back();
        }
    } else if (tokensA.size() > budget) {
        tokensA.resize(budget);
    }

    // Special ids are looked up by name so that a vocabulary without them fails loudly, naming
    // its file, instead of encoding [CLS] as [UNK].
    const int64_t clsId = m_vocab.clsId();
    const int64_t sepId = m_vocab.sepId();
    Encoding encoding;
    const auto append = [&](const std::vector<std::string>& tokens, int64_t type) {
        for (const auto& token : tokens) {
            encoding.tokens.push_back(token);
            encoding.inputIds.push_back(m_vocab.idOf(token));
        }
        encoding.tokens.push_back("[SEP]");
        encoding.inputIds.push_back(sepId);
        encoding.tokenTypeIds.resize(encoding.tokens.size(), type);
    };
    encoding.tokens.push_back("[CLS]");
    encoding.inputIds.push_back(clsId);
    append(tokensA, 0);
    // A b that tokenizes to nothing adds no second [SEP], as in the reference (`if tokens_b:`).
    if (!tokensB.empty()) append(tokensB, 1);
    encoding.attentionMask.assign(encoding.tokens.size(), 1);
    return encoding;
}

void BertTokenizer::pad(Encoding& encoding, size_t length) const
{
    if (encoding.tokens.size() >= length) return;
    const int64_t padId = m_vocab.padId();
    encoding.tokens.resize(length, "[PAD]");
    encoding.inputIds.resize(length, padId);
    encoding.tokenTypeIds.resize(length, 0);
    encoding.attentionMask.resize(length, 0);
}

}  // namespace ax
