// The built-in demo, end to end with no external files: generate the synthetic language, pretrain
// a miniature BERT on it with masked-LM, fine-tune it on the language's sentiment task, then run
// the significance analysis and the AxFormer search. Every stage leaves its artefact in the demo
// folder and is skipped when that artefact is already there, so a second start is instant.
#pragma once

#include "search/search_job.h"
#include "train/fine_tuner.h"
#include "train/pretrainer.h"

#include <filesystem>
#include <optional>

namespace ax {

struct DemoSettings {
    std::filesystem::path folder;  // the cache: language/, pretrained/, finetuned/, search/, demo.json
    uint64_t seed = 7;
    double scale = 1.0;            // < 1 shrinks the corpus, the task and training (tests)
    int hiddenSize = 128, layers = 4, heads = 4, intermediateSize = 512;
};

struct DemoResult {
    std::filesystem::path language, pretrained, finetuned, search;  // the artefacts
    std::vector<std::string> stagesRun;      // the stages computed now ("language", "pretrain", ...)
    std::optional<PretrainReport> pretrain;  // reports of the stages run now
    std::optional<FineTuneReport> fineTune;
    std::optional<SearchJobResult> searchResult;
    double seconds = 0;
};

// Where the user's own work goes: $XDG_DATA_HOME/axformer-studio, else ~/.local/share/axformer-studio
// (the demo's cache, and the studio's runs/ and models/).
std::filesystem::path userDataFolder();

// $AXFORMER_DEMO_DIR, else userDataFolder()/demo-v3.
std::filesystem::path defaultDemoFolder();

// Runs (or resumes) the demo. Stages report through `observer` ("demo: ..." messages and each
// stage's own progress); `cancel` stops within one batch and keeps the finished stages.
DemoResult runDemo(const DemoSettings& settings, SearchObserver* observer = nullptr, const CancelToken* cancel = nullptr);

}  // namespace ax
