#include "studio/model_export.h"

#include "common/atomic_file.h"
#include "model/model_folder.h"
#include "model/slicing.h"
#include "search/plan.h"

#include <torch/torch.h>

namespace ax::studio {

void exportSlicedModel(const QString& planFile, const QString& out, Precision precision)
{
    const std::filesystem::path planPath = planFile.toStdString();
    const Plan plan = Plan::fromFile(planPath);
    // The model folder may have been fine-tuned again since the search: its heads are not the plan's.
    requirePlanForModel(plan, plan.modelPath, planPath.string());
    LoadedModel loaded = loadModelFolder(plan.modelPath);
    const Approximation approximation = plan.approximation(loaded.model->config(), planPath.string());
    BertModel sliced = sliceModel(*loaded.model, approximation);
    sliced->convertTo(precision);
    saveModelFolder(*sliced, out.toStdString(), plan.modelPath);
    writeFileAtomically(std::filesystem::path(out.toStdString()) / "plan.json", plan.toJson().dump(2) + "\n");
}

}  // namespace ax::studio
