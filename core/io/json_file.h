// Reading a whole JSON file, with the error every reader gives: the file and "not valid JSON".
#pragma once

#include "common/atomic_file.h"
#include "common/error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
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

}  // namespace ax
