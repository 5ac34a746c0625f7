// A finished search run folder (plan.json, pareto.json, significance.json, report.md) turned into
// the plain data the views take. Reading happens off the GUI thread; errors name the file.
#pragma once

#include "importance_data.h"
#include "pareto_data.h"
#include "plan_data.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace ax::studio {

// One element of the model as the plan names it.
struct ElementRef {
    QString kind;
    int layer = 0;
    int index = -1;
    bool operator==(const ElementRef& other) const { return kind == other.kind && layer == other.layer && index == other.index; }
};

// What the built-in demo's earlier stages reported (demo.json beside the run), for the classroom guide.
struct DemoFacts {
    double heldOutLossBefore = 0, heldOutLossAfter = 0, heldOutAccuracy = 0;
    qint64 pretrainSteps = 0;
    double pretrainSeconds = 0;
    QVector<double> valAccuracy;  // per fine-tuning epoch
    double fineTuneSeconds = 0;
};

struct RunData {
    QString folder;
    QString modelFolder;                 // the base model the plan was made for
    QString task, metric;
    QJsonObject taskSettings;            // a custom task's columns, labels and metric; empty otherwise
    int topK = 30;
    double tolerance = 0;
    double baselineLoss = 0;
    std::optional<widgets::ImportanceGrid> heads, ffnGroups;  // from significance.json, when present
    QVector<widgets::ConfigurationPoint> points;              // every evaluated configuration
    QVector<QVector<ElementRef>> configurations;              // by point id: what it applies
    QVector<bool> accepted;                                   // by point id: the search kept it
    QVector<widgets::PlanRow> rows;                           // every element: tried ones from the plan, the rest untried
    QVector<ElementRef> rowElements;                          // the element of each row
    QString summary;                                          // before/after in one paragraph
    QString report;                                           // report.md
    double speedup = 0;
    // Before/after, for the guide: dev metric, parameters, latency (NaN when not measured).
    double devBefore = 0, devAfter = 0, latencyBefore = 0, latencyAfter = 0;
    qint64 parametersBefore = 0, parametersAfter = 0;
    QStringList applied;                                      // the plan's applied decisions, described
    int decisions = 0;
    std::optional<DemoFacts> demo;
};

// Throws ax::Error naming the file that is missing or malformed.
RunData loadRun(const QString& folder);

// The point of the search's final configuration (its last accepted one).
int finalPoint(const RunData& run);

// For each row of `run`, whether configuration `pointId` applies it (heatmap marks, plan view).
QVector<bool> appliedIn(const RunData& run, int pointId, const QString& kind, int layers, int columns);

}  // namespace ax::studio
