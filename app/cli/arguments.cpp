#include "cli/arguments.h"

namespace ax::cli {

Arguments::Arguments(const std::vector<std::string>& words, const std::set<std::string>& flags,
                     const std::set<std::string>& options)
{
    for (size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (word.rfind("--", 0) != 0) throw UsageError("unexpected argument \"" + word + "\"");
        std::string name = word.substr(2);
        std::optional<std::string> inlineValue;
        if (const size_t equals = name.find('='); equals != std::string::npos) {
            inlineValue = name.substr(equals + 1);
            name.resize(equals);
        }
        if (flags.count(name)) {
            if (inlineValue) throw UsageError("--" + name + " takes no value");
            m_flags.insert(name);
        } else if (options.count(name)) {
            if (!inlineValue) {
                if (i + 1 >= words.size()) throw UsageError("--" + name + " needs a value");
                inlineValue = words[++i];
            }
            m_values[name] = *inlineValue;
        } else {
            throw UsageError("unknown option --" + name);
        }
    }
}

std::optional<std::string> Arguments::value(const std::string& name) const
{
    const auto it = m_values.find(name);
    if (it == m_values.end()) return std::nullopt;
    return it->second;
}

std::string Arguments::required(const std::string& name) const
{
    const auto found = value(name);
    if (!found) throw UsageError("--" + name + " is required");
    return *found;
}

std::optional<int> wholeNumberIn(const std::string& text, int minimum, int maximum)
{
    try {
        size_t used = 0;
        const long parsed = std::stol(text, &used);
        if (used == text.size() && parsed >= minimum && parsed <= maximum) return static_cast<int>(parsed);
    } catch (const std::exception&) {  // not a number, or beyond long
    }
    return std::nullopt;
}

int Arguments::integer(const std::string& name, int fallback, int minimum, int maximum) const
{
    const auto text = value(name);
    if (!text) return fallback;
    if (const auto parsed = wholeNumberIn(*text, minimum, maximum)) return *parsed;
    throw UsageError("--" + name + " must be an integer in [" + std::to_string(minimum) + ", " + std::to_string(maximum) +
                     "], got \"" + *text + "\"");
}

double Arguments::number(const std::string& name, double fallback, double minimum, double maximum) const
{
    const auto text = value(name);
    if (!text) return fallback;
    try {
        size_t used = 0;
        const double parsed = std::stod(*text, &used);
        if (used == text->size() && parsed >= minimum && parsed <= maximum) return parsed;
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " must be a number in [" + std::to_string(minimum) + ", " + std::to_string(maximum) +
                     "], got \"" + *text + "\"");
}

}  // namespace ax::cli
