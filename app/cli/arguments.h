// A small command-line parser: `--name value`, `--name=value` and `--flag`, checked against
// what each command declares, so typos are usage errors (exit code 2) instead of being ignored.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace ax::cli {

// Bad usage: the message is shown with the command's help hint and the exit code is 2.
class UsageError : public std::runtime_error {
public:
    explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

// `text` as a whole number in [minimum, maximum], or nullopt when it is not one (the options,
// the environment variables and the port of --master share it).
std::optional<int> wholeNumberIn(const std::string& text, int minimum, int maximum);

class Arguments {
public:
    // `flags` take no value; `options` take one. Throws UsageError for anything else.
    Arguments(const std::vector<std::string>& words, const std::set<std::string>& flags,
              const std::set<std::string>& options);

    bool flag(const std::string& name) const { return m_flags.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const;
    std::string required(const std::string& name) const;
    int integer(const std::string& name, int fallback, int minimum, int maximum) const;
    double number(const std::string& name, double fallback, double minimum, double maximum) const;

private:
    std::set<std::string> m_flags;
    std::map<std::string, std::string> m_values;
};

}  // namespace ax::cli
