// The official prediction file formats: GLUE's index<TAB>prediction TSV (as submitted to the GLUE
// server) and SQuAD's {"question_id": "answer text"} JSON. Written atomically.
#pragma once

#include "data/example.h"
#include "data/task.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ax {

// Header "index\tprediction", then one row per example in order: its id and the label string
// (TaskSpec::labels[predicted]). Throws ax::Error when the counts differ or a label id is out of range.
void writeGluePredictions(const std::filesystem::path& file, const TaskSpec& task, const std::vector<Example>& examples,
                          const std::vector<int>& predictedLabels);
// Regression (STS-B): scores with 3 decimals ("3.250"), independent of the C locale.
void writeGluePredictions(const std::filesystem::path& file, const TaskSpec& task, const std::vector<Example>& examples,
                          const std::vector<double>& predictedScores);

// index -> prediction text. Needs the header "index\tprediction" (a BOM and \r\n are accepted);
// errors with file:line for a row without exactly two columns, an empty index or a repeated one.
std::map<std::string, std::string> readGluePredictions(const std::filesystem::path& file);

// One JSON object of question id -> answer string.
void writeSquadPredictions(const std::filesystem::path& file, const std::map<std::string, std::string>& answers);
// Errors name the file and, for a value that is not a string, the question id.
std::map<std::string, std::string> readSquadPredictions(const std::filesystem::path& file);

}  // namespace ax
