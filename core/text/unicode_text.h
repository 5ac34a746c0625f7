// The Unicode questions a BERT tokenizer asks, answered as Python 3.11 (Unicode 14) answers them for
// Hugging Face's reference code, plus UTF-8 <-> UTF-32 conversion that never fails on bad input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ax::unicode {

// Decodes UTF-8. Ill-formed input does not throw: each maximal ill-formed subsequence becomes one
// U+FFFD (Unicode's recommended practice), which the BERT text cleaning then deletes. When
// `byteOffsets` is given it receives size()+1 entries: the byte where each code point starts,
// then text.size(). Throws ax::Error only for texts over 2 GiB.
std::u32string decodeUtf8(std::string_view text, std::vector<size_t>* byteOffsets = nullptr);

// The byte offset of the first ill-formed UTF-8 sequence, or npos when the text is valid UTF-8.
size_t findInvalidUtf8(std::string_view text);

// Appends the UTF-8 form of one code point (expected to be a valid scalar value).
void appendUtf8(std::string& out, char32_t codePoint);
std::string encodeUtf8(std::u32string_view text);

// BERT's "control": general category C* (unassigned included), except \t \n \r.
bool isControl(char32_t c);

// BERT's "whitespace" for cleaning: space, \t \n \r and category Zs.
bool isBertWhitespace(char32_t c);

// Python's str.isspace(), which str.split() and str.strip() use (adds U+2028/2029, \x1c-\x1f...).
bool isPythonWhitespace(char32_t c);

// BERT's punctuation: every ASCII non-alphanumeric printable plus every category P* character.
bool isPunctuation(char32_t c);

// The eight CJK ideograph blocks BERT surrounds with spaces (not kana, not Hangul).
bool isCjkIdeograph(char32_t c);

// Python's str.lower() of the whole word (full mappings, final sigma by context), then NFD, then
// every category Mn character removed: BERT's uncased normalisation of one whitespace token.
std::u32string lowerAndStripAccents(std::u32string_view word);

// The same transformation applied to one code point alone. Used only to align output characters
// with their source; it differs from the whole-word result at most in final sigma and mark order.
std::u32string lowerAndStripAccents(char32_t c);

}  // namespace ax::unicode
