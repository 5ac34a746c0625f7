#include "text/unicode_text.h"

#include "common/error.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <limits>

namespace ax::unicode {

namespace {

// The reference ran on Python 3.11, whose tables are Unicode 14. ICU may be newer (ICU 72 is
// Unicode 15): a code point assigned after 14 is still unassigned (Cn) for the reference, so the
// cleaning step deletes it. Pinning the version keeps our output stable across ICU upgrades too.
constexpr uint8_t kReferenceUnicodeMajor = 14;

int8_t categoryOf(char32_t c)
{
    const auto cp = static_cast<UChar32>(c);
    UVersionInfo age;
    u_charAge(cp, age);
    if (age[0] > kReferenceUnicodeMajor) return U_UNASSIGNED;
    return u_charType(cp);
}

bool isAscii(std::u32string_view text)
{
    for (const char32_t c : text)
        if (c >= 0x80) return false;
    return true;
}

std::u16string toUtf16(std::u32string_view text)
{
    std::u16string out;
    out.reserve(text.size() + 4);
    for (const char32_t c : text) {
        if (c <= 0xFFFF) {
            out.push_back(static_cast<char16_t>(c));
        } else {
            out.push_back(static_cast<char16_t>(U16_LEAD(c)));
            out.push_back(static_cast<char16_t>(U16_TRAIL(c)));
        }
    }
    return out;
}

// Runs an ICU "preflight" style conversion, growing the output once if the first guess is short.
template <typename Convert>
std::u16string convertUtf16(const std::u16string& in, Convert convert, const char* what)
{
    std::u16string out(in.size() * 2 + 8, u'\0');
    UErrorCode status = U_ZERO_ERROR;
    int32_t length = convert(in, out, status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
        out.assign(static_cast<size_t>(length), u'\0');
        status = U_ZERO_ERROR;
        length = convert(in, out, status);
    }
    if (U_FAILURE(status)) throw Error(std::string("ICU ") + what + " failed: " + u_errorName(status));
    out.resize(static_cast<size_t>(length));
    return out;
}

// ICU's UTF-8 macros index with int32_t.
int32_t checkedLength(std::string_view text)
{
    if (text.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        throw Error("text of " + std::to_string(text.size()) + " bytes is too large to tokenize (limit 2 GiB)");
    return static_cast<int32_t>(text.size());
}

}  // namespace

std::u32string decodeUtf8(std::string_view text, std::vector<size_t>* byteOffsets)
{
    std::u32string out;
    out.reserve(text.size());
    if (byteOffsets) {
        byteOffsets->clear();
        byteOffsets->reserve(text.size() + 1);
    }
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    const int32_t length = checkedLength(text);
    int32_t i = 0;
    while (i < length) {
        if (byteOffsets) byteOffsets->push_back(static_cast<size_t>(i));
        UChar32 c;
        // U8_NEXT consumes one maximal ill-formed subsequence at a time and yields c < 0 for it.
        U8_NEXT(bytes, i, length, c);
        out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
    }
    if (byteOffsets) byteOffsets->push_back(text.size());
    return out;
}

size_t findInvalidUtf8(std::string_view text)
{
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    const int32_t length = checkedLength(text);
    for (int32_t i = 0; i < length;) {
        const int32_t start = i;
        UChar32 c;
        U8_NEXT(bytes, i, length, c);
        if (c < 0) return static_cast<size_t>(start);
    }
    return std::string_view::npos;
}

void appendUtf8(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

std::string encodeUtf8(std::u32string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char32_t c : text) appendUtf8(out, c);
    return out;
}

bool isControl(char32_t c)
{
    if (c == U'\t' || c == U'\n' || c == U'\r') return false;
    if (c < 0x80) return c < 0x20 || c == 0x7F;
    return (U_MASK(categoryOf(c)) & U_GC_C_MASK) != 0;
}

bool isBertWhitespace(char32_t c)
{
    if (c == U' ' || c == U'\t' || c == U'\n' || c == U'\r') return true;
    if (c < 0x80) return false;
    return categoryOf(c) == U_SPACE_SEPARATOR;
}

bool isPythonWhitespace(char32_t c)
{
    // The exact set for which Python 3.11's str.isspace() is true (bidi class WS/B/S or Zs).
    switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D:
    case 0x1C: case 0x1D: case 0x1E: case 0x1F: case 0x20:
    case 0x85: case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

bool isPunctuation(char32_t c)
{
    // ASCII symbols such as $ + < = > ^ ` | ~ are S*, yet BERT treats all of ASCII's as punctuation.
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))
        return true;
    if (c < 0x80) return false;
    return (U_MASK(categoryOf(c)) & U_GC_P_MASK) != 0;
}

bool isCjkIdeograph(char32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
        || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

std::u32string lowerAndStripAccents(std::u32string_view word)
{
    if (isAscii(word)) {
        // ASCII lower-cases one to one and NFD leaves it alone: skip ICU on the common path.
        std::u32string out(word);
        for (char32_t& c : out)
            if (c >= U'A' && c <= U'Z') c += U'a' - U'A';
        return out;
    }

    // The whole word goes to ICU at once: final sigma depends on the neighbouring letters.
    // Locale "" is the root locale, whose lower-casing is Python's (no Turkish or Lithuanian rules).
    const std::u16string lowered = convertUtf16(
        toUtf16(word),
        [](const std::u16string& in, std::u16string& out, UErrorCode& status) {
            return u_strToLower(out.data(), static_cast<int32_t>(out.size()), in.data(),
                                static_cast<int32_t>(in.size()), "", &status);
        },
        "lower-casing");

    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2* nfd = unorm2_getNFDInstance(&status);
    if (U_FAILURE(status)) throw Error(std::string("ICU NFD data unavailable: ") + u_errorName(status));
    const std::u16string decomposed = convertUtf16(
        lowered,
        [nfd](const std::u16string& in, std::u16string& out, UErrorCode& status) {
            return unorm2_normalize(nfd, in.data(), static_cast<int32_t>(in.size()), out.data(),
                                    static_cast<int32_t>(out.size()), &status);
        },
        "NFD normalisation");

    std::u32string out;
    out.reserve(decomposed.size());
    const auto length = static_cast<int32_t>(decomposed.size());
    for (int32_t i = 0; i < length;) {
        UChar32 c;
        U16_NEXT(decomposed.data(), i, length, c);
        if (categoryOf(static_cast<char32_t>(c)) != U_NON_SPACING_MARK) out.push_back(static_cast<char32_t>(c));
    }
    return out;
}

std::u32string lowerAndStripAccents(char32_t c)
{
    return lowerAndStripAccents(std::u32string_view(&c, 1));
}

}  // namespace ax::unicode
