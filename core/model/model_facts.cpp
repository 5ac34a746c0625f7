#include "model/model_facts.h"

#include "model/model_folder.h"
#include "model/precision_names.h"

namespace ax {

ModelFacts describeModelFolder(const std::filesystem::path& folder)
{
    LoadedModel loaded = loadModelFolder(folder);
    const ModelHeads& heads = loaded.model->heads();
    ModelFacts facts;
    facts.folder = loaded.folder;
    facts.config = loaded.model->config();
    if (heads.pooler) facts.taskHeads.push_back("pooler");
    if (heads.numLabels > 0) facts.taskHeads.push_back("sequence_classification");
    if (heads.questionAnswering) facts.taskHeads.push_back("question_answering");
    if (heads.maskedLm) facts.taskHeads.push_back("masked_lm");
    facts.numLabels = heads.numLabels;
    facts.parameters = loaded.model->parameterCount();
    facts.precision = describePrecision(loaded.model->precision());
    facts.bytesOnDisk = loaded.bytesOnDisk;
    facts.ignoredTensors = loaded.ignoredTensors;
    return facts;
}

}  // namespace ax
