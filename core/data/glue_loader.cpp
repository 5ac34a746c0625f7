#include "data/glue_loader.h"

#include "common/error.h"
#include "data/tsv_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>
#include <utility>

namespace ax {

namespace {

// Where a task's columns are, by the header names of the download script's files.
struct Layout {
    std::string folder;                    // the download script's folder name
    std::string textA, textB;              // textB empty for single-sentence tasks
    std::string label;                     // the gold column (absent in test files)
    std::string id;                        // the index column (absent in CoLA/SST-2/MRPC train/dev)
    bool lenient = false;                  // rows broken in the real data are skipped, counted
};

const Layout& layoutOf(const TaskSpec& task)
{
    static const std::unordered_map<std::string, Layout> layouts = {
        {"cola", {"CoLA", "sentence", "", "label", "index", false}},
        {"sst2", {"SST-2", "sentence", "", "label", "index", false}},
        {"mrpc", {"MRPC", "#1 String", "#2 String", "Quality", "index", false}},
        {"stsb", {"STS-B", "sentence1", "sentence2", "score", "index", false}},
        {"qqp", {"QQP", "question1", "question2", "is_duplicate", "id", true}},
        {"mnli", {"MNLI", "sentence1", "sentence2", "gold_label", "index", true}},
        {"qnli", {"QNLI", "question", "sentence", "label", "index", false}},
        {"rte", {"RTE", "sentence1", "sentence2", "label", "index", false}},
        {"wnli", {"WNLI", "sentence1", "sentence2", "label", "index", false}},
    };
    const auto it = layouts.find(task.name);
    if (it == layouts.end())
        throw Error("task " + task.name + " has no GLUE files: " +
                    (task.kind == TaskKind::SpanExtraction ? "use the SQuAD loader" : "unknown layout"));
    return it->second;
}

// Column positions in one file; npos for a column it does not have.
struct Columns {
    size_t count = 0;
    size_t textA = std::string::npos, textB = std::string::npos, label = std::string::npos, id = std::string::npos;
};

constexpr size_t kMaxSkipReasons = 10;

bool isBlank(std::string_view text)
{
    return text.find_first_not_of(" \t\r\n\v\f") == std::string_view::npos;
}

std::string shown(std::string_view text)
{
    constexpr size_t kMax = 40;
    if (text.size() <= kMax) return "\"" + std::string(text) + "\"";
    return "\"" + std::string(text.substr(0, kMax)) + "...\"";
}

Columns columnsFromHeader(const std::vector<std::string_view>& header, const Layout& layout,
                          const TaskSpec& task, const TsvReader& reader, bool labelled)
{
    Columns columns;
    columns.count = header.size();
    const auto find = [&](const std::string& name) {
        const auto it = std::find(header.begin(), header.end(), name);
        return it == header.end() ? std::string::npos : static_cast<size_t>(it - header.begin());
    };
    std::string names;
    for (const auto& name : header) names += (names.empty() ? "" : ", ") + shown(name);
    const auto require = [&](const std::string& name) {
        const size_t column = find(name);
        if (column == std::string::npos)
            throw Error(reader.where() + ": the header has no column \"" + name + "\" that " + task.name +
                        " needs (found " + names + "): is this the right task's folder?");
        return column;
    };
    columns.textA = require(layout.textA);
    if (!layout.textB.empty()) columns.textB = require(layout.textB);
    columns.label = labelled ? require(layout.label) : find(layout.label);
    columns.id = find(layout.id);
    return columns;
}

}  // namespace

std::vector<std::string> glueSplitNames(const TaskSpec& task)
{
    if (task.name == "mnli") return {"train", "dev", "test", "dev_matched", "dev_mismatched", "test_matched", "test_mismatched"};
    return {"train", "dev", "test"};
}

std::filesystem::path glueSplitFile(const TaskSpec& task, const std::filesystem::path& folder, const std::string& split)
{
    const Layout& layout = layoutOf(task);
    const auto names = glueSplitNames(task);
    if (std::find(names.begin(), names.end(), split) == names.end()) {
        std::string valid;
        for (const auto& name : names) valid += (valid.empty() ? "" : " ") + name;
        throw Error("task " + task.name + " has no split \"" + split + "\": expected one of " + valid);
    }
    std::string file = split;
    if (task.name == "mnli" && (split == "dev" || split == "test")) file += "_matched";
    file += ".tsv";
    // The GLUE root is accepted too: glue/SST-2/dev.tsv.
    if (!std::filesystem::exists(folder / file) && std::filesystem::exists(folder / layout.folder / file))
        return folder / layout.folder / file;
    return folder / file;
}

Dataset loadGlueSplit(const TaskSpec& task, const std::filesystem::path& folder, const std::string& split)
{
    const Layout& layout = layoutOf(task);
    const std::filesystem::path file = glueSplitFile(task, folder, split);
    const bool labelled = split.rfind("test", 0) != 0;

    Dataset dataset;
    dataset.task = task.name;
    dataset.file = file.string();
    TsvReader reader(file);
    std::vector<std::string_view> fields;
    if (!reader.next(fields)) failIn(dataset.file, "empty file, expected the " + task.name + " " + split + " split");

    Columns columns;
    bool firstLineIsRow = false;
    if (task.name == "cola" && fields[0] != "index") {
        // CoLA train/dev: no header; source, label, original mark, sentence.
        columns = {4, 3, std::string::npos, 1, std::string::npos};
        firstLineIsRow = true;
    } else {
        columns = columnsFromHeader(fields, layout, task, reader, labelled);
    }

    std::unordered_map<std::string, size_t> firstLineOfId;
    size_t row = 0;
    const auto skip = [&](const std::string& why) {
        ++dataset.skipped;
        if (dataset.skipReasons.size() < kMaxSkipReasons) dataset.skipReasons.push_back(reader.where() + ": " + why);
    };
    while (std::exchange(firstLineIsRow, false) || reader.next(fields)) {
        const size_t rowIndex = row++;
        if (fields.size() != columns.count) {
            const std::string why = std::to_string(fields.size()) + " column" + (fields.size() == 1 ? "" : "s") +
                                    ", expected " + std::to_string(columns.count) + " (tab-separated, no quoting)";
            if (layout.lenient) {
                skip(why + "; a text broken by a newline?");
                continue;
            }
            throw Error(reader.where() + ": " + why);
        }
        Example example;
        example.source = reader.where();
        example.id = columns.id != std::string::npos ? std::string(fields[columns.id]) : std::to_string(rowIndex);
        example.textA = std::string(fields[columns.textA]);
        if (columns.textB != std::string::npos) {
            example.textB = std::string(fields[columns.textB]);
            example.hasTextB = true;
        }
        const std::string_view emptyColumn = isBlank(example.textA) ? std::string_view(layout.textA)
                                             : example.hasTextB && isBlank(example.textB) ? std::string_view(layout.textB)
                                                                                        : std::string_view();
        if (!emptyColumn.empty()) {
            const std::string why = "empty text in column \"" + std::string(emptyColumn) + "\"";
            if (layout.lenient) {
                skip(why);
                continue;
            }
            throw Error(reader.where() + ": " + why);
        }
        if (columns.label != std::string::npos) {
            const std::string_view gold = fields[columns.label];
            if (task.kind == TaskKind::Regression) {
                double value = 0;
                const auto [end, status] = std::from_chars(gold.data(), gold.data() + gold.size(), value);
                if (gold.empty() || status != std::errc() || end != gold.data() + gold.size() || !std::isfinite(value))
                    throw Error(reader.where() + ": the score " + shown(gold) + " is not a number");
                // STS-B's similarity is on a 0-5 scale; a score outside it (a typo, another
                // dataset's scale) would train and be scored silently against the wrong target.
                if (value < 0 || value > 5)
                    throw Error(reader.where() + ": the score " + shown(gold) + " is outside " + task.name + "'s range [0, 5]");
                example.score = static_cast<float>(value);
            } else {
                const auto id = task.labelId(std::string(gold));
                if (!id) {
                    std::string valid;
                    for (const auto& label : task.labels) valid += (valid.empty() ? "" : ", ") + shown(label);
                    throw Error(reader.where() + ": unknown label " + shown(gold) + " for " + task.name +
                                ", expected one of " + valid);
                }
                example.label = *id;
            }
        }
        const auto [it, inserted] = firstLineOfId.emplace(example.id, reader.lineNumber());
        if (!inserted)
            throw Error(reader.where() + ": index " + shown(example.id) + " repeats line " + std::to_string(it->second));
        dataset.examples.push_back(std::move(example));
    }
    if (dataset.examples.empty())
        failIn(dataset.file, "no examples" + (dataset.skipped ? " (all " + std::to_string(dataset.skipped) + " rows skipped)"
                                                              : std::string()));
    return dataset;
}

}  // namespace ax
