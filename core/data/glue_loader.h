// Loads one split of a GLUE task from the TSV files the standard GLUE download script writes.
#pragma once

#include "data/example.h"
#include "data/task.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ax {

// `folder` is the task's folder (SST-2/ with train.tsv, dev.tsv); the GLUE root above it is accepted
// too (glue/ with SST-2/ inside, found by the download script's folder names).
// `split`: "train", "dev", "test"; for MNLI "dev" is dev_matched.tsv and "test" test_matched.tsv,
// and "dev_matched", "dev_mismatched", "test_matched", "test_mismatched" name the files directly.
// Columns are found by header name (CoLA train/dev have no header: source, label, mark, sentence).
// Test files have no label column: their examples get label -1 / score 0.
// Throws ax::Error with file:line and what is wrong for a row with the wrong number of columns, an
// empty text, an unknown label, a score that is not a finite number, a repeated index or a line
// that is not UTF-8; and naming the file when it is missing or its header lacks a needed column.
// The exception: QQP and MNLI, whose real files contain rows broken by newlines inside a text
// (and empty texts), skip such rows, counted in Dataset::skipped with the first reasons.
Dataset loadGlueSplit(const TaskSpec& task, const std::filesystem::path& folder, const std::string& split);

// The file loadGlueSplit reads for `split` (whether or not it exists); throws ax::Error for a
// split name the task does not have, listing the valid ones.
std::filesystem::path glueSplitFile(const TaskSpec& task, const std::filesystem::path& folder, const std::string& split);

// The splits a task's folder may hold: train dev test (+ MNLI's matched/mismatched names).
std::vector<std::string> glueSplitNames(const TaskSpec& task);

}  // namespace ax
