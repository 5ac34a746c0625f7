// The classroom guide's script: the AxFormer story in six steps (pretrain, fine-tune, significance,
// hard attention, pruning, export), each naming the tab to show and explaining it with the run's
// own numbers. Pure data, so it can be tested without a window.
#pragma once

#include "studio/run_data.h"

#include <QString>
#include <QVector>

namespace ax::studio {

// The main window's tabs, in order.
enum StudioTab { ModelTab, SignificanceTab, AttentionTab, ParetoTab, PlanTab, ReportTab };

struct GuideStep {
    QString title;
    StudioTab tab = ModelTab;
    QString html;       // the explanation
    QString sentence;   // for the attention step: a sentence to show
};

QVector<GuideStep> classroomSteps(const RunData& run);

}  // namespace ax::studio
