// One labelled (or unlabelled) text or text pair, and a whole split of a task's data.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ax {

struct Example {
    // GLUE: the row's "index" (QQP: "id") column; files without one (CoLA, SST-2 and MRPC train/dev)
    // use the 0-based data row number (header excluded, skipped rows counted), which is what the
    // official test files' index column means. SQuAD: the question id. Unique within a Dataset.
    std::string id;
    std::string textA, textB;
    bool hasTextB = false;
    int label = -1;       // classification: index into TaskSpec::labels; -1 when unlabelled (test)
    float score = 0;      // regression (STS-B): the gold similarity, 0-5
    std::string source;   // "file:line", for messages
};

struct Dataset {
    std::string task, file;
    std::vector<Example> examples;
    // Rows left out on purpose (only where the data is known to have such rows: QQP and MNLI rows
    // broken by embedded newlines or with an empty text). Never silent: counted here, and the first
    // few reasons kept, each starting with file:line.
    size_t skipped = 0;
    std::vector<std::string> skipReasons;
};

}  // namespace ax
