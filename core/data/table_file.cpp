#include "data/table_file.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "text/unicode_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string_view>

namespace ax {

namespace {

std::string shown(std::string_view text)
{
    constexpr size_t kMax = 40;
    return "\"" + std::string(text.substr(0, kMax)) + (text.size() > kMax ? "...\"" : "\"");
}

std::string listed(const std::vector<std::string>& names)
{
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "" : ", ") + shown(name);
    return list.empty() ? "none" : list;
}

bool isBlankLine(std::string_view line)
{
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// One record of delimited text at a time. TSV: fields split at tabs, no quoting (GLUE's files).
// CSV: a field that starts with '"' runs to the next lone '"' and may hold commas, newlines and
// doubled quotes (""), as Python's csv module reads it. Blank lines are no records.
class DelimitedRecords {
public:
    DelimitedRecords(std::string_view text, std::string file, TableFormat format)
        : m_text(text), m_file(std::move(file)), m_csv(format == TableFormat::Csv)
    {
    }

    // False at the end; `line` is the record's first line.
    bool next(std::vector<std::string>& fields, size_t& line)
    {
        while (m_position < m_text.size()) {
            const size_t end = std::min(m_text.find('\n', m_position), m_text.size());
            if (!isBlankLine(m_text.substr(m_position, end - m_position))) break;
            m_position = end + 1;
            ++m_line;
        }
        if (m_position >= m_text.size()) return false;
        line = m_line;
        fields.clear();
        std::string field;
        bool inQuotes = false, wasQuoted = false;
        while (m_position < m_text.size()) {
            const char c = m_text[m_position++];
            if (inQuotes) {
                if (c == '"' && m_position < m_text.size() && m_text[m_position] == '"') {
                    field += '"';
                    ++m_position;
                } else if (c == '"') {
                    inQuotes = false;
                } else {
                    if (c == '\n') ++m_line;
                    field += c;
                }
            } else if (m_csv && c == '"' && field.empty() && !wasQuoted) {
                inQuotes = wasQuoted = true;
            } else if (c == (m_csv ? ',' : '\t')) {
                fields.push_back(std::move(field));
                field.clear();
                wasQuoted = false;
            } else if (c == '\n') {
                ++m_line;
                break;
            } else if (!(c == '\r' && (m_position == m_text.size() || m_text[m_position] == '\n'))) {
                field += c;
            }
        }
        if (inQuotes) failIn(m_file + ":" + std::to_string(line), "a quoted field is never closed (a '\"' is missing)");
        fields.push_back(std::move(field));
        return true;
    }

private:
    std::string_view m_text;
    std::string m_file;
    bool m_csv;
    size_t m_position = 0;
    size_t m_line = 1;
};

std::vector<TableRecord> readDelimited(std::string_view text, const std::string& file, TableFormat format,
                                       const std::vector<std::string>& columns)
{
    DelimitedRecords records(text, file, format);
    std::vector<std::string> header;
    size_t line = 0;
    if (!records.next(header, line)) failIn(file, "empty file, expected a header row naming the columns");
    std::vector<size_t> positions;
    for (const std::string& column : columns) {
        const auto found = std::find(header.begin(), header.end(), column);
        if (found == header.end())
            failIn(file + ":" + std::to_string(line), "the header has no column " + shown(column) + " (found " + listed(header) + ")");
        if (std::find(found + 1, header.end(), column) != header.end())
            failIn(file + ":" + std::to_string(line), "the header names column " + shown(column) + " twice");
        positions.push_back(static_cast<size_t>(found - header.begin()));
    }
    std::vector<TableRecord> table;
    std::vector<std::string> fields;
    while (records.next(fields, line)) {
        const std::string where = file + ":" + std::to_string(line);
        if (fields.size() != header.size())
            throw Error(where + ": " + std::to_string(fields.size()) + " field" + (fields.size() == 1 ? "" : "s") + ", the header has " +
                        std::to_string(header.size()) +
                        (format == TableFormat::Tsv ? " (tab-separated, no quoting)" : " (a comma inside an unquoted text?)"));
        TableRecord record{where, {}};
        for (const size_t position : positions) record.values.push_back(std::move(fields[position]));
        table.push_back(std::move(record));
    }
    return table;
}

std::vector<TableRecord> readJsonLines(std::string_view text, const std::string& file, const std::vector<std::string>& columns)
{
    std::vector<TableRecord> table;
    size_t position = 0, line = 0;
    while (position < text.size()) {
        const size_t end = std::min(text.find('\n', position), text.size());
        const std::string_view content = text.substr(position, end - position);
        position = end + 1;
        ++line;
        if (isBlankLine(content)) continue;
        const std::string where = file + ":" + std::to_string(line);
        nlohmann::json object;
        try {
            object = nlohmann::json::parse(content);
        } catch (const nlohmann::json::exception& error) {  // parse_error, and out_of_range for a number beyond a double
            throw Error(where + ": not JSON (" + error.what() + ")");
        }
        if (!object.is_object()) throw Error(where + ": expected one JSON object per line, found " + std::string(object.type_name()));
        TableRecord record{where, {}};
        for (const std::string& column : columns) {
            const auto value = object.find(column);
            if (value == object.end()) {
                std::vector<std::string> keys;
                for (const auto& item : object.items()) keys.push_back(item.key());
                throw Error(where + ": no key " + shown(column) + " (found " + listed(keys) + ")");
            }
            if (value->is_string()) record.values.push_back(value->get<std::string>());
            else if (value->is_number() || value->is_boolean()) record.values.push_back(value->dump());
            else throw Error(where + ": the value of " + shown(column) + " is " + value->type_name() + ", expected a string or a number");
        }
        table.push_back(std::move(record));
    }
    return table;
}

}  // namespace

std::optional<TableFormat> tableFormatOf(const std::filesystem::path& file)
{
    const std::string extension = file.extension().string();
    if (extension == ".tsv") return TableFormat::Tsv;
    if (extension == ".csv") return TableFormat::Csv;
    if (extension == ".jsonl" || extension == ".ndjson") return TableFormat::JsonLines;
    return std::nullopt;
}

std::vector<TableRecord> readTable(const std::filesystem::path& file, const std::vector<std::string>& columns)
{
    const std::string name = file.string();
    const auto format = tableFormatOf(file);
    if (!format) failIn(name, "unknown file type: expected .tsv, .csv or .jsonl");
    if (!std::filesystem::exists(file)) failIn(name, "no such file");
    if (std::filesystem::is_directory(file)) failIn(name, "is a folder, expected a data file");
    const std::string content = readWholeFile(file);
    std::string_view text = content;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    if (const size_t bad = unicode::findInvalidUtf8(text); bad != std::string_view::npos) {
        const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n'));
        failIn(name + ":" + std::to_string(line), "not UTF-8");
    }
    if (*format == TableFormat::JsonLines) return readJsonLines(text, name, columns);
    return readDelimited(text, name, *format, columns);
}

}  // namespace ax
