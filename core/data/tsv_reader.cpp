#include "data/tsv_reader.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "text/unicode_text.h"

namespace ax {

TsvReader::TsvReader(const std::filesystem::path& file) : m_fileName(file.string())
{
    if (!std::filesystem::exists(file)) failIn(m_fileName, "no such file");
    if (std::filesystem::is_directory(file)) failIn(m_fileName, "is a folder, expected a .tsv file");
    m_text = readWholeFile(file);
    if (m_text.compare(0, 3, "\xEF\xBB\xBF") == 0) m_position = 3;
    // Blank lines at the very end are no rows (an editor's extra newline); inside they are rows.
    while (!m_text.empty() && (m_text.back() == '\n' || m_text.back() == '\r')) m_text.pop_back();
}

bool TsvReader::next(std::vector<std::string_view>& fields)
{
    fields.clear();
    if (m_position >= m_text.size()) return false;
    size_t end = m_text.find('\n', m_position);
    if (end == std::string::npos) end = m_text.size();
    std::string_view line(m_text.data() + m_position, end - m_position);
    m_position = end + 1;
    ++m_lineNumber;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (const size_t bad = unicode::findInvalidUtf8(line); bad != std::string_view::npos)
        throw Error(where() + ": not UTF-8 (byte " + std::to_string(bad + 1) + " of the line)");
    size_t start = 0;
    while (true) {
        const size_t tab = line.find('\t', start);
        if (tab == std::string_view::npos) {
            fields.push_back(line.substr(start));
            break;
        }
        fields.push_back(line.substr(start, tab - start));
        start = tab + 1;
    }
    return true;
}

}  // namespace ax
