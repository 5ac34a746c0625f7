// Reads a data file a user brings, by column name: TSV (GLUE-style, no quoting), CSV (RFC 4180
// quoting, as Python's csv and pandas write it) or JSON Lines (one object per line), chosen by
// the file's extension. TSV and CSV name their columns in a header row; JSONL by each object's keys.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ax {

enum class TableFormat { Tsv, Csv, JsonLines };

// .tsv, .csv, .jsonl (also .ndjson); nullopt for any other extension.
std::optional<TableFormat> tableFormatOf(const std::filesystem::path& file);

struct TableRecord {
    std::string where;                  // "file:line" of the record's first line
    std::vector<std::string> values;    // one per requested column, in the order asked
};

// Every record of `file`, with the values of `columns` (each must be present: in the header, or
// as a key of every JSONL object). JSONL values may be strings, numbers or booleans; numbers are
// written back as JSON writes them ("1", "0.25"). Throws ax::Error with file:line for a missing
// file or column (listing those found), a row with another number of fields than the header, an
// unterminated CSV quote, a JSONL line that is not an object, a null/array/object value, or text
// that is not UTF-8.
std::vector<TableRecord> readTable(const std::filesystem::path& file, const std::vector<std::string>& columns);

}  // namespace ax
