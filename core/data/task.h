// The tasks AxFormer fine-tunes and grades: the nine GLUE tasks and SQuAD v1.1, with the label
// order of Hugging Face's run_glue processors and the official metrics of each; and a user's own
// classification, pair or regression task on TSV/CSV/JSONL files (data/custom_task.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ax {

enum class TaskKind { Classification, Regression, SpanExtraction };

// Where a custom task's fields are in the user's files: column names of the TSV/CSV header, or
// keys of the JSONL objects.
struct ColumnMapping {
    std::string text = "text";        // the (first) text
    std::string textPair;             // the second text of a pair task; empty: single text
    std::string label = "label";      // the gold label or score
    std::string id;                   // an example id; empty: the row number
    bool operator==(const ColumnMapping& other) const
    {
        return text == other.text && textPair == other.textPair && label == other.label && id == other.id;
    }
};

struct TaskSpec {
    std::string name;                 // cola sst2 mrpc stsb qqp mnli qnli rte wnli squad, or custom
    TaskKind kind = TaskKind::Classification;
    // Label strings in id order, exactly as the files write them (HF run_glue's get_labels()):
    // {"0","1"}; MNLI {"contradiction","entailment","neutral"}; QNLI/RTE {"entailment","not_entailment"}.
    // Empty for STS-B and SQuAD.
    std::vector<std::string> labels;
    bool pair = false;                // two texts per example (SQuAD: question + context)
    // Metric keys as MetricSet writes them: accuracy f1 mcc pearson spearman exact_match squad_f1.
    std::vector<std::string> metrics;
    // The one number to select checkpoints by and to report first: mcc (CoLA), f1 (MRPC, QQP),
    // pearson (STS-B), squad_f1 (SQuAD), accuracy for the rest.
    std::string primaryMetric;
    // Set for a custom task only: its files are read by these names (data/custom_task.h).
    std::optional<ColumnMapping> columns;

    size_t numLabels() const { return labels.size(); }
    // The id of a label string as it appears in the files, or nullopt when it is not one.
    std::optional<int> labelId(const std::string& label) const;
};

// Throws ax::Error listing the valid names when `name` is not one of them. Names are lower-case;
// "sst-2", "sts-b" and upper-case spellings are accepted too.
const TaskSpec& taskSpec(const std::string& name);
// cola sst2 mrpc stsb qqp mnli qnli rte wnli squad, in that order.
const std::vector<std::string>& taskNames();

}  // namespace ax
