// The search's journal: one JSON line per evaluated candidate, flushed to disk as it is written, so
// an interrupted or cancelled search resumes where it stopped and takes the same decisions.
#pragma once

#include "search/plan.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <vector>

namespace ax {

struct JournalEntry {
    Element element;
    double loss = 0;
    int64_t agreeCount = 0;
    double metric = 0;
};

class SearchJournal {
public:
    // Opens (or creates) the journal. `identity` names the model, data and settings; a journal
    // written for another identity is refused, so a resume can never mix two searches.
    SearchJournal(const std::filesystem::path& file, const nlohmann::json& identity);
    // The journal of another process (a distributed search's rank 0, which alone writes files):
    // `text` is what `file` held there ("" for none yet). Appends stay in memory.
    static SearchJournal replica(const std::filesystem::path& file, const std::string& text, const nlohmann::json& identity);

    // The entry recorded for candidate number `sequence`, if the earlier run got that far.
    std::optional<JournalEntry> recorded(size_t sequence, const Element& expected) const;
    void append(const JournalEntry& entry);
    size_t size() const { return m_entries.size(); }

private:
    explicit SearchJournal(std::filesystem::path file) : m_file(std::move(file)) {}
    void read(std::istream& in, const nlohmann::json& identity);

    std::filesystem::path m_file;
    bool m_writesFile = true;
    std::vector<JournalEntry> m_entries;
};

}  // namespace ax
