// Reads a tab-separated file as the GLUE files are written: no quoting at all (a '"' is text,
// as with Python's csv quotechar=None), \n or \r\n line ends, an optional UTF-8 BOM, an optional
// final newline (blank lines at the very end are ignored). Every line must be UTF-8.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ax {

class TsvReader {
public:
    // Reads the whole file; throws ax::Error naming it when it is missing or unreadable.
    explicit TsvReader(const std::filesystem::path& file);

    // The next line's fields (views into the file's text, valid while the reader lives); false at
    // the end. Throws ax::Error with file:line when the line is not UTF-8.
    bool next(std::vector<std::string_view>& fields);

    // 1-based number of the line last returned by next().
    size_t lineNumber() const { return m_lineNumber; }
    const std::string& fileName() const { return m_fileName; }
    // "file:line" of the line last returned.
    std::string where() const { return m_fileName + ":" + std::to_string(m_lineNumber); }

private:
    std::string m_fileName;
    std::string m_text;
    size_t m_position = 0;
    size_t m_lineNumber = 0;
};

}  // namespace ax
