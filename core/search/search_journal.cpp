#include "search/search_journal.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "io/json_file.h"

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace ax {

using nlohmann::json;

namespace {

void appendLine(const std::filesystem::path& file, const std::string& line)
{
    const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) failIn(file.string(), "cannot open the journal for writing");
    const std::string text = line + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) failIn(file.string(), "cannot write the journal");
}

}  // namespace

SearchJournal::SearchJournal(const std::filesystem::path& file, const json& identity) : m_file(file)
{
    if (!std::filesystem::exists(file)) {
        appendLine(file, json{{"identity", identity}}.dump());
        return;
    }
    std::ifstream in(file);
    read(in, identity);
}

SearchJournal SearchJournal::replica(const std::filesystem::path& file, const std::string& text, const json& identity)
{
    SearchJournal journal(file);
    journal.m_writesFile = false;
    std::istringstream in(text);
    journal.read(in, identity);
    return journal;
}

void SearchJournal::read(std::istream& in, const json& identity)
{
    const std::filesystem::path& file = m_file;
    std::string line;
    size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        json entry;
        try {
            entry = json::parse(line);
        } catch (const json::exception&) {  // parse_error, or out_of_range for a number too large
            // A line cut short by a kill during its write: everything before it is intact.
            if (in.peek() == EOF) break;
            failIn(file.string() + ":" + std::to_string(number), "not valid JSON");
        }
        if (number == 1) {
            if (!entry.contains("identity") || entry["identity"] != identity)
                failIn(file.string(), "this journal belongs to another search (model, data or settings differ); "
                                      "use a new run folder or the original settings");
            continue;
        }
        try {
            JournalEntry parsed;
            const std::string where = file.string() + ":" + std::to_string(number);
            parsed.element = {kindFromName(entry.at("kind").get<std::string>(), file.string()), jsonInt(entry, "layer", where),
                              jsonInt(entry, "index", where)};
            parsed.loss = entry.at("loss").get<double>();
            parsed.agreeCount = entry.at("agree_count").get<int64_t>();
            parsed.metric = entry.at("metric").get<double>();
            m_entries.push_back(parsed);
        } catch (const json::exception& error) {
            failIn(file.string() + ":" + std::to_string(number), std::string("malformed entry: ") + error.what());
        }
    }
}

std::optional<JournalEntry> SearchJournal::recorded(size_t sequence, const Element& expected) const
{
    if (sequence >= m_entries.size()) return std::nullopt;
    const JournalEntry& entry = m_entries[sequence];
    if (!(entry.element == expected))
        failIn(m_file.string(), "entry " + std::to_string(sequence + 1) + " is for " + entry.element.describe() +
                                    " but the search now evaluates " + expected.describe() + " (overrides changed?)");
    return entry;
}

void SearchJournal::append(const JournalEntry& entry)
{
    if (m_writesFile)
        appendLine(m_file, json{{"kind", kindName(entry.element.kind)},
                                {"layer", entry.element.layer},
                                {"index", entry.element.index},
                                {"loss", entry.loss},
                                {"agree_count", entry.agreeCount},
                                {"metric", entry.metric}}
                               .dump());
    m_entries.push_back(entry);
}

}  // namespace ax
