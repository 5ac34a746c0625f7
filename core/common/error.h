// The one exception type of the engine. Messages name the file, the field and what was expected,
// so that a user can fix the input without reading our code.
#pragma once

#include <stdexcept>
#include <string>

namespace ax {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// "FILE: what is wrong" — the usual shape of a message about one input file.
[[noreturn]] void failIn(const std::string& file, const std::string& what);

}  // namespace ax
