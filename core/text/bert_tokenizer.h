// Hugging Face's BertTokenizer (pytorch_pretrained_bert): text -> WordPiece tokens and ids, and
// the [CLS] a [SEP] b [SEP] inputs of a BERT model. Token for token identical to the reference.
#pragma once

#include "text/basic_tokenizer.h"
#include "text/vocab.h"
#include "text/wordpiece.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ax {

// The model inputs for one example, all of the same length.
struct Encoding {
    std::vector<std::string> tokens;
    std::vector<int64_t> inputIds;
    std::vector<int64_t> tokenTypeIds;
    std::vector<int64_t> attentionMask;
};

// A token and the [begin, end) bytes of the original UTF-8 text it came from.
struct TokenSpan {
    std::string token;
    size_t begin = 0;
    size_t end = 0;
};

class BertTokenizer {
public:
    // `lowerCase` is the uncased models' mode: lower-case and strip accents before WordPiece.
    BertTokenizer(Vocab vocab, bool lowerCase);

    // A Hugging Face model folder: vocab.txt, and tokenizer_config.json if present, whose
    // "do_lower_case" (default true) picks the mode. Other keys are ignored: the reference has no
    // such options. Throws ax::Error naming the file that is missing or malformed.
    static BertTokenizer fromModelFolder(const std::filesystem::path& folder);

    // WordPiece tokens without [CLS]/[SEP]. Any input is accepted: ill-formed UTF-8 is decoded with
    // U+FFFD replacements, which the cleaning step then deletes.
    std::vector<std::string> tokenize(std::string_view utf8Text) const;

    // The same tokens, each with the bytes of `utf8Text` it covers (for answer extraction). A "##"
    // piece covers its own characters; characters that NFD expanded ("ŉ" -> "ʼn") all point at
    // their source character, and a stripped accent belongs to the letter before it. Should the
    // whole-word result ever not line up with the per-character one, every piece of that word
    // covers the whole whitespace-delimited word, as Hugging Face's fast tokenizers roughly do.
    // [UNK] covers the whole word.
    std::vector<TokenSpan> tokenizeWithOffsets(std::string_view utf8Text) const;

    // Ids of tokens; a token the vocabulary lacks gets the [UNK] id.
    std::vector<int64_t> toIds(const std::vector<std::string>& tokens) const;

    // [CLS] a [SEP], or [CLS] a [SEP] b [SEP] when `textB` is given and not empty (an empty b is
    // no b, as in the reference's `if example.text_b`). Token types are 0 up to the first [SEP]
    // and 1 after it. Truncation is the reference's _truncate_seq_pair: while too long, drop the
    // last token of a if it is longer than b, else of b, until the total fits `maxLength`. As in
    // the reference, a b left with no tokens adds no second [SEP]. No padding: the mask is all
    // ones (see pad()). Throws ax::Error when maxLength < 3 for a pair or < 2 for a single text.
    Encoding encode(std::string_view textA, std::optional<std::string_view> textB, int maxLength) const;

    // Appends [PAD] (type 0, mask 0) up to `length`; longer encodings are left alone.
    void pad(Encoding& encoding, size_t length) const;

    bool lowerCase() const { return m_basic.lowerCase(); }
    const Vocab& vocab() const { return m_vocab; }

private:
    Vocab m_vocab;
    BasicTokenizer m_basic;
    WordPiece m_wordPiece;
};

}  // namespace ax
