// FNV-1a, 64 bits: a quick fingerprint of bytes, for telling inputs apart (weights files, the data
// processes evaluate), not for security.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ax {

class FnvHash {
public:
    static constexpr uint64_t kOffsetBasis = 14695981039346656037ull;

    explicit FnvHash(uint64_t basis = kOffsetBasis) : m_hash(basis) {}

    void addBytes(const void* data, size_t size)
    {
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (size_t i = 0; i < size; ++i) m_hash = (m_hash ^ bytes[i]) * 1099511628211ull;
    }
    void addInteger(int64_t value) { addBytes(&value, sizeof value); }
    void addText(const std::string& text) { addBytes(text.data(), text.size()); }

    uint64_t value() const { return m_hash; }

private:
    uint64_t m_hash;
};

}  // namespace ax
