// Reading a whole JSON file, with the error every reader gives: the file and "not valid JSON".
#pragma once

#include "common/atomic_file.h"
#include "common/error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <limits>
#include <string>

namespace ax {

inline nlohmann::json readJsonFile(const std::filesystem::path& file)
{
    try {
        return nlohmann::json::parse(readWholeFile(file));
    } catch (const nlohmann::json::exception& error) {  // parse_error, or out_of_range for a number too large
        failIn(file.string(), std::string("not valid JSON: ") + error.what());
    }
}

// value[key] as an int. nlohmann's get<int>() truncates silently (4294967297 becomes 1), which
// would turn a corrupt "layer" or "index" into a valid-looking one; this refuses, naming the field.
inline int jsonInt(const nlohmann::json& object, const char* key, const std::string& source)
{
    const nlohmann::json& value = object.at(key);  // json::out_of_range (caught by the callers) when missing
    if (!value.is_number_integer())
        failIn(source, std::string("\"") + key + "\" must be an integer, got " + value.dump());
    const bool fits = value.is_number_unsigned()
                          ? value.get<uint64_t>() <= uint64_t(std::numeric_limits<int>::max())
                          : value.get<int64_t>() >= std::numeric_limits<int>::min() &&
                                value.get<int64_t>() <= std::numeric_limits<int>::max();
    if (!fits)
        failIn(source, std::string("\"") + key + "\" is out of range: " + value.dump());
    return value.get<int>();
}

}  // namespace ax
